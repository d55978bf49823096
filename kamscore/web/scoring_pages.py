"""Pages for pay: score runs, a KAM's statement, what-if, and rulesets with comments.

- ``/scoring/`` — the comp team sees the score runs, a manager the runs with his teams'
  lines, a KAM his own statements;
- ``/scoring/runs/<id>`` — a run's totals and its KAMs (paged, searchable), CSV download;
- ``/scoring/runs/<id>/statements/<kam>`` — a statement, written for the KAM: every
  component, where its value came from, which tier or curve segment applied, the factor,
  the contribution, gates, and each step to the payout (visible to that KAM, his manager,
  the comp team and auditors: ``pay.read``);
- ``/scoring/whatif`` — a comp analyst changes weights or pastes YAML and sees the effect;
- ``/scoring/rulesets`` and ``/scoring/rulesets/<name>/<version>`` — versions, their change
  from the previous version in plan terms, and comments (KAMs comment on drafts).

Views declare who may open them (``kamscore.auth.access``), parse the request, call one
scoring service with the caller's scope and render.
"""

from __future__ import annotations

import io
import math
from typing import Any

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
from flask.views import MethodView
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from kamscore.audit.log import record
from kamscore.auth.access import current_scope, current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.models import Period, RulesetStatus
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import lifecycle, statement_queries, statements
from kamscore.scoring.errors import InvalidInputError, ScoringError
from kamscore.scoring.explain import explain, units_of
from kamscore.scoring.inputs_cache import app_inputs_cache
from kamscore.scoring.run_store import get_visible_run, line_summaries, list_runs, person_lines
from kamscore.scoring.whatif import what_if
from kamscore.web.nav import add_nav_item
from kamscore.web.paging import page_number
from kamscore.web.query_forms import RaiseQueryForm, ResolveForm
from kamscore.web.scoring_forms import CommentForm, WhatIfForm

bp = Blueprint("scoring_pages", __name__, url_prefix="/scoring", template_folder="templates",
               static_folder="static/scoring", static_url_path="/static/scoring")

PER_PAGE = 50


def init_app(app: Flask) -> None:
    add_nav_item(app, "scoring_pages.home", "Pay",
                 also=("scoring_pages.run", "scoring_pages.statement"))
    add_nav_item(app, "scoring_pages.whatif", "What-if")
    add_nav_item(app, "scoring_pages.rulesets", "Rulesets",
                 also=("scoring_pages.ruleset",))


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
    session = get_session()
    try:
        found = statements.statement(session, run_id, kam, current_scope())
    except ScoringError as exc:
        _not_found(exc)
    form = RaiseQueryForm()
    form.line.choices = [SelectChoice(key, title) for key, title
                         in statement_queries.statement_lines(found).items()]
    return render_template("scoring/statement.html", s=found,
                           e=explain(found, units_of(found["run"]["metrics"])), own=own,
                           reader=current_scope().everything,
                           queries=statement_queries.queries_on_statement(
                               session, run_id, kam, current_scope()),
                           raise_form=form, resolve_form=ResolveForm())


# -- what-if -------------------------------------------------------------------------------------


def _whatif_choices(form: WhatIfForm) -> list[Any]:
    session = get_session()
    periods = session.scalars(select(Period).order_by(Period.start_date.desc(),
                                                      Period.kind)).all()
    form.period.choices = [SelectChoice(p.code, f"{p.code} ({p.status.value})")
                           for p in periods]
    published = [v for v in lifecycle.list_versions(session)
                 if v.status is RulesetStatus.PUBLISHED]
    form.baseline.choices = [SelectChoice(v.name, f"{v.label}: {v.title or v.name}")
                             for v in published]
    return published


@bp.route("/whatif", methods=["GET", "POST"])
@requires("whatif.use")
def whatif() -> str:
    form = WhatIfForm()
    published = _whatif_choices(form)
    if not published:
        return render_template("scoring/whatif.html", whatif_form=form, report=None,
                               components=[], errors=[], empty=True)
    name = form.baseline.data or published[0].name
    baseline = next((v for v in published if v.name == name), published[0])
    parsed = lifecycle.parse_version(baseline, get_plugin_manager())
    components = [{"id": c.id, "title": c.title, "weight": round(c.scoring.weight * 100, 4)}
                  for c in parsed.components]
    if request.method == "GET":
        form.source.data = baseline.source
    report, errors = None, []
    if form.validate_on_submit():
        weights = None
        if form.mode.data == "weights":
            weights = {c["id"]: request.form.get(f"weight-{c['id']}", "").strip()
                       for c in components}
            components = [{**c, "weight": weights[c["id"]]} for c in components]
        try:
            report = what_if(
                get_session(), get_plugin_manager(), app_inputs_cache(current_app),
                period=form.period.data,
                baseline_ref=baseline.name,
                draft_source=form.source.data if form.mode.data == "yaml" else None,
                weights=weights, filename="pasted.yaml", top=10)
        except InvalidInputError as exc:
            errors = exc.problems or [exc.message]
        except ScoringError as exc:
            errors = [exc.message]
    elif request.method == "POST":
        errors = [f"{field}: {', '.join(messages)}" for field, messages in form.errors.items()]
    return render_template("scoring/whatif.html", whatif_form=form, report=report,
                           components=components, errors=errors, empty=False,
                           currency=current_app.config.get("CURRENCY"))


# -- rulesets ------------------------------------------------------------------------------------


@bp.get("/rulesets")
@requires("rulesets.read")
def rulesets() -> str:
    return render_template("scoring/rulesets.html",
                           versions=lifecycle.list_versions(get_session()))


class RulesetPage(MethodView):
    """A ruleset version (``rulesets.read``), and a comment on it (``rulesets.comment``): one
    URL, a policy per method."""

    @requires("rulesets.read")
    def get(self, name: str, version: int) -> tuple[str, int]:
        return _ruleset_page(name, version, CommentForm())

    @requires("rulesets.comment")
    def post(self, name: str, version: int) -> tuple[str, int] | Response:
        form = CommentForm()
        if form.validate_on_submit():
            user = current_user_of_request()
            try:
                lifecycle.add_comment(get_session(), name, version, author=user.username,
                                      body=form.body.data,
                                      key_path=form.key_path.data or None,
                                      person_id=user.person_id)
            except ScoringError as exc:
                flash(exc.message, "error")
            else:
                flash("Thank you: your comment is recorded.", "success")
                return redirect(url_for(".ruleset", name=name, version=version) + "#comments")
        return _ruleset_page(name, version, form)


bp.add_url_rule("/rulesets/<name>/<int:version>", view_func=RulesetPage.as_view("ruleset"))


def _ruleset_page(name: str, version: int, form: CommentForm) -> tuple[str, int]:
    session = get_session()
    try:
        found = lifecycle.get_version(session, name, version)
    except ScoringError as exc:
        _not_found(exc)
    changes = None
    if found.parent is not None:
        pm = get_plugin_manager()
        changes = lifecycle.diff_versions(pm, found.parent, found)
    open_for_comments = found.status in (RulesetStatus.DRAFT, RulesetStatus.APPROVED)
    html = render_template("scoring/ruleset.html", v=found, changes=changes, comment_form=form,
                           open_for_comments=open_for_comments)
    return html, 400 if form.errors else 200
