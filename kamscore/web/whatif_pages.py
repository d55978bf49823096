"""The what-if page: a comp analyst changes a published plan and sees what it would cost.

- ``GET /scoring/whatif?period=&plan=`` — opens on the published plan of the current period
  (the period and plan last looked at, remembered in the session; otherwise the period of
  the latest score run and the plan run on it — ``scoring.whatif_start``). Choosing another
  plan or period reloads the page with that plan's parameters (a plain GET form; the page's
  own script submits it on change).
- ``POST /scoring/whatif`` — compares the scenario with the published plan: the weights of
  the plan and under each variant, any other number of the plan (tiers, curve points, caps,
  gates, target incentive) from the generated form, or the whole YAML text. The result:
  totals, the payout histogram, cost by team, segment, lifecycle phase and variant, the KAMs
  who gain and lose most, how many cross a cap or a threshold (``scoring.whatif``).
- ``GET /scoring/whatif/targets/<round>`` — a target round's payouts and total cost under
  the KAMs' proposed versus the approved targets (``scoring.whatif_targets``).
- ``POST /scoring/whatif/save`` — stores the scenario as the next draft version of the plan
  (``rulesets.draft``); it then goes through approval like any draft.
"""

from __future__ import annotations

import datetime as dt
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
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from kamscore.auth.access import current_user_of_request, optional_scope, requires
from kamscore.db.session import get_session
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring.errors import InvalidInputError, NotFoundError, ScoringError
from kamscore.scoring.group_labels import version_titles
from kamscore.scoring.inputs_cache import app_inputs_cache
from kamscore.scoring.plan_edits import weight_table
from kamscore.scoring.whatif import save_scenario, what_if
from kamscore.scoring.whatif_start import parameter_sections, start
from kamscore.scoring.whatif_targets import compare_targets
from kamscore.web.nav import add_nav_item
from kamscore.web.number_format import money, number
from kamscore.web.plan_texts import plan_text
from kamscore.web.whatif_charts import histogram_chart, paired_bars
from kamscore.web.whatif_forms import ScenarioForm, scenario_edits, submitted_texts

bp = Blueprint("whatif_pages", __name__, url_prefix="/scoring", template_folder="templates",
               static_folder="static/whatif", static_url_path="/static/whatif")

SESSION_KEY = "whatif"
GROUPS = (("team", _l("Cost by team")), ("segment", _l("Cost by account segment")),
          ("lifecycle_phase", _l("Cost by lifecycle phase")), ("variant", _l("Cost by variant")))
CHART_ROWS = 10


def init_app(app: Flask) -> None:
    add_nav_item(app, "whatif_pages.whatif", "What-if")


def _chosen(period: str | None, plan: str | None) -> Any:
    remembered = session.get(SESSION_KEY) or {}
    found = start(get_session(), period=period or remembered.get("period"),
                  plan=plan or remembered.get("plan"), today=dt.datetime.now(dt.UTC).date())
    if found.period is not None and found.plan is not None:
        session[SESSION_KEY] = {"period": found.period.code, "plan": found.plan.name}
    return found


def _page(found: Any, form: ScenarioForm, *, report: dict[str, Any] | None = None,
          errors: list[str] | None = None, texts: dict[str, str] | None = None,
          status: int = 200) -> tuple[str, int]:
    plan = found.plan
    table = sections = None
    if plan is not None:
        table = weight_table(plan.source)
        sections = parameter_sections(plan.source, dict(table.titles),
                                      dict(table.variant_titles))
        if not form.source.data:
            form.source.data = plan.source
        form.period.data, form.plan.data = found.period.code, plan.name
    pm = get_plugin_manager()
    titles: dict[str, dict[str, str]] = {}
    for version in found.plans:
        titles.update(version_titles(version, pm))
    charts = _charts(report, titles) if report and report.get("baseline") else None
    html = render_template("scoring/whatif.html", start=found, form=form, table=table,
                           titles=titles,
                           sections=sections, report=report, errors=errors or [],
                           texts=texts or {}, charts=charts, groups=GROUPS,
                           can_save=optional_scope("rulesets.draft") is not None)
    return html, status


