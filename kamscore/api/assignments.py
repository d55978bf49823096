"""``/api/v1/assignments``: which KAM is responsible for which account, when."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import found, resource_blueprint
from kamscore.api.schemas.accounts import AssignmentQuery, AssignmentSchema
from kamscore.auth.access import current_scope, requires
from kamscore.db.session import get_session
from kamscore.directory.queries import ASSIGNMENT_OPTIONS, get_by_id, select_assignments
from kamscore.models import Assignment

blp = resource_blueprint("assignments", "assignments", "KAM responsibilities for accounts.")


@blp.route("")
class AssignmentList(MethodView):
    decorators = [requires("accounts.read")]

    @blp.arguments(AssignmentQuery, location="query")
    @blp.response(200, AssignmentSchema(many=True))
    @blp.refusals(401)
    @blp.paginate(QueryPager)
    def get(self, filters: dict[str, Any]) -> Any:
        """List assignments of a person or an account, or those active on a date."""
        return select_assignments(current_scope(), **filters)


@blp.route("/<int:assignment_id>")
class AssignmentDetail(MethodView):
    decorators = [requires("accounts.read")]

    @blp.response(200, AssignmentSchema)
    @blp.refusals(401, 404)
    def get(self, assignment_id: int) -> Any:
        """One assignment by id."""
        assignment = get_by_id(get_session(), Assignment, assignment_id, *ASSIGNMENT_OPTIONS,
                               where=current_scope().accounts(Assignment.account_id))
        return found(assignment, "assignment", assignment_id)
