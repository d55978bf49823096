"""Texts of the respondent pages and survey e-mails in the respondent's language.

The texts live in ``ui_texts.yaml`` next to this module (data, so that translators edit YAML
rather than code); each needs every language of ``REQUIRED_LANGUAGES``. A language without
a text falls back to English.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from kamscore.surveys.definition import LANGUAGE_NAMES, REQUIRED_LANGUAGES

TEXTS_FILE = Path(__file__).with_name("ui_texts.yaml")


@functools.cache
def _texts() -> dict[str, dict[str, str]]:
    texts = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    for key, by_language in texts.items():
        missing = [lang for lang in REQUIRED_LANGUAGES if lang not in by_language]
        if missing:
            raise ValueError(f"{TEXTS_FILE}: {key!r} lacks {', '.join(missing)}")
    return texts


def ui_text(key: str, language: str, **values: object) -> str:
    """The text ``key`` in ``language`` (else English), placeholders filled in."""
    by_language = _texts()[key]
    text = by_language.get(language) or by_language["en"]
    return text.format(**values) if values else text


def ui_keys() -> list[str]:
    return list(_texts())


def language_name(language: str) -> str:
    return LANGUAGE_NAMES.get(language, language)


def pick_language(wanted: str | None, offered: tuple[str, ...]) -> str:
    """``wanted`` if the survey offers it (also ``zh-TW`` → ``zh-Hant``), else English."""
    if wanted:
        if wanted in offered:
            return wanted
        aliases = {"zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant"}
        alias = aliases.get(wanted.lower())
        if alias in offered:
            return alias
        base = wanted.split("-")[0].lower()
        for language in offered:
            if language.lower() == base:
                return language
    return "en"


def format_instant(instant: dt.datetime, language: str, timezone: str) -> str:
    """An instant as a respondent reads it, in the campaign's time zone."""
    local = instant.astimezone(ZoneInfo(timezone))
    return ui_text("instant", language, day=local.day, month=local.month,
                   month_name=_MONTHS[local.month - 1], year=local.year,
                   time=f"{local:%H:%M}", tz=timezone)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
