"""The respondent's pages: the link, the questionnaire page by page, thanks, opt-out.

- ``GET /s/<token>`` exchanges the link's token for the session (a signed cookie holding
  the invitation ids this browser may answer) and redirects to ``/survey/<id>``, a URL without
  the token, so the token does not linger in the history, in Referer headers or in logs.
- ``/survey/<id>`` shows the current page; ``POST`` validates it (errors next to the fields,
  a summary with links at the top, focus on the first error), saves it and moves on.
- Unknown links are counted per client (the ``survey_link`` throttle): after too many, 429.
No IP address, user agent or time of day goes into any response; see docs/surveys.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from kamscore.auth.access import public
from kamscore.auth.web_throttle import app_throttle, rule
from kamscore.db.session import get_session
from kamscore.surveys import answering, mailing
from kamscore.surveys.answering import Action, AlreadySubmitted, LinkCheck, LinkState, NotAnswerable
from kamscore.surveys.answers import InvalidAnswers
from kamscore.surveys.i18n import format_instant, language_name, pick_language, ui_text
from kamscore.web.base_form import Form
from kamscore.web.survey_forms import build_form, localise_errors, values_of

log = logging.getLogger(__name__)
bp = Blueprint("survey_pages", __name__, template_folder="templates",
               static_folder="static/surveys", static_url_path="/survey-static")

SESSION_KEY = "survey_access"  # invitation ids this browser may answer
LANGUAGE_KEY = "survey_language"  # chosen language per invitation id
MAX_OPEN = 20  # invitation ids kept in one session (a colleague rating many KAMs)
STATE_STATUS = {LinkState.UNKNOWN: 404, LinkState.USED: 410, LinkState.CLOSED: 410,
                LinkState.NOT_OPEN: 403}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@bp.app_template_global()
def survey_text(key: str, language: str, **values: Any) -> str:
    return ui_text(key, language, **values)


# --- the link ---------------------------------------------------------------------------
@bp.get("/s/<token>")
@public("a respondent's single-use link is his credential")
def follow(token: str) -> Any:
    blocked = _blocked()
    if blocked is not None:
        return blocked
    check = answering.follow_link(get_session(), token, _now())
    if check.state is LinkState.UNKNOWN:
        return _miss()
    if check.state is not LinkState.OK:
        return _state_page(check)
    ids = [i for i in session.get(SESSION_KEY, []) if i != check.invitation_id]
    session[SESSION_KEY] = [*ids, check.invitation_id][-MAX_OPEN:]
    return redirect(url_for(".page", invitation_id=check.invitation_id))


@bp.route("/s/<token>/opt-out", methods=["GET", "POST"])
@public("a respondent's single-use link is his credential")
def opt_out(token: str) -> Any:
    blocked = _blocked()
    if blocked is not None:
        return blocked
    db = get_session()
    check = answering.follow_link(db, token, _now())
    if check.state is LinkState.UNKNOWN:
        return _miss()
    language = _language(check.invitation_id, check.language)
    form = Form()
    if request.method == "POST" and form.validate_on_submit():
        mailing.opt_out(db, token, _now())
        db.commit()
        return render_template("surveys/opt_out.html", language=language, form=form, done=True,
                               email=None)
    return render_template("surveys/opt_out.html", language=language, form=form, done=False,
                           email=mailing.address_of(db, token))


# --- the questionnaire ------------------------------------------------------------------
@bp.route("/survey/<int:invitation_id>", methods=["GET", "POST"])
@public("the questionnaire of the invitation the respondent's session holds")
def page(invitation_id: int) -> Any:
    if invitation_id not in session.get(SESSION_KEY, []):
        return _session_page()
    db = get_session()
    wanted = request.args.get("lang")
    if wanted:
        _remember_language(invitation_id, wanted)
    opening = answering.open_questionnaire if request.method == "GET" \
        else answering.questionnaire
    try:
        current = opening(db, invitation_id, _now(),
                          session.get(LANGUAGE_KEY, {}).get(str(invitation_id)))
    except AlreadySubmitted:
        if request.method == "POST":  # a second tab (or window) sends answers again
            return _already_submitted(invitation_id)
        return redirect(url_for(".thanks", invitation_id=invitation_id))
    except NotAnswerable as exc:
        return _state_page(exc.check)
    if request.method == "GET":
        try:
            db.commit()  # the instant he started, on his draft
        except IntegrityError:  # a concurrent first opening recorded it first
            db.rollback()
        form, views = build_form(current)
        return _render_page(current, form, views)
    if request.form.get("section") != current.section.id:
        return redirect(url_for(".page", invitation_id=invitation_id))  # an old tab's form
    action = _action(current)
    form, views = build_form(current, request.form)
    if action is not Action.BACK and not form.validate():
        localise_errors(form, current.language)
        return _render_page(current, form, views), 422
    values = values_of(form, views) if action is not Action.BACK else {}
    try:
        outcome = answering.answer_page(db, invitation_id, current.section.id, values, action,
                                        _now(), current.language)
        db.commit()
    except InvalidAnswers as exc:
        db.rollback()
        log.warning("survey form with values no page offers: %s", exc)
        abort(400, description="These answers do not fit the questions of this page.")
    except (AlreadySubmitted, IntegrityError):
        db.rollback()
        check = answering.check_invitation(db, invitation_id, _now())
        if check.state is LinkState.OK:  # a concurrent request saved this page first
            return redirect(url_for(".page", invitation_id=invitation_id))
        if check.state is LinkState.USED:  # a concurrent request submitted first
            return _already_submitted(invitation_id)
        return _state_page(check)
    except NotAnswerable as exc:
        db.rollback()
        return _state_page(exc.check)
    if outcome.submitted:
        return redirect(url_for(".thanks", invitation_id=invitation_id))
    return redirect(url_for(".page", invitation_id=invitation_id))


def _action(current: answering.Questionnaire) -> Action:
    try:
        action = Action(request.form.get("action", "next"))
    except ValueError:
        action = Action.NEXT
    if action is Action.SUBMIT and not current.is_last:
        action = Action.NEXT
    return action


def _render_page(current: answering.Questionnaire, form: FlaskForm, views: list) -> str:
    definition = current.definition
    errors = [(view, item) for view in views for item in view.fields if item.control.errors]
    return render_template(
        "surveys/page.html", page=current, form=form, views=views, errors=errors,
        language=current.language,
        title=definition.title.render(current.language, subject=current.subject_name),
        intro=(definition.intro.render(current.language, subject=current.subject_name)
               if definition.intro and current.is_first else None),
        languages=[(lang, language_name(lang)) for lang in current.languages],
        csrf_expired=False,
    )


@bp.get("/survey/<int:invitation_id>/thanks")
@public("the thank-you page of the respondent's session")
def thanks(invitation_id: int) -> Any:
    if invitation_id not in session.get(SESSION_KEY, []):
        return _session_page()
    db = get_session()
    check = answering.check_invitation(db, invitation_id, _now())
    if check.state is not LinkState.USED:
        return redirect(url_for(".page", invitation_id=invitation_id))
    language = _language(invitation_id, check.language)
    closing = answering.thanks_text(db, invitation_id)
    text = closing.get(language) if closing else ui_text("thanks_text", language)
    return render_template("surveys/message.html", language=language,
                           heading=ui_text("thanks_title", language), text=text)


@bp.errorhandler(CSRFError)
def csrf_expired(error: CSRFError) -> Any:
    """A page left open longer than the CSRF time limit: show it again, answers kept."""
    invitation_id = (request.view_args or {}).get("invitation_id")
    if request.endpoint != "survey_pages.page" or invitation_id not in session.get(
            SESSION_KEY, []):
        return _state_page(LinkCheck(LinkState.UNKNOWN), status=400)
    db = get_session()
    opening = answering.open_questionnaire if request.method == "GET" \
        else answering.questionnaire
    try:
        current = opening(db, invitation_id, _now(),
                          session.get(LANGUAGE_KEY, {}).get(str(invitation_id)))
    except (AlreadySubmitted, NotAnswerable):
        return redirect(url_for(".page", invitation_id=invitation_id))
    form, views = build_form(current, request.form)
    html = render_template(
        "surveys/page.html", page=current, form=form, views=views, errors=[],
        language=current.language,
        title=current.definition.title.render(current.language, subject=current.subject_name),
        intro=None, languages=[(lang, language_name(lang)) for lang in current.languages],
        csrf_expired=True,
    )
    return html, 400


# --- helpers ----------------------------------------------------------------------------
def _remember_language(invitation_id: int, wanted: str) -> None:
    chosen = dict(session.get(LANGUAGE_KEY, {}))
    chosen[str(invitation_id)] = wanted[:10]
    session[LANGUAGE_KEY] = chosen


def _language(invitation_id: int | None, default: str) -> str:
    if invitation_id is None:
        return pick_language(request.accept_languages.best, ("en", "zh-Hant"))
    return session.get(LANGUAGE_KEY, {}).get(str(invitation_id)) or default


def _blocked() -> Any:
    if app_throttle().retry_after(rule("survey_link"), request.remote_addr, _now()) is None:
        return None
    get_session().rollback()
    return _too_many()


def _miss() -> Any:
    """Count an unknown link for this client; 404 page, or 429 once over the limit."""
    count = app_throttle().fail(rule("survey_link"), request.remote_addr, _now(),
                                f"survey link matches no invitation: {request.endpoint}")
    get_session().commit()
    if count >= current_app.config["SURVEY_LINK_MISS_LIMIT"]:
        return _too_many()
    return _state_page(LinkCheck(LinkState.UNKNOWN))


def _too_many() -> Response:
    language = _language(None, "en")
    minutes = max(1, current_app.config["SURVEY_LINK_MISS_WINDOW"] // 60)
    html = render_template("surveys/message.html", language=language,
                           heading=ui_text("too_many_title", language),
                           text=ui_text("too_many_text", language, minutes=minutes))
    response = Response(html, status=429)
    response.headers["Retry-After"] = str(current_app.config["SURVEY_LINK_MISS_WINDOW"])
    return response


def _state_page(check: LinkCheck, status: int | None = None) -> Any:
    language = _language(check.invitation_id, check.language)
    key = {LinkState.UNKNOWN: "unknown", LinkState.USED: "used", LinkState.CLOSED: "closed",
           LinkState.NOT_OPEN: "not_open"}[check.state]
    values = {}
    if check.state is LinkState.CLOSED and check.closes_at:
        values["date"] = format_instant(check.closes_at, language, check.timezone)
    if check.state is LinkState.NOT_OPEN and check.opens_at:
        values["date"] = format_instant(check.opens_at, language, check.timezone)
    html = render_template("surveys/message.html", language=language,
                           heading=ui_text(f"{key}_title", language),
                           text=ui_text(f"{key}_text", language, **values))
    return html, status or STATE_STATUS[check.state]


def _already_submitted(invitation_id: int) -> Any:
    """Answers sent for an invitation that was submitted before (another tab, a double
    click): they are not recorded, and the page says so rather than thanking for them."""
    check = answering.check_invitation(get_session(), invitation_id, _now())
    language = _language(invitation_id, check.language)
    html = render_template("surveys/message.html", language=language,
                           heading=ui_text("used_title", language),
                           text=ui_text("already_submitted_text", language))
    return html, STATE_STATUS[LinkState.USED]


def _session_page() -> Any:
    language = _language(None, "en")
    html = render_template("surveys/message.html", language=language,
                           heading=ui_text("session_title", language),
                           text=ui_text("session_text", language))
    return html, 403
