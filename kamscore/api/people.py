"""``/api/v1/people``: employees (KAMs, managers, cross-functional colleagues)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy.orm import joinedload

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import found, resource_blueprint
from kamscore.api.schemas.org import PersonQuery, PersonSchema
from kamscore.auth.access import requires
from kamscore.db.session import get_session
from kamscore.directory.queries import get_by_code, select_people
from kamscore.models import Person

blp = resource_blueprint("people", "people", "Employees, by their code.")


@blp.route("")
class PersonList(MethodView):
    decorators = [requires("directory.read")]

    @blp.arguments(PersonQuery, location="query")
    @blp.response(200, PersonSchema(many=True))
    @blp.refusals(401)
    @blp.paginate(QueryPager)
    def get(self, filters: dict[str, Any]) -> Any:
        """List people, filtered by role or manager."""
        return select_people(**filters)


@blp.route("/<code>")
class PersonDetail(MethodView):
    decorators = [requires("directory.read")]

    @blp.response(200, PersonSchema)
    @blp.refusals(401, 404)
    def get(self, code: str) -> Any:
        """One person by code."""
        person = get_by_code(get_session(), Person, code, joinedload(Person.manager))
        return found(person, "person", code)
