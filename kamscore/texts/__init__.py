"""Translatable texts for the services: the gettext functions that a service, a form or an
export uses for the words a person reads (docs/translations.md).

They are Flask-Babel's, named here so that services depend on *translating*, not on Flask:
inside a request they return the reader's language (``kamscore.web.language`` chooses it);
anywhere else — a worker, a test of a service, a script — they return the English text, so a
service's result never depends on whether it runs in a request. Placeholders are named
(``_("Run %(run)s is open", run=7)``), never sentences built from pieces.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import force_locale, get_locale, gettext, lazy_gettext, ngettext, pgettext

from kamscore.sentences import Sentence

_ = gettext
_l = lazy_gettext



def locale_tag() -> str:
    """The reader's Babel locale (``zh_Hant``) for a service that writes dates itself; ``en``
    outside a request (as ``_`` reads English there)."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return "en"
    return str(locale)


@contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """The texts of the block in ``language`` (a BCP 47 tag, ``zh-Hant``; None: English),
    whatever the request's: for an e-mail written in its recipient's language. Outside an
    application context the texts stay English."""
    with force_locale((language or "en").replace("-", "_")):
        yield


def translated(sentence: Sentence | str) -> str:
    """``sentence`` in the reader's language (English outside a request): its template
    looked up in the catalogue, its values filled in (a value that is itself a sentence is
    translated first). A plain text is returned as it is. A template missing from the
    catalogue reads in English, never as a message id with placeholders."""
    if isinstance(sentence, str):
        return sentence
    values = {key: translated(value) if isinstance(value, Sentence) else value
              for key, value in sentence.values.items()}
    return gettext(sentence.template, **values) if values else gettext(sentence.template)


__all__ = ["_", "_l", "gettext", "in_language", "lazy_gettext", "locale_tag",
           "ngettext", "pgettext", "translated"]
