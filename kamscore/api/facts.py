"""``/api/v1/facts``: imported numbers per period and subject."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from sqlalchemy import and_

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import found, resource_blueprint
from kamscore.api.schemas.facts import FactQuery, FactSchema
from kamscore.auth.access import current_scope, requires
from kamscore.db.session import get_session
from kamscore.directory.queries import FACT_OPTIONS, get_by_id, select_facts
from kamscore.facts.reportable import reportable_facts
from kamscore.models import Fact

blp = resource_blueprint("facts", "facts", "Quantitative facts: net sales, targets, shares, ...")


@blp.route("")
class FactList(MethodView):
    decorators = [requires("facts.read")]

    @blp.arguments(FactQuery, location="query")
    @blp.response(200, FactSchema(many=True))
    @blp.refusals(401)
    @blp.paginate(QueryPager)
    def get(self, filters: dict[str, Any]) -> Any:
        """List facts, filtered by period, name, account, person, team or product."""
        return select_facts(current_scope(), current_app.config["SURVEY_MIN_GROUP"],
                            **filters)


@blp.route("/<int:fact_id>")
class FactDetail(MethodView):
    decorators = [requires("facts.read")]

    @blp.response(200, FactSchema)
    @blp.refusals(401, 404)
    def get(self, fact_id: int) -> Any:
        """One fact by id."""
        fact = get_by_id(get_session(), Fact, fact_id, *FACT_OPTIONS,
                         where=and_(current_scope().facts(),
                                    reportable_facts(current_app.config["SURVEY_MIN_GROUP"])))
        return found(fact, "fact", fact_id)
