"""``/api/v1/runs``: score runs, their statements (JSON per KAM, CSV for all), the payroll
file of a signed-off run (CSV, XLSX), and ``/api/v1/periods/<code>/close``.

Making a run needs ``runs.create`` (analysts), closing a period ``periods.close``
(approvers). Reading runs and the CSV needs ``runs.read``, a statement ``pay.read``: the
comp team and auditors read every line; a manager his teams' lines (other runs do not exist
for him: 404; a run's totals are over the lines he may read); a KAM his own statements.
The payroll file needs ``payroll.export`` and a signed-off run (409 before the sign-off:
the period's close, or a correction's own sign-off); each export is in the audit log.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Response
from flask.views import MethodView

from kamscore.api.resources import resource_blueprint
from kamscore.api.schemas.periods import PeriodSchema
from kamscore.api.schemas.runs import (
    ScoreRunCreateSchema,
    ScoreRunQuery,
    ScoreRunSchema,
    StatementSchema,
)
from kamscore.api.scoring_access import username
from kamscore.audit.log import record
from kamscore.auth.access import current_scope, current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import runs, statements
from kamscore.scoring.payroll import export_payroll
from kamscore.scoring.periods import close_period, get_period
from kamscore.scoring.run_store import get_visible_run, list_runs

blp = resource_blueprint("runs", "runs", "Score runs (immutable) and KAM statements")
closing = resource_blueprint("period_closing", "periods", "Closing a period")

#: The CSV of a run's statements, as OpenAPI describes a text body.
CSV_BODY = {"type": "string", "description": "One header row, then one row per KAM."}
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAYROLL_CSV = {"type": "string", "description": (
    "One header row (Period, Run, Ruleset, Ruleset version, Input hash, KAM code, KAM name, "
    "Payout, Currency, Signed off by, Signed off at (UTC), Kind, Refers to, Amount), then "
    "one row per pay line: earnings, adjustment, spiff, clawback, draw, recovery; for a "
    "correction of a closed period only the differences per KAM (correction); for an "
    "annual run settled against its advances, the true_up.")}
PAYROLL_XLSX = {"type": "string", "format": "binary", "description": (
    "A workbook: sheet Payroll (the columns of the CSV, one row per pay line) and sheet Sign-off "
    "(the run, its total and who signed it off, when).")}


@blp.route("")
class RunList(MethodView):
    @requires("runs.read")
    @blp.arguments(ScoreRunQuery, location="query")
    @blp.response(200, ScoreRunSchema(many=True))
    @blp.refusals(401, 403, 404)
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Score runs, newest first (those with a line the caller may read)."""
        session = get_session()
        period_id = get_period(session, query["period"]).id if "period" in query else None
        found, total = list_runs(session, scope=current_scope(), period_id=period_id,
                                 ruleset_name=query.get("ruleset"),
                                 limit=pagination_parameters.page_size,
                                 offset=pagination_parameters.first_item)
        pagination_parameters.item_count = total
        return [statements.run_summary(session, run, current_scope()) for run in found]

    @requires("runs.create")
    @blp.arguments(ScoreRunCreateSchema)
    @blp.response(201, ScoreRunSchema)
    @blp.refusals(401, 403, 404, 409)
    def post(self, data: dict[str, Any]) -> Any:
        """Make a score run with the published (or a given) ruleset version and store it.
        In a closed period only a correction (correction_of + reason) is accepted."""
        session = get_session()
        run = runs.run_score(session, get_plugin_manager(), user=username(), **data)
        return statements.run_summary(session, run, current_scope())


@blp.route("/<int:run_id>")
class RunItem(MethodView):
    @requires("runs.read")
    @blp.response(200, ScoreRunSchema)
    @blp.refusals(401, 403, 404)
    def get(self, run_id: int) -> Any:
        """One run: ruleset version, plugins, hashes, totals, failures."""
        session = get_session()
        scope = current_scope()
        return statements.run_summary(session, get_visible_run(session, run_id, scope), scope)


@blp.route("/<int:run_id>/statements/<kam>")
class RunStatement(MethodView):
    @requires("pay.read")
    @blp.response(200, StatementSchema)
    @blp.refusals(401, 403, 404)
    def get(self, run_id: int, kam: str) -> Any:
        """A KAM's statement: every component's metric value and inputs, the treatment of
        missing data, the tier or curve segment, factor, weight, contribution, gates,
        modifiers, caps, proration and the payout."""
        return statements.statement(get_session(), run_id, kam, current_scope())


@blp.route("/<int:run_id>/statements.csv")
class RunStatementsCsv(MethodView):
    @requires("runs.read")
    @blp.response(200, CSV_BODY, content_type="text/csv")
    @blp.refusals(401, 403, 404)
    def get(self, run_id: int) -> Any:
        """Every KAM's statement as CSV, one row per KAM (for payroll and checks)."""
        buffer = io.StringIO()
        session = get_session()
        count = statements.write_csv(session, run_id, buffer, current_scope())
        record(session, current_user_of_request(), "export.pay", "run", run_id,
               format="csv", lines=count)
        session.commit()
        return Response(buffer.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="run-{run_id}-statements.csv"'})


def _payroll(run_id: int, file_format: str) -> Response:
    session = get_session()
    sheet, data = export_payroll(session, run_id, user=current_user_of_request(),
                                 file_format=file_format, pm=get_plugin_manager())
    session.commit()
    return Response(data, mimetype="text/csv" if file_format == "csv" else MIME_XLSX, headers={
        "Content-Disposition": f'attachment; filename="{sheet.filename}.{file_format}"'})


@blp.route("/<int:run_id>/payroll.csv")
class RunPayrollCsv(MethodView):
    @requires("payroll.export")
    @blp.response(200, PAYROLL_CSV, content_type="text/csv")
    @blp.refusals(401, 403, 404, 409)
    def get(self, run_id: int) -> Any:
        """The payroll file of a signed-off run as CSV: one row per KAM with the period, run,
        ruleset and version, input hash, payout, currency and the sign-off (who, when).
        Refused (409) before the sign-off, and for a run corrected since."""
        return _payroll(run_id, "csv")


@blp.route("/<int:run_id>/payroll.xlsx")
class RunPayrollXlsx(MethodView):
    @requires("payroll.export")
    @blp.response(200, PAYROLL_XLSX, content_type=MIME_XLSX)
    @blp.refusals(401, 403, 404, 409)
    def get(self, run_id: int) -> Any:
        """The payroll file of a signed-off run as XLSX, the same rows as the CSV (amounts
        are numbers). Refused (409) before the sign-off, and for a run corrected since."""
        return _payroll(run_id, "xlsx")


@closing.route("/<code>/close")
class PeriodClose(MethodView):
    @requires("periods.close")
    @closing.response(200, PeriodSchema)
    @closing.refusals(401, 403, 404, 409)
    def post(self, code: str) -> Any:
        """Close (freeze) a period — the sign-off: its current runs become final; later only
        corrections. Four-eyes: refused (403 ``user``) to the user who made a current run."""
        return close_period(get_session(), code, user=username())
