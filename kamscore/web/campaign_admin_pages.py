"""Survey administrators run campaigns here: create one from a definition, preview each page
in each language, launch, remind now, extend, close early (``campaigns.manage``).

``/campaigns/manage/new`` creates a draft; ``/campaigns/manage/<code>`` shows its live
completion by rater group, the reminders planned and sent, the nominations still short (a
360° with nominated raters) and the buttons of the steps its state allows. The preview,
``/campaigns/manage/<code>/preview/<page>?lang=zh-Hant``, renders the respondents' own page
template and writes nothing. Every step that changes something is audited by its service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kamscore.auth.access import current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.mail.sending import get_mailer
from kamscore.models import NOMINATED_GROUPS
from kamscore.surveys import campaign_admin, mailing
from kamscore.surveys.campaigns import CampaignSpec, close_campaign, create_campaign
from kamscore.surveys.errors import NotFound, SurveyError
from kamscore.surveys.i18n import language_name
from kamscore.surveys.mailing import SendSummary
from kamscore.web.campaign_admin_forms import ButtonForm, ExtendForm, NewCampaignForm
from kamscore.web.nav import add_nav_item
from kamscore.web.survey_forms import build_form

bp = Blueprint("campaign_admin_pages", __name__, url_prefix="/campaigns/manage",
               template_folder="templates")


def init_app(app: Flask) -> None:
    add_nav_item(app, "campaign_admin_pages.new", "New campaign",
                 also=("campaign_admin_pages.campaign",))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor() -> str:
    return current_user_of_request().username


@bp.route("/new", methods=["GET", "POST"])
@requires("campaigns.manage")
def new() -> Any:
    session = get_session()
    form = NewCampaignForm()
    form.offer(campaign_admin.catalogue(current_app.config.get("SURVEYS_DIR")),
               campaign_admin.population_choices(session))
    if request.method == "GET":
        form.languages.data = [c.value for c in form.languages.choices]  # type: ignore[union-attr]
        minimum = current_app.config["SURVEY_MIN_GROUP"]
        form.min_peer.data = form.min_cross_functional.data = minimum
        form.min_manager.data, form.min_direct_report.data = 1, 0
    if not form.validate_on_submit():
        return render_template("campaigns/manage_new.html", form=form), (
            422 if request.method == "POST" else 200)
    try:
        spec = CampaignSpec(
            code=form.code.data.strip(), survey=form.survey.data, period=form.period.data,
            name=form.name.data or None, opens_at=form.instant(form.opens_at),
            closes_at=form.instant(form.closes_at), timezone=form.timezone.data,
            accounts=form.accounts.data or None, teams=form.teams.data or None,
            languages=form.languages.data, reminder_days_before_close=form.reminder_offsets(),
            raters_nominated=form.raters.data == "nominations",
            nomination_minimums=form.minimums(), created_by=_actor(),
            surveys_dir=current_app.config.get("SURVEYS_DIR"),
        )
        campaign = create_campaign(session, spec)
        session.commit()
    except SurveyError as exc:
        session.rollback()
        _field_error(form, exc)
        return render_template("campaigns/manage_new.html", form=form), 422
    flash(_("Draft campaign %(code)s created: preview it, then launch it.", code=campaign.code),
          "success")
    return redirect(url_for(".campaign", code=campaign.code))


def _field_error(form: NewCampaignForm, exc: SurveyError) -> None:
    names = {"kams": "teams", "reminder_days_before_close": "reminder_days",
             "nomination_minimums": "min_peer"}
    field = getattr(form, names.get(exc.field or "", exc.field or ""), None)
    if field is None or not hasattr(field, "errors"):
        field = form.submit
    field.errors = [*list(field.errors or []), exc.message, *exc.problems]


@bp.get("/<code>")
@requires("campaigns.manage")
def campaign(code: str) -> str:
    try:
        state = campaign_admin.campaign_state(get_session(), code)
    except NotFound as exc:
        abort(404, description=exc.message)
    local = state.campaign.closes_at.astimezone(ZoneInfo(state.campaign.timezone))
    extend = ExtendForm(formdata=None, closes_at=(local + dt.timedelta(days=7)).replace(
        tzinfo=None))
    return render_template("campaigns/manage.html", s=state, extend=extend,
                           button=ButtonForm(formdata=None), groups=NOMINATED_GROUPS,
                           language_name=language_name)


def _step(code: str, done: str, step: Any) -> Response:
    """Run one step of a campaign's life; flash its outcome and go back to the campaign."""
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))
    session = get_session()
    try:
        outcome = step(session)
        session.commit()
    except SurveyError as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".campaign", code=code))
    if isinstance(outcome, SendSummary):
        outcome = _("%(sent)s sent, %(failed)s failed, %(skipped)s skipped, %(already)s sent "
                    "before", sent=outcome.sent, failed=outcome.failed,
                    skipped=outcome.skipped, already=outcome.already)
    flash(done % {"outcome": outcome}, "success")
    return redirect(url_for(".campaign", code=code))


