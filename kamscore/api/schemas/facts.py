"""Facts and account plans."""

from __future__ import annotations

from marshmallow import Schema, fields

from kamscore.api.schemas.common import code_filter, code_of


class FactSchema(Schema):
    id = fields.Integer()
    period = code_of("period")
    name = fields.String()
    subject_key = fields.String()
    account = code_of("account")
    person = code_of("person")
    team = code_of("team")
    product = code_of("product")
    value = fields.Float(allow_none=True)
    category = fields.String(allow_none=True)
    unit = fields.String()
    source = fields.String()


class FactQuery(Schema):
    period = code_filter("period")
    name = fields.String(metadata={"description": "Only facts of this name, e.g. net_sales."})
    account = code_filter("account")
    person = code_filter("person")
    team = code_filter("team")
    product = code_filter("product")


class ObjectiveSchema(Schema):
    code = fields.String()
    description = fields.String()
    target = fields.Float(allow_none=True)
    actual = fields.Float(allow_none=True)
    met = fields.Boolean(allow_none=True)


class ActionSchema(Schema):
    code = fields.String()
    description = fields.String()
    due_date = fields.Date()
    done_date = fields.Date(allow_none=True)


class PlanSchema(Schema):
    id = fields.Integer()
    account = code_of("account")
    period = code_of("period")
    owner = code_of("owner")
    quality_rating = fields.Integer(allow_none=True)
    rated_by = code_of("rated_by")
    objectives = fields.List(fields.Nested(ObjectiveSchema))
    actions = fields.List(fields.Nested(ActionSchema))


class PlanQuery(Schema):
    period = code_filter("period")
    account = code_filter("account")
    owner = code_filter("owner (KAM)")