def _charts(report: dict[str, Any], titles: dict[str, dict[str, str]]) -> dict[str, Any]:
    currency = report["currency"]

    def fmt(value: float) -> str:
        return money(value, currency)

    charts: dict[str, Any] = {"histogram": histogram_chart(report["histogram"], money=fmt,
                                                           count=number)}
    for key, title in GROUPS:
        rows = [{**row, "label": plan_text(row.get("label") or row["group"], titles)}
                for row in report["by"][key][:CHART_ROWS]]
        charts[key] = paired_bars(rows, title=str(title), money=fmt)
    return charts


@bp.get("/whatif")
@requires("whatif.use")
def whatif() -> tuple[str, int]:
    found = _chosen(request.args.get("period", "")[:10] or None,
                    request.args.get("plan", "")[:80] or None)
    return _page(found, ScenarioForm(formdata=None))


def _draft_arguments(form: ScenarioForm) -> dict[str, Any]:
    if form.mode.data == "yaml":
        return {"draft_source": form.source.data or ""}
    weights, variant_weights, values = scenario_edits(request.form)
    return {"weights": weights, "variant_weights": variant_weights, "values": values}


def _problems(exc: ScoringError) -> list[str]:
    return (exc.problems if isinstance(exc, InvalidInputError) else []) or [exc.message]


def _status(exc: ScoringError) -> int:
    """A scenario that cannot be evaluated or saved is an answer about the scenario (200,
    the page lists the problems, as the check of a ruleset does); a refusal keeps its own."""
    return exc.status if exc.status in (403, 404) else 200


@bp.post("/whatif")
@requires("whatif.use")
def compare() -> tuple[str, int]:
    form = ScenarioForm()
    found = _chosen(request.form.get("period", "")[:10] or None,
                    request.form.get("plan", "")[:80] or None)
    texts = submitted_texts(request.form)
    if found.plan is None or found.period is None:
        return _page(found, form, status=400)
    if not form.validate():
        errors = [f"{name}: {', '.join(messages)}" for name, messages in form.errors.items()]
        return _page(found, form, errors=errors, texts=texts, status=400)
    try:
        report = what_if(get_session(), get_plugin_manager(), app_inputs_cache(current_app),
                         period=found.period.code, baseline_ref=found.plan.name,
                         filename="draft.yaml", top=10, details=True,
                         **_draft_arguments(form))
    except ScoringError as exc:  # the scenario is shown again with what is wrong with it
        return _page(found, form, errors=_problems(exc), texts=texts, status=_status(exc))
    if form.mode.data == "form":
        form.source.data = report["draft_source"]
    return _page(found, form, report=report, texts=texts)


@bp.post("/whatif/save")
@requires("rulesets.draft")
def save() -> tuple[str, int] | Response:
    form = ScenarioForm()
    found = _chosen(request.form.get("period", "")[:10] or None,
                    request.form.get("plan", "")[:80] or None)
    texts = submitted_texts(request.form)
    if found.plan is None or not form.validate():
        errors = [f"{name}: {', '.join(messages)}" for name, messages in form.errors.items()]
        return _page(found, form, errors=errors, texts=texts, status=400)
    try:
        version = save_scenario(get_session(), get_plugin_manager(),
                                baseline_ref=found.plan.name,
                                user=current_user_of_request().username,
                                period=found.period.code if found.period else None,
                                note=(form.note.data or "").strip() or None,
                                **_draft_arguments(form))
    except ScoringError as exc:
        return _page(found, form, errors=_problems(exc), texts=texts, status=_status(exc))
    flash(_("Saved as draft %(version)s: it is now waiting for approval.",
            version=version.label), "success")
    return redirect(url_for("ruleset_pages.ruleset", name=version.name,
                            version=version.version))


@bp.get("/whatif/targets/<code>")
@requires("whatif.use")
def targets(code: str) -> str:
    """Payouts and total cost under a target round's proposed versus approved targets
    (``scoring.whatif_targets``), with the published plan (``?plan=``; default: the plan run
    on the round's period)."""
    try:
        report = compare_targets(get_session(), get_plugin_manager(), code,
                                 ruleset=request.args.get("plan", "")[:80] or None)
    except NotFoundError as exc:
        abort(404, description=exc.message)
    return render_template("scoring/whatif_targets.html", report=report)
