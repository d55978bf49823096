"""Pages for pay: score runs and a KAM's statement (what-if: ``whatif_pages``; rulesets:
``ruleset_pages``).

- ``/scoring/`` — the comp team sees the score runs, a manager the runs with his teams'
  lines, a KAM his own statements;
- ``/scoring/runs/<id>`` — a run's totals and its KAMs (paged, searchable), CSV download;
- ``/scoring/runs/<id>/statements/<kam>`` — a statement, written for the KAM: every
  component, where its value came from, which tier or curve segment applied, the factor,
  the contribution, gates, and each step to the payout (visible to that KAM, his manager,
  the comp team and auditors: ``pay.read``);

Views declare who may open them (``kamscore.auth.access``), parse the request, call one
scoring service with the caller's scope and render.
"""

from __future__ import annotations

import io
import math

from flask import (
    Blueprint,
    Flask,
    abort,
    render_template,
    request,
)
from werkzeug.wrappers import Response

from kamscore.audit.log import record
from kamscore.auth.access import current_scope, current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.scoring import statements
from kamscore.scoring.errors import ScoringError
from kamscore.scoring.explain import explain, units_of
from kamscore.scoring.run_store import get_visible_run, line_summaries, list_runs, person_lines
from kamscore.web.nav import add_nav_item
from kamscore.web.paging import page_number

bp = Blueprint("scoring_pages", __name__, url_prefix="/scoring", template_folder="templates",
               static_folder="static/scoring", static_url_path="/static/scoring")

PER_PAGE = 50


def init_app(app: Flask) -> None:
    add_nav_item(app, "scoring_pages.home", "Pay",
                 also=("scoring_pages.run", "scoring_pages.statement"))


def _not_found(exc: ScoringError) -> None:
    """The page's answer to a refused read: 404, 403 or 400 (the error's own status)."""
    abort(exc.status if exc.status in (403, 404) else 400, description=exc.message)


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
                               everything=scope.everything)
    mine = person_lines(session, person_id) if person_id is not None else []
    return render_template("scoring/mine.html", lines=mine)


@bp.get("/runs/<int:run_id>")
@requires("runs.read")
def run(run_id: int) -> str:
    session = get_session()
    scope = current_scope()
    page = page_number()
    search = request.args.get("q", "").strip()[:80] or None
    try:
        summary = statements.run_summary(session, get_visible_run(session, run_id, scope),
                                         scope)
    except ScoringError as exc:
        _not_found(exc)
    lines, total = line_summaries(session, run_id, scope=scope, offset=(page - 1) * PER_PAGE,
                                  limit=PER_PAGE, search=search)
    pages = max(1, math.ceil(total / PER_PAGE))
    if page > pages:
        abort(404, description=f"page {page} is past the last page ({pages})")
    return render_template("scoring/run.html", run=summary, lines=lines, total=total,
                           page=page, pages=pages, search=search or "")


@bp.get("/runs/<int:run_id>/statements.csv")
@requires("runs.read")
def run_csv(run_id: int) -> Response:
    buffer = io.StringIO()
    session = get_session()
    try:
        count = statements.write_csv(session, run_id, buffer, current_scope())
    except ScoringError as exc:
        _not_found(exc)
    record(session, current_user_of_request(), "export.pay", "run", run_id, format="csv",
           lines=count)
    session.commit()
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="run-{run_id}-statements.csv"'})


@bp.get("/runs/<int:run_id>/statements/<kam>")
@requires("pay.read")
def statement(run_id: int, kam: str) -> str:
    user = current_user_of_request()
    own = user.person is not None and user.person.code == kam
    try:
        found = statements.statement(get_session(), run_id, kam, current_scope())
    except ScoringError as exc:
        _not_found(exc)
    return render_template("scoring/statement.html", s=found,
                           e=explain(found, units_of(found["run"]["metrics"])), own=own,
                           reader=current_scope().everything)


