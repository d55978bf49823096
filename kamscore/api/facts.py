"""``/api/v1/facts``: imported numbers per period and subject."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from kamscore.api.auth import read_access
from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import found, resource_blueprint
from kamscore.api.schemas.facts import FactQuery, FactSchema
from kamscore.db.session import get_session
from kamscore.directory.queries import FACT_OPTIONS, get_by_id, select_facts
from kamscore.models import Fact

blp = resource_blueprint("facts", "facts", "Quantitative facts: net sales, targets, shares, ...")


@blp.route("")
class FactList(MethodView):
    decorators = [read_access]

    @blp.arguments(FactQuery, location="query")
    @blp.response(200, FactSchema(many=True))
    @blp.paginate(QueryPager)
    def get(self, filters: dict[str, Any]) -> Any:
        """List facts, filtered by period, name, account, person, team or product."""
        return select_facts(**filters)


@blp.route("/<int:fact_id>")
class FactDetail(MethodView):
    decorators = [read_access]

    @blp.response(200, FactSchema)
    def get(self, fact_id: int) -> Any:
        """One fact by id."""
        return found(get_by_id(get_session(), Fact, fact_id, *FACT_OPTIONS), "fact", fact_id)
