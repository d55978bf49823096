"""``/api/v1/teams``: account teams with their members."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import found, resource_blueprint
from kamscore.api.schemas.org import TeamQuery, TeamSchema
from kamscore.auth.access import requires
from kamscore.db.session import get_session
from kamscore.directory.queries import TEAM_OPTIONS, get_by_code, select_teams
from kamscore.models import Team

blp = resource_blueprint("teams", "teams", "Account teams and their members.")


@blp.route("")
class TeamList(MethodView):
    decorators = [requires("directory.read")]

    @blp.arguments(TeamQuery, location="query")
    @blp.response(200, TeamSchema(many=True))
    @blp.refusals(401)
    @blp.paginate(QueryPager)
    def get(self, filters: dict[str, Any]) -> Any:
        """List teams with their members; ``member`` finds the teams of one person."""
        return select_teams(**filters)


@blp.route("/<code>")
class TeamDetail(MethodView):
    decorators = [requires("directory.read")]

    @blp.response(200, TeamSchema)
    @blp.refusals(401, 404)
    def get(self, code: str) -> Any:
        """One team by code, with its members."""
        return found(get_by_code(get_session(), Team, code, *TEAM_OPTIONS), "team", code)
