"""People and teams."""

from __future__ import annotations

from marshmallow import Schema, fields

from kamscore.api.schemas.common import code_filter, code_of
from kamscore.models import Role


class PersonSchema(Schema):
    """An employee. Salaries are not exposed through the API."""

    code = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.Enum(Role, by_value=True)
    grade = fields.String(allow_none=True)
    manager = code_of("manager")
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)


class PersonQuery(Schema):
    role = fields.Enum(Role, by_value=True)
    manager = code_filter("manager")


class TeamMemberSchema(Schema):
    person = code_of("person")
    name = fields.Function(lambda member: member.person.name)
    function = fields.Enum(Role, by_value=True)


class TeamSchema(Schema):
    code = fields.String()
    name = fields.String()
    lead = code_of("lead")
    members = fields.List(fields.Nested(TeamMemberSchema))


class TeamQuery(Schema):
    member = code_filter("member (person)")
