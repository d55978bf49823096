"""The language and time zone of the staff pages, and the switch that changes them.

Which language a page is in, in this order:

1. the signed-in user's setting (``User.language``, chosen with the switch);
2. the choice made with the switch before signing in (kept in the session cookie);
3. the browser's ``Accept-Language`` (``zh-TW``, ``zh-HK`` and ``zh-Hant`` read Traditional
   Chinese; anything else without a match reads English);
4. English (``BABEL_DEFAULT_LOCALE``).

The JSON API (``/api``) always answers in English.

The time zone is the user's setting, else ``BABEL_DEFAULT_TIMEZONE`` (UTC). Texts come from
the message catalogues in ``kamscore/web/translations`` (docs/translations.md says how translators
update them); a text missing from a catalogue reads in English, never as a message id.
Numbers, amounts and dates follow the locale through ``kamscore.web.number_format``.

The respondents' survey pages keep their own language choice (``survey_pages``): their
texts come from the survey definition, not from these catalogues.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import Babel, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from kamscore.auth.access import is_api_request, public
from kamscore.auth.preferences import LANGUAGES, PreferenceError, set_preferences, time_zones
from kamscore.db.session import get_session
from kamscore.web.pages import safe_next

bp = Blueprint("language", __name__)

#: The session key of a signed-out visitor's choice.
SESSION_KEY = "staff_language"

#: The field prefix of the footer's switch (its ids never clash with a page's own form).
SWITCH_PREFIX = "switch"

#: Accept-Language tags that ask for a language under another name.
_ALIASES = {"zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant", "zh-hant": "zh-Hant",
            "zh": "zh-Hant"}


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    # the catalogues live with the pages (relative to the app's root, the kamscore package)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "web/translations")
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.register_blueprint(bp)
    app.context_processor(_language_context)


def babel_locale(language: str) -> str:
    """The Babel locale of a BCP 47 language tag: ``zh-Hant`` → ``zh_Hant``."""
    return language.replace("-", "_")


def select_locale() -> str:
    """The locale of the current request (the order is in the module docstring); English
    outside a request (a CLI command, a worker: ``kamscore.texts``) and in the JSON API (its
    ``message``s are read by programs and quoted in logs, whatever the caller's language)."""
    if not has_request_context() or is_api_request():
        return "en"
    language = getattr(current_user, "language", None) if current_user else None
    if language not in LANGUAGES:
        language = session.get(SESSION_KEY)
    if language not in LANGUAGES:
        language = _from_accept_language()
    return babel_locale(language)


def select_timezone() -> str | None:
    """The signed-in user's time zone, else None (Flask-Babel's default)."""
    if not has_request_context():
        return None
    return getattr(current_user, "timezone", None) or None


def page_language() -> str:
    """The BCP 47 tag of the current page's language, for ``<html lang>``."""
    return str(get_locale() or "en").replace("_", "-")


def _from_accept_language() -> str:
    for tag, _quality in request.accept_languages:
        if tag in LANGUAGES:
            return tag
        alias = _ALIASES.get(tag.lower()) or _ALIASES.get(tag.split("-")[0].lower())
        if alias:
            return alias
        if tag.split("-")[0].lower() == "en":
            return "en"
    return "en"


@bp.route("/settings/language", methods=["GET", "POST"])
@public("anyone may choose the language of the pages; a signed-in user's choice is kept "
        "with his account, nobody else's")
def settings() -> Any:
    """GET: the settings page (language, and a signed-in user's time zone). POST: store the
    choice (the switch in every page's footer posts here too) and go back."""
    from kamscore.web.forms import LanguageForm

    signed_in = bool(current_user and current_user.is_authenticated)
    form = LanguageForm(prefix=SWITCH_PREFIX if f"{SWITCH_PREFIX}-language" in request.form
                        else "")
    if request.method == "GET":
        form.language.data = page_language()
        form.timezone.data = getattr(current_user, "timezone", None) or ""
        form.next.data = request.args.get("next", "")
        return render_template("web/language.html", form=form, signed_in=signed_in)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, description=_("The form expired; please try again."))
        return render_template("web/language.html", form=form, signed_in=signed_in), 400
    if signed_in:
        try:
            set_preferences(get_session(), current_user._get_current_object(),
                            language=form.language.data,
                            timezone=form.timezone.data if form.timezone.raw_data else None)
        except PreferenceError as exc:
            getattr(form, exc.field).errors.append(str(exc))
            return render_template("web/language.html", form=form, signed_in=signed_in), 400
    session[SESSION_KEY] = form.language.data
    flash(_("Language: %(name)s.", name=LANGUAGES[form.language.data]), "success")
    return redirect(safe_next(form.next.data) or url_for("web.home"))


def _language_context() -> dict[str, Any]:
    return {"page_language": page_language, "languages": LANGUAGES, "time_zones": time_zones,
            "language_switch_form": _switch_form}


def _switch_form() -> Any:
    from kamscore.web.forms import LanguageForm

    form = LanguageForm(formdata=None, prefix=SWITCH_PREFIX)
    form.language.data = page_language()
    form.next.data = request.full_path.rstrip("?") if request.method == "GET" else ""
    return form

