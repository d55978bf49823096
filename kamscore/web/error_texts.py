"""An HTTP error page's title and explanation in the page's language (issue 20).

Werkzeug names its errors in English (``Not Found``) and gives each a default description; a
view's own ``abort(404, description=...)`` is already a catalogue text. ``error_name`` and
``error_text`` (template globals, used by ``web/error.html``) translate the defaults, and
Flask-WTF's CSRF refusals (``form_words.csrf_text``).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from kamscore.web.form_words import csrf_text

NAMES: dict[int, Any] = {
    400: _l("Bad request"), 401: _l("Unauthorized"), 403: _l("Forbidden"),
    404: _l("Not found"), 405: _l("Method not allowed"), 413: _l("Request too large"),
    429: _l("Too many requests"), 500: _l("Internal server error"),
}
DEFAULT_TEXTS: dict[int, Any] = {
    400: _l("The browser sent a request that this server could not understand."),
    401: _l("Sign in to see this page."),
    403: _l("You do not have the permission to see this page."),
    404: _l("The page was not found. If you typed the address, check it and try again."),
    405: _l("This page cannot be opened this way."),
    413: _l("The data sent is too large."),
    429: _l("Too many requests: wait a moment, then try again."),
    500: _l("Something went wrong on the server."),
}


def error_name(error: HTTPException) -> str:
    """The error's name (``404`` → "Not found"), translated."""
    found = NAMES.get(error.code or 0)
    return str(found) if found is not None else str(error.name)


def error_text(error: HTTPException) -> str:
    """The view's own description, or the translated default for the error's code."""
    default = type(error).description
    if error.description and error.description != default:
        return csrf_text(str(error.description))  # CSRFProtect's refusal is Flask-WTF's English
    found = DEFAULT_TEXTS.get(error.code or 0)
    return str(found) if found is not None else str(error.description or "")
