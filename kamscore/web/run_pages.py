"""Pages of score runs: list, run a period, a run's page, corrections, comparison, close
(sign-off), payroll export and a KAM's statement.

- ``/scoring/`` — the comp team sees the score runs, a manager the runs with his teams'
  lines, a KAM his own statements;
- ``/scoring/runs/new`` — an analyst runs a period with a published ruleset: the run is a
  background job (``kamscore.background.score_runs``) whose page, ``/scoring/run-jobs/<id>``,
  shows its progress (refreshed by ``runs.js``, or by the page's own refresh without
  JavaScript) and leads to the run, or says why it failed;
- ``/scoring/runs/<id>`` — totals, payout distribution, cost by team and variant, the KAMs
  not paid and why, every KAM's line (sortable, paged, searchable), the statements CSV;
- ``/scoring/runs/<id>/correct`` — a correction: a new run naming this one, with a reason;
- ``/scoring/runs/compare?a=&b=`` — two runs side by side;
- ``/scoring/periods/<code>/close`` — an approver closes the period: the sign-off;
- ``/scoring/runs/<id>/payroll.csv|.xlsx`` — the payroll of a signed-off run;
- ``/scoring/runs/<id>/statements/<kam>`` — a statement, read like a pay slip (printable).

Views declare who may open them (``kamscore.auth.access``), parse the request, call one
service with the caller's scope and render.
"""

from __future__ import annotations

import io
import logging
import math
import time
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from kamscore.audit.log import record
from kamscore.auth.access import current_scope, current_user_of_request, requires
from kamscore.auth.roles import reaches
from kamscore.background.progress import live_progress
from kamscore.background.queue import get_queue
from kamscore.background.records import fail_job, visible_job
from kamscore.background.score_runs import TASK, new_score_run_job, score_run_params
from kamscore.db.session import get_session
from kamscore.models import BackgroundJob, JobState
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import holds, statement_queries, statements
from kamscore.scoring.errors import ScoringError
from kamscore.scoring.explain import explain, units_of
from kamscore.scoring.group_labels import version_titles
from kamscore.scoring.lifecycle import get_version
from kamscore.scoring.payroll import export_payroll, sign_off_correction
from kamscore.scoring.periods import close_period
from kamscore.scoring.run_compare import compare_runs
from kamscore.scoring.run_report import SORTS, run_choices, run_overview
from kamscore.scoring.run_store import get_visible_run, list_runs, person_lines
from kamscore.scoring.runs import STAGES
from kamscore.web import engine_words, plan_texts
from kamscore.web.nav import add_nav_item
from kamscore.web.paging import page_number
from kamscore.web.plan_texts import localized_statement, plan_text
from kamscore.web.query_forms import RaiseQueryForm, ResolveForm
from kamscore.web.run_charts import payout_chart
from kamscore.web.run_forms import CloseForm, CorrectionForm, RunForm
from kamscore.web.stored_words import word

log = logging.getLogger(__name__)

bp = Blueprint("run_pages", __name__, url_prefix="/scoring", template_folder="templates",
               static_folder="static/runs", static_url_path="/static/runs")

PER_PAGE = 50
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def init_app(app: Flask) -> None:
    engine_words.init_app(app)
    plan_texts.init_app(app)
    add_nav_item(app, "run_pages.home", "Pay",
                 also=("run_pages.run", "run_pages.statement", "run_pages.new_run",
                       "run_pages.run_job", "run_pages.correct", "run_pages.compare"))


def _refused(exc: ScoringError) -> None:
    """The page's answer to a refused read: 404, 403 or 400 (the error's own status)."""
    abort(exc.status if exc.status in (403, 404) else 400, description=exc.message)


def _may(permission: str) -> bool:
    user = current_user_of_request()
    return bool(reaches(user.role_names, permission, current_app.config))


@bp.get("/")
@requires("pay.read")
def home() -> str:
    session = get_session()
    scope = current_scope()
    person_id = current_user_of_request().person_id
    if scope.everything or scope.person_ids - {person_id}:
        found, total = list_runs(session, scope=scope, limit=100)
        summaries = [statements.run_summary(session, run, scope) for run in found]
        return render_template("scoring/runs.html", runs=summaries, total=total,
                               everything=scope.everything, may_run=_may("runs.create"))
    mine = person_lines(session, person_id) if person_id is not None else []
    return render_template("scoring/mine.html", lines=mine)


# -- running a period (a background job) ----------------------------------------------------------


