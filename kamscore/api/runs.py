"""``/api/v1/runs``: score runs, their statements (JSON per KAM, CSV for all), and
``/api/v1/periods/<code>/close``.

Making a run and closing a period need the analyst role. Runs and the CSV of all statements
are visible to analysts and approvers; a KAM reads his own statement
(``/api/v1/runs/<id>/statements/<kam>``).
"""

from __future__ import annotations

import io
from typing import Any

from flask import Response
from flask.views import MethodView

from kamscore.api.auth import read_access, write_access
from kamscore.api.resources import resource_blueprint
from kamscore.api.schemas.periods import PeriodSchema
from kamscore.api.schemas.runs import (
    ScoreRunCreateSchema,
    ScoreRunQuery,
    ScoreRunSchema,
    StatementSchema,
)
from kamscore.api.scoring_access import require_own_statement, require_pay_reader, username
from kamscore.db.session import get_session
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import runs, statements
from kamscore.scoring.periods import close_period, get_period
from kamscore.scoring.run_store import get_run, list_runs

blp = resource_blueprint("runs", "runs", "Score runs (immutable) and KAM statements")
closing = resource_blueprint("period_closing", "periods", "Closing a period")

#: The CSV of a run's statements, as OpenAPI describes a text body.
CSV_BODY = {"type": "string", "description": "One header row, then one row per KAM."}


@blp.route("")
class RunList(MethodView):
    @read_access
    @blp.arguments(ScoreRunQuery, location="query")
    @blp.response(200, ScoreRunSchema(many=True))
    @blp.refusals(401, 403, 404)
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Score runs, newest first."""
        require_pay_reader()
        session = get_session()
        period_id = get_period(session, query["period"]).id if "period" in query else None
        found, total = list_runs(session, period_id=period_id,
                                 ruleset_name=query.get("ruleset"),
                                 limit=pagination_parameters.page_size,
                                 offset=pagination_parameters.first_item)
        pagination_parameters.item_count = total
        return [statements.run_summary(session, run) for run in found]

    @write_access("analyst")
    @blp.arguments(ScoreRunCreateSchema)
    @blp.response(201, ScoreRunSchema)
    @blp.refusals(401, 403, 404, 409)
    def post(self, data: dict[str, Any]) -> Any:
        """Make a score run with the published (or a given) ruleset version and store it.
        In a closed period only a correction (correction_of + reason) is accepted."""
        session = get_session()
        run = runs.run_score(session, get_plugin_manager(), user=username(), **data)
        return statements.run_summary(session, run)


@blp.route("/<int:run_id>")
class RunItem(MethodView):
    @read_access
    @blp.response(200, ScoreRunSchema)
    @blp.refusals(401, 403, 404)
    def get(self, run_id: int) -> Any:
        """One run: ruleset version, plugins, hashes, totals, failures."""
        require_pay_reader()
        session = get_session()
        return statements.run_summary(session, get_run(session, run_id))


@blp.route("/<int:run_id>/statements/<kam>")
class RunStatement(MethodView):
    @read_access
    @blp.response(200, StatementSchema)
    @blp.refusals(401, 403, 404)
    def get(self, run_id: int, kam: str) -> Any:
        """A KAM's statement: every component's metric value and inputs, the treatment of
        missing data, the tier or curve segment, factor, weight, contribution, gates,
        modifiers, caps, proration and the payout."""
        require_own_statement(kam)
        return statements.statement(get_session(), run_id, kam)


@blp.route("/<int:run_id>/statements.csv")
class RunStatementsCsv(MethodView):
    @read_access
    @blp.response(200, CSV_BODY, content_type="text/csv")
    @blp.refusals(401, 403, 404)
    def get(self, run_id: int) -> Any:
        """Every KAM's statement as CSV, one row per KAM (for payroll and checks)."""
        require_pay_reader()
        buffer = io.StringIO()
        statements.write_csv(get_session(), run_id, buffer)
        return Response(buffer.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="run-{run_id}-statements.csv"'})


@closing.route("/<code>/close")
class PeriodClose(MethodView):
    @write_access("analyst")
    @closing.response(200, PeriodSchema)
    @closing.refusals(401, 403, 404, 409)
    def post(self, code: str) -> Any:
        """Close (freeze) a period: its current runs become final; later only corrections."""
        return close_period(get_session(), code)
