"""``/api/v1/plans``: account plans with their objectives and actions."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import found, resource_blueprint
from kamscore.api.schemas.facts import PlanQuery, PlanSchema
from kamscore.auth.access import current_scope, requires
from kamscore.db.session import get_session
from kamscore.directory.queries import get_plan, select_plans

blp = resource_blueprint("plans", "plans", "Account plans: objectives and actions.")


@blp.route("")
class PlanList(MethodView):
    decorators = [requires("accounts.read")]

    @blp.arguments(PlanQuery, location="query")
    @blp.response(200, PlanSchema(many=True))
    @blp.refusals(401)
    @blp.paginate(QueryPager)
    def get(self, filters: dict[str, Any]) -> Any:
        """List account plans, filtered by period, account or owner."""
        return select_plans(current_scope(), **filters)


@blp.route("/<account>/<period>")
class PlanDetail(MethodView):
    decorators = [requires("accounts.read")]

    @blp.response(200, PlanSchema)
    @blp.refusals(401, 404)
    def get(self, account: str, period: str) -> Any:
        """The plan of one account for one period."""
        plan = get_plan(get_session(), current_scope(), account, period)
        return found(plan, "account plan", f"{account} {period}")
