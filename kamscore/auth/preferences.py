"""A user's own settings for the pages: the language they are in and his time zone.

Services layer: a Session and plain values in, the stored choice out. The choice is the
user's own (nobody sets it for another), changes nothing he may do or see, and is therefore
not in the audit log.
"""

from __future__ import annotations

import functools
import zoneinfo

from sqlalchemy.orm import Session

from kamscore.models import User

#: The languages of the staff pages, by BCP 47 tag, each named in its own language.
LANGUAGES: dict[str, str] = {"en": "English", "zh-Hant": "繁體中文"}


class PreferenceError(ValueError):
    """A setting that cannot be stored; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@functools.cache
def time_zones() -> tuple[str, ...]:
    """The IANA time zones a user may choose (``Asia/Taipei``, ``Europe/Berlin``, ...)."""
    zones = sorted(zone for zone in zoneinfo.available_timezones()
                   if "/" in zone and not zone.startswith(("Etc/", "SystemV/")))
    return (*zones, "UTC")


def set_preferences(session: Session, user: User, *, language: str,
                    timezone: str | None = None) -> User:
    """Store ``user``'s language and, when given, his time zone (``""`` clears it)."""
    if language not in LANGUAGES:
        raise PreferenceError("language", f"Unknown language {language!r}; "
                                          f"choose one of {', '.join(LANGUAGES)}.")
    if timezone and timezone not in time_zones():
        raise PreferenceError("timezone", f"Unknown time zone {timezone!r}; "
                                          "choose one such as Asia/Taipei or Europe/Berlin.")
    user.language = language
    if timezone is not None:
        user.timezone = timezone or None
    session.commit()
    return user
