"""The messages of the forms' own checks in the page's language (issue 20).

WTForms writes its messages in English ("This field is required.", "Not a valid integer
value.") and ships their translations (``wtforms/locale``); ``FormTranslations`` gives a form
the catalogue of the reader's language. Our locales are named as CLDR names them
(``zh_Hant``); WTForms names its Traditional Chinese catalogue ``zh_TW``, and its ``zh`` is
Simplified Chinese, so the name is mapped, never left to gettext's fallback (which would
find ``zh``). English, and a language WTForms has no catalogue for, read WTForms' English.

Flask-WTF's CSRF check writes English that no catalogue holds ("The CSRF token is
missing."): ``CSRF_TEXTS`` says each in our catalogue; ``csrf_text`` translates one, for a
form's field error and for the 400 page of ``CSRFProtect``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from babel.support import NullTranslations, Translations
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms.i18n import messages_path

#: Our Babel locale → the name of WTForms' catalogue of the same language.
WTFORMS_CATALOGUES = {"zh_Hant": "zh_TW"}

#: Flask-WTF's CSRF messages (flask_wtf/csrf.py) in our words.
CSRF_TEXTS: dict[str, Any] = {
    "The CSRF token is missing.":
        _l("The form's security token is missing: reload the page and try again."),
    "The CSRF session token is missing.":
        _l("Your session has no security token: reload the page and try again."),
    "The CSRF token is invalid.":
        _l("The form's security token is not valid: reload the page and try again."),
    "The CSRF token has expired.":
        _l("The form has expired: reload the page and try again."),
    "The CSRF tokens do not match.":
        _l("The form's security token does not match your session: reload the page and try "
           "again."),
    "The referrer header is missing.":
        _l("The browser did not say which page sent the form: reload the page and try again."),
    "The referrer does not match the host.":
        _l("The form was sent from another site."),
}


def csrf_text(message: str) -> str:
    """Flask-WTF's CSRF ``message`` in the reader's language (another text as it is)."""
    found = CSRF_TEXTS.get(message)
    return str(found) if found is not None else message


@cache
def _catalogue(name: str) -> NullTranslations:
    return Translations.load(messages_path(), [name], domain="wtforms")


def wtforms_catalogue() -> NullTranslations | None:
    """WTForms' catalogue of the reader's language; None for English (and outside a
    request)."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return None
    name = str(locale)
    return _catalogue(WTFORMS_CATALOGUES.get(name, name))


class FormTranslations:
    """What WTForms asks of a form's translations (``Meta.get_translations``)."""

    def gettext(self, string: str) -> str:
        found = wtforms_catalogue()
        return string if found is None else found.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = wtforms_catalogue()
        if found is None:
            return singular if n == 1 else plural
        return found.ngettext(singular, plural, n)


FORM_TRANSLATIONS = FormTranslations()