def _queue_run(params: dict[str, Any]) -> Response:
    """Queue a score-run job and go to its page (or say that the queue is down)."""
    session = get_session()
    job = new_score_run_job(session, current_user_of_request(), params)
    session.commit()
    queue = get_queue()
    try:
        queue.enqueue(TASK, job.id)
    except Exception:
        log.exception("cannot queue score run job %s on %s", job.id, queue.describe())
        fail_job(session, job.id, 503, _("The task queue did not answer; nothing was run. Try "
                                         "again later, or ask an operator to start "
                                         "`kamscore worker`."))
        session.commit()
    return redirect(url_for(".run_job", job_id=job.id), code=303)


@bp.route("/runs/new", methods=["GET", "POST"])
@requires("runs.create")
def new_run() -> str | Response:
    periods, rulesets = run_choices(get_session())
    form = RunForm()
    form.period.choices = [SelectChoice(p.code, p.code) for p in periods]
    pm = get_plugin_manager()
    form.ruleset.choices = [
        SelectChoice(v.name, _("%(name)s v%(version)s: %(title)s", name=v.name,
                               version=v.version,
                               title=plan_text(v.title or v.name, version_titles(v, pm))))
        for v in rulesets]
    if form.validate_on_submit():
        return _queue_run(score_run_params(period=form.period.data, ruleset=form.ruleset.data))
    return render_template("scoring/run_new.html", form=form,
                           empty=not periods or not rulesets), 400 if form.errors else 200


def _job_or_404(job_id: str) -> BackgroundJob:
    job = visible_job(get_session(), job_id, current_user_of_request())
    if job is None or job.task != TASK:
        abort(404, description=_("There is no score run job %(job)s.", job=job_id))
    return job


def _job_state(job: BackgroundJob) -> dict[str, Any]:
    """What the job page and its JSON say of a score-run job."""
    state: dict[str, Any] = {"state": job.state.value, "stage": None, "stage_text": None,
                             "step": 0,
                             "steps": len(STAGES), "run_url": None, "error": None}
    if job.state is JobState.RUNNING:
        try:
            published = get_queue().progress(job.id)
        except Exception:  # the queue's store is down: the state is still worth showing
            published = None
        progress = live_progress(published, time.time())
        stage = (published or {}).get("stage")
        state.update(step=progress["rows_done"], stage=stage,
                     stage_text=word(stage or "starting", "stage"))
    elif job.state is JobState.DONE:
        state.update(step=len(STAGES),
                     run_url=url_for(".run", run_id=job.result["run_id"]))
    elif job.state is JobState.FAILED and job.error:
        state["error"] = job.error["message"]
    return state


@bp.get("/run-jobs/<job_id>")
@requires("runs.create")
def run_job(job_id: str) -> str | Response:
    job = _job_or_404(job_id)
    state = _job_state(job)
    if state["run_url"] and request.args.get("stay") is None:
        return redirect(state["run_url"], code=303)
    return render_template("scoring/run_job.html", job=job, state=state, stages=STAGES)


@bp.get("/run-jobs/<job_id>.json")
@requires("runs.create")
def run_job_json(job_id: str) -> Response:
    return jsonify(_job_state(_job_or_404(job_id)))


# -- a run ----------------------------------------------------------------------------------------


@bp.get("/runs/<int:run_id>")
@requires("runs.read")
def run(run_id: int) -> str:
    page = page_number()
    search = request.args.get("q", "").strip()[:80] or None
    sort = request.args.get("sort", "code")
    sort = sort if sort in SORTS else "code"
    try:
        overview = run_overview(get_session(), run_id, current_scope(), sort=sort,
                                offset=(page - 1) * PER_PAGE, limit=PER_PAGE, search=search,
                                pm=get_plugin_manager())
    except ScoringError as exc:
        _refused(exc)
    pages = max(1, math.ceil(overview.matching / PER_PAGE))
    if page > pages:
        abort(404, description=_("Page %(page)s is past the last page (%(pages)s).", page=page,
                                     pages=pages))
    return render_template(
        "scoring/run.html", o=overview, run=overview.summary, page=page, pages=pages,
        search=search or "", sort=sort, chart=payout_chart(overview.bins,
                                                           overview.summary["currency"]),
        may_correct=_may("runs.create"), may_close=_may("periods.close"),
        may_export=_may("payroll.export"), close_form=CloseForm())


@bp.get("/runs/<int:run_id>/statements.csv")
@requires("runs.read")
def run_csv(run_id: int) -> Response:
    buffer = io.StringIO()
    session = get_session()
    try:
        count = statements.write_csv(session, run_id, buffer, current_scope())
    except ScoringError as exc:
        _refused(exc)
    record(session, current_user_of_request(), "export.pay", "run", run_id, format="csv",
           lines=count)
    session.commit()
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="run-{run_id}-statements.csv"'})


