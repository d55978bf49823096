"""Pages for the people who run surveys: campaigns with live response rates, a campaign's
results, one account's or KAM's results, and the CSV export of the aggregates.

Every page needs ``campaigns.read`` (survey administrators, auditors, admins). Views parse the
request, call one service of ``kamscore.surveys.reports`` and render; the charts are drawn
by ``campaign_charts``.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from kamscore.audit.log import record
from kamscore.auth.access import current_user_of_request, optional_scope, requires
from kamscore.db.session import get_session
from kamscore.surveys.aggregate_store import Minimums
from kamscore.surveys.campaigns import get_campaign
from kamscore.surveys.catalog import definition_of
from kamscore.surveys.errors import Conflict, NotFound
from kamscore.surveys.measures import labels_in_language
from kamscore.surveys.reports import (
    aggregates_csv,
    campaign_overview,
    campaign_results,
    subject_results,
)
from kamscore.web import campaign_charts, survey_titles
from kamscore.web.language import page_language
from kamscore.web.nav import add_nav_item
from kamscore.web.paging import page_number
from kamscore.web.stored_words import GENERIC_SUBJECTS

bp = Blueprint("campaign_pages", __name__, url_prefix="/campaigns", template_folder="templates",
               static_folder="static/campaigns", static_url_path="/static/campaigns")

SUBJECTS_PER_PAGE = 50


def init_app(app: Flask) -> None:
    add_nav_item(app, "campaign_pages.campaigns", "Campaigns",
                 also=("campaign_pages.results", "campaign_pages.subject"))
    campaign_charts.init_app(app)
    survey_titles.init_app(app)


def _minimums() -> Minimums:
    return Minimums.from_config(current_app.config)


def _labels(code: str) -> dict[str, str]:
    """The campaign's question and scale labels in the page's language (by English label)."""
    version = get_campaign(get_session(), code).survey_version
    subject = GENERIC_SUBJECTS.get(version.kind.value)
    return labels_in_language(definition_of(version), page_language(),
                              str(subject) if subject is not None else "")


@bp.get("/")
@requires("campaigns.read")
def campaigns() -> str:
    return render_template("campaigns/list.html", campaigns=campaign_overview(get_session()),
                           can_manage=optional_scope("campaigns.manage") is not None)


@bp.get("/<code>/results")
@requires("campaigns.read")
def results(code: str) -> str:
    try:
        found = campaign_results(get_session(), code, _minimums(), page=page_number(),
                                 per_page=SUBJECTS_PER_PAGE)
    except NotFound as exc:
        abort(404, description=exc.message)
    return render_template("campaigns/results.html", r=found, labels=_labels(code),
                           can_manage=optional_scope("campaigns.manage") is not None)


@bp.get("/<code>/results/<subject>")
@requires("campaigns.read")
def subject(code: str, subject: str) -> str | Response:
    try:
        found = subject_results(get_session(), code, subject, _minimums())
    except NotFound as exc:
        abort(404, description=exc.message)
    except Conflict:
        return redirect(url_for(".results", code=code))
    except LookupError as exc:
        abort(404, description=str(exc))
    alpha = "pairwise" if request.args.get("alpha") == "pairwise" else "listwise"
    return render_template("campaigns/subject.html", r=found, alpha=alpha, labels=_labels(code))


@bp.get("/<code>/results.csv")
@requires("campaigns.read")
def results_csv(code: str) -> Response:
    session = get_session()
    try:
        text = aggregates_csv(session, code, _minimums())
    except NotFound as exc:
        abort(404, description=exc.message)
    except Conflict as exc:
        return Response(exc.message + "\n", status=409, mimetype="text/plain")
    record(session, current_user_of_request(), "export.survey_results", "campaign", code,
           format="csv")
    session.commit()
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{code}-aggregates.csv"'})
