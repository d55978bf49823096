"""The staff pages of the web shell: home, KAMs, one KAM, teams, accounts, sign-in/out.

The blueprint is named ``web``; its templates (``base.html`` and ``web/*.html``) and style
sheet (``/static/web/kamscore.css``) ship inside the package. Every view parses its input,
calls one service function and renders. Each view declares who may open it (``@requires`` /
``@public``); the home page is public and shows only counts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from kamscore.auth.access import current_scope, optional_scope, public, requires
from kamscore.auth.login import mark_signed_in
from kamscore.auth.sign_in_flow import sign_in, sign_out
from kamscore.db.session import get_session
from kamscore.directory.listings import (
    PageOutOfRange,
    account_directory,
    kam_directory,
    kam_profile,
    overview,
    team_directory,
)
from kamscore.web.error_texts import error_name, error_text
from kamscore.web.forms import SignInForm, SignOutForm
from kamscore.web.paging import page_number

bp = Blueprint("web", __name__, template_folder="templates",
               static_folder="static/web", static_url_path="/static/web")

PER_PAGE = {"kams": 50, "teams": 20, "accounts": 50}

bp.add_app_template_global(error_name, "error_name")
bp.add_app_template_global(error_text, "error_text")


@bp.get("/")
@public("the home page shows counts only")
def home() -> str:
    return render_template("web/home.html", overview=overview(get_session()))


@bp.get("/kams")
@requires("directory.read")
def kams() -> str:
    try:
        page = kam_directory(get_session(), page=page_number(), per_page=PER_PAGE["kams"])
    except PageOutOfRange as exc:
        abort(404, description=str(exc))
    return render_template("web/kams.html", page=page)


@bp.get("/kams/<code>")
@requires("directory.read")
def kam(code: str) -> str:
    profile = kam_profile(get_session(), code, accounts_scope=optional_scope("accounts.read"))
    if profile is None:
        abort(404, description=_("There is nobody with the code %(code)s.", code=code))
    return render_template("web/kam.html", kam=profile)


@bp.get("/teams")
@requires("directory.read")
def teams() -> str:
    try:
        page = team_directory(get_session(), page=page_number(), per_page=PER_PAGE["teams"])
    except PageOutOfRange as exc:
        abort(404, description=str(exc))
    return render_template("web/teams.html", page=page)


@bp.get("/accounts")
@requires("accounts.read")
def accounts() -> str:
    try:
        directory = account_directory(
            get_session(), current_scope(), segment=request.args.get("segment") or None,
            type=request.args.get("type") or None, page=page_number(),
            per_page=PER_PAGE["accounts"],
        )
    except ValueError as exc:  # an unknown segment or type (PageOutOfRange is a LookupError)
        abort(400, description=str(exc))
    except PageOutOfRange as exc:
        abort(404, description=str(exc))
    return render_template("web/accounts.html", directory=directory)


@bp.route("/sign-in", methods=["GET", "POST"])
@public("signing in")
def login() -> Any:
    form = SignInForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = sign_in(form.username.data or "", form.password.data or "")
        if user is not None:
            login_user(user)
            mark_signed_in()
            refresh()  # the page's language is now the user's own (kamscore.web.language)
            flash(_("Signed in as %(name)s.", name=user.name), "success")
            return redirect(safe_next(form.next.data) or url_for("web.home"))
        form.password.errors.append(_("Unknown username or wrong password."))
    status = 400 if request.method == "POST" else 200
    return render_template("web/login.html", form=form), status


@bp.post("/sign-out")
@public("signing out ends the caller's own sessions, if any")
def logout() -> Response:
    form = SignOutForm()
    if not form.validate_on_submit():
        abort(400, description=_("The sign-out form expired; please try again."))
    if current_user.is_authenticated:
        sign_out(current_user._get_current_object())
    logout_user()
    flash(_("Signed out."), "info")
    return redirect(url_for("web.home"))


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an absolute URL to somewhere else."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target

