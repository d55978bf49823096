"""``/api/v1/stakeholders``: the decision-making units of the accounts."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy.orm import joinedload

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import found, resource_blueprint
from kamscore.api.schemas.accounts import StakeholderQuery, StakeholderSchema
from kamscore.auth.access import current_scope, requires
from kamscore.db.session import get_session
from kamscore.directory.queries import get_by_id, select_stakeholders
from kamscore.models import Stakeholder

blp = resource_blueprint("stakeholders", "stakeholders", "Members of accounts' DMUs.")


@blp.route("")
class StakeholderList(MethodView):
    decorators = [requires("accounts.read")]

    @blp.arguments(StakeholderQuery, location="query")
    @blp.response(200, StakeholderSchema(many=True))
    @blp.refusals(401)
    @blp.paginate(QueryPager)
    def get(self, filters: dict[str, Any]) -> Any:
        """List stakeholders, of one account or of one role."""
        return select_stakeholders(current_scope(), **filters)


@blp.route("/<int:stakeholder_id>")
class StakeholderDetail(MethodView):
    decorators = [requires("accounts.read")]

    @blp.response(200, StakeholderSchema)
    @blp.refusals(401, 404)
    def get(self, stakeholder_id: int) -> Any:
        """One stakeholder by id."""
        stakeholder = get_by_id(
            get_session(), Stakeholder, stakeholder_id, joinedload(Stakeholder.account),
            where=current_scope().accounts(Stakeholder.account_id),
        )
        return found(stakeholder, "stakeholder", stakeholder_id)
