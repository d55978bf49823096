"""What every staff page shares: the layout's context (navigation, sign-out form, version)
and HTML error pages in the layout."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from kamscore.web.nav import add_nav_item, nav_entries

#: Error codes shown as pages in the layout (other codes keep Flask's plain pages).
ERROR_PAGES = (400, 403, 404, 405, 429)

#: How stored values read on a page (anything else: "market_access" → "Market access").
LABELS = {
    "kam": "KAM", "msl": "Medical science liaison", "idn": "IDN", "gpo": "GPO",
    "health_economics": "Health economics",
}


def init_app(app: Flask) -> None:
    add_nav_item(app, "web.home", "Home")
    add_nav_item(app, "web.kams", "KAMs", also=("web.kam",))
    add_nav_item(app, "web.teams", "Teams")
    add_nav_item(app, "web.accounts", "Accounts")
    app.context_processor(_layout_context)
    app.add_template_filter(label, "label")
    for code in ERROR_PAGES:
        app.register_error_handler(code, _error_page)


def label(value: Any) -> str:
    """A stored value (enum member or string) as a reader would write it."""
    text = str(getattr(value, "value", value))
    return LABELS.get(text, text.replace("_", " ").capitalize())


def _nav_items() -> list[dict[str, Any]]:
    """The entries the current user may see, with their URL and whether they are current;
    labels in the page's language (``add_nav_item``'s label is a message id: the extraction
    command of docs/translations.md collects it)."""
    return [
        {"label": gettext(item.label), "url": url_for(item.endpoint),
         "current": item.is_current(request.endpoint)}
        for item in nav_entries(current_app) if item.visible_to(current_user, current_app)
    ]


def _layout_context() -> dict[str, Any]:
    from kamscore.config import __version__
    from kamscore.web.forms import SignOutForm

    return {"nav_items": _nav_items, "sign_out_form": SignOutForm, "version": __version__}


def _error_page(error: HTTPException) -> Any:
    """An HTML error page in the layout; /api URLs keep the API's JSON error shape and the
    respondents' pages their own."""
    from kamscore.api.errors import handle_http_exception, is_api_request

    if is_api_request():
        return handle_http_exception(error)
    if request.blueprint == "survey_pages":
        return error
    kept = {k: v for k, v in error.get_headers() if k in ("Retry-After", "WWW-Authenticate")}
    return render_template("web/error.html", error=error), error.code, kept