@bp.route("/runs/<int:run_id>/correct", methods=["GET", "POST"])
@requires("runs.create")
def correct(run_id: int) -> str | Response | tuple[str, int]:
    session = get_session()
    try:
        summary = statements.run_summary(session, get_visible_run(session, run_id,
                                                                  current_scope()),
                                         current_scope())
    except ScoringError as exc:
        _refused(exc)
    form = CorrectionForm()
    if form.validate_on_submit():
        return _queue_run(score_run_params(period=summary["period"],
                                           ruleset=summary["ruleset"], correction_of=run_id,
                                           reason=form.reason.data))
    return render_template("scoring/run_correct.html", run=summary,
                           form=form), 400 if form.errors else 200


@bp.get("/runs/compare")
@requires("runs.read")
def compare() -> str:
    try:
        a, b = int(request.args.get("a", "")), int(request.args.get("b", ""))
    except ValueError:
        abort(400, description=_("Compare two runs: ?a=<run id>&b=<run id>"))
    session = get_session()
    try:
        comparison = compare_runs(session, a, b, current_scope())
        version = get_version(session, comparison.b["ruleset"],
                              comparison.b["ruleset_version"])
    except ScoringError as exc:
        _refused(exc)
    return render_template("scoring/run_compare.html", c=comparison,
                           titles=version_titles(version, get_plugin_manager()))


@bp.post("/periods/<code>/close")
@requires("periods.close")
def close(code: str) -> Response:
    form = CloseForm()
    back = request.form.get("run_id", "")
    target = (url_for(".run", run_id=int(back)) if back.isdigit() else url_for(".home"))
    if not form.validate_on_submit():
        flash(_("The period was not closed: tick the box to confirm that the payouts are "
                "final."), "error")
        return redirect(target + "#close", code=303)
    try:
        close_period(get_session(), code, user=current_user_of_request().username)
    except ScoringError as exc:
        flash(_("The period was not closed: %(why)s", why=exc.message), "error")
        return redirect(target + "#close", code=303)
    flash(_("Period %(period)s is closed and signed off: its payouts are final, and payroll "
            "can be exported.", period=code), "success")
    return redirect(target, code=303)


@bp.post("/runs/<int:run_id>/sign-off")
@requires("periods.close")
def sign_off(run_id: int) -> Response:
    form = CloseForm()
    target = url_for(".run", run_id=run_id)
    if not form.validate_on_submit():
        flash(_("Not signed off: tick the box to confirm that the payouts are final."), "error")
        return redirect(target + "#close", code=303)
    try:
        sign_off_correction(get_session(), run_id, user=current_user_of_request().username)
    except ScoringError as exc:
        if exc.status == 404:
            _refused(exc)
        flash(_("Not signed off: %(why)s", why=exc.message), "error")
        return redirect(target + "#close", code=303)
    flash(_("Run %(id)s is signed off: payroll can be exported.", id=run_id), "success")
    return redirect(target, code=303)


@bp.get("/runs/<int:run_id>/payroll.<any(csv, xlsx):file_format>")
@requires("payroll.export")
def payroll(run_id: int, file_format: str) -> Response:
    session = get_session()
    try:
        sheet, data = export_payroll(session, run_id, user=current_user_of_request(),
                                     file_format=file_format, pm=get_plugin_manager())
    except ScoringError as exc:
        if exc.status != 409:
            _refused(exc)
        flash(_("No payroll export: %(why)s", why=exc.message), "error")
        return redirect(url_for(".run", run_id=run_id) + "#payroll", code=303)
    session.commit()
    mimetype = "text/csv" if file_format == "csv" else MIME_XLSX
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{sheet.filename}.{file_format}"'})


@bp.get("/runs/<int:run_id>/statements/<kam>")
@requires("pay.read")
def statement(run_id: int, kam: str) -> str:
    user = current_user_of_request()
    own = user.person is not None and user.person.code == kam
    session = get_session()
    try:
        found = statements.statement(session, run_id, kam, current_scope(),
                                     pm=get_plugin_manager())
    except ScoringError as exc:
        _refused(exc)
    titles = found.get("titles") or {}
    found = localized_statement(found, titles)
    form = RaiseQueryForm()
    form.line.choices = [SelectChoice(key, plan_text(title)) for key, title
                         in statement_queries.statement_lines(found).items()]
    return render_template("scoring/statement.html", s=found, titles=titles,
                           e=explain(found, units_of(found["run"]["metrics"])), own=own,
                           reader=current_scope().everything,
                           slip=statements.pay_slip(found),
                           queries=statement_queries.queries_on_statement(
                               session, run_id, kam, current_scope()),
                           raise_form=form, resolve_form=ResolveForm(),
                           holds=holds.holds_on_statement(session, run_id, kam))