@bp.post("/<code>/launch")
@requires("campaigns.manage")
def launch(code: str) -> Response:
    return _step(code, _("Launched: invitations %(outcome)s."),
                 lambda session: mailing.open_and_invite(
        session, code, get_mailer(current_app), base_url=current_app.config["PUBLIC_BASE_URL"],
        now=_now(), actor=_actor()))


@bp.post("/<code>/remind")
@requires("campaigns.manage")
def remind(code: str) -> Response:
    return _step(code, _("Reminder sent: %(outcome)s."), lambda session: campaign_admin.remind_now(
        session, code, get_mailer(current_app), base_url=current_app.config["PUBLIC_BASE_URL"],
        now=_now(), actor=_actor()))


@bp.post("/<code>/close")
@requires("campaigns.manage")
def close(code: str) -> Response:
    return _step(code, _("Closed: the campaign takes no more answers."),
                 lambda session: close_campaign(session, code, _now(), _actor()))


@bp.post("/<code>/extend")
@requires("campaigns.manage")
def extend(code: str) -> Response:
    session = get_session()
    form = ExtendForm()
    if not form.validate_on_submit():
        flash(_("Give the new closing time as a date and a time."), "error")
        return redirect(url_for(".campaign", code=code))
    try:
        campaign_admin.extend_campaign(session, code, form.closes_at.data, _now(), _actor())
        session.commit()
    except SurveyError as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".campaign", code=code))
    flash(_("Extended: the campaign closes later, and its reminders move with the close."),
          "success")
    return redirect(url_for(".campaign", code=code))


@bp.route("/<code>/preview/<int:page>", methods=["GET", "POST"])
@requires("campaigns.manage")
def preview(code: str, page: int) -> Any:
    language = request.args.get("lang")
    try:
        current = campaign_admin.preview(get_session(), code, language, page)
    except NotFound as exc:
        abort(404, description=exc.message)
    lang = current.language
    count = len(current.shown)
    if request.method == "POST":
        form, views = build_form(current, request.form)
        action = request.form.get("action", "next")
        if action == "back":
            return redirect(url_for(".preview", code=code, page=max(1, page - 1), lang=lang))
        if form.validate():
            if page < count:
                return redirect(url_for(".preview", code=code, page=page + 1, lang=lang))
            flash(_("End of the preview: a respondent would have submitted here. Nothing was "
                    "saved."), "success")
            return redirect(url_for(".campaign", code=code))
    else:
        form, views = build_form(current)
    definition = current.definition
    errors = [(view, item) for view in views for item in view.fields if item.control.errors]
    html = render_template(
        "surveys/page.html", page=current, form=form, views=views, errors=errors,
        language=lang, csrf_expired=False,
        title=definition.title.render(lang, subject=current.subject_name),
        intro=(definition.intro.render(lang, subject=current.subject_name)
               if definition.intro and current.is_first else None),
        languages=[(code_, language_name(code_)) for code_ in current.languages],
        preview={"action": url_for(".preview", code=code, page=page, lang=lang),
                 "back": url_for(".campaign", code=code),
                 "pages": [(n, url_for(".preview", code=code, page=n, lang=lang))
                           for n in range(1, count + 1)]},
    )
    return html, 422 if errors else 200
