"""``/api/v1/periods``: months, quarters and years, open or closed."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import found, resource_blueprint
from kamscore.api.schemas.periods import PeriodQuery, PeriodSchema
from kamscore.auth.access import requires
from kamscore.db.session import get_session
from kamscore.directory.queries import get_by_code, select_periods
from kamscore.models import Period

blp = resource_blueprint("periods", "periods", "Periods; a closed period is frozen.")


@blp.route("")
class PeriodList(MethodView):
    decorators = [requires("directory.read")]

    @blp.arguments(PeriodQuery, location="query")
    @blp.response(200, PeriodSchema(many=True))
    @blp.refusals(401)
    @blp.paginate(QueryPager)
    def get(self, filters: dict[str, Any]) -> Any:
        """List periods in date order, filtered by kind or status."""
        return select_periods(**filters)


@blp.route("/<code>")
class PeriodDetail(MethodView):
    decorators = [requires("directory.read")]

    @blp.response(200, PeriodSchema)
    @blp.refusals(401, 404)
    def get(self, code: str) -> Any:
        """One period by code (2026-Q1, 2026-03, 2026)."""
        return found(get_by_code(get_session(), Period, code), "period", code)
