"""Accounts, assignments and stakeholders."""

from __future__ import annotations

from marshmallow import Schema, fields

from kamscore.api.schemas.common import code_filter, code_of
from kamscore.models import AccountType, ChosenBy, StakeholderRole


class AccountSchema(Schema):
    code = fields.String()
    name = fields.String()
    type = fields.Enum(AccountType, by_value=True)
    segment = fields.String()
    region = fields.String(allow_none=True)
    team = code_of("team")


class AccountQuery(Schema):
    segment = fields.String(metadata={"description": "Only this segment (tier)."})
    type = fields.Enum(AccountType, by_value=True)
    team = code_filter("team")
    region = fields.String()


class AssignmentSchema(Schema):
    id = fields.Integer()
    person = code_of("person")
    account = code_of("account")
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)
    share = fields.Float()


class AssignmentQuery(Schema):
    person = code_filter("person")
    account = code_filter("account")
    active_on = fields.Date(metadata={"description": "Only assignments covering this date."})


class StakeholderSchema(Schema):
    id = fields.Integer()
    account = code_of("account")
    name = fields.String()
    email = fields.String()
    role = fields.Enum(StakeholderRole, by_value=True)
    influence = fields.Integer()
    partnership_level = fields.Integer()
    is_key = fields.Boolean()
    language = fields.String()
    chosen_by = fields.Enum(ChosenBy, by_value=True, metadata={
        "description": "Who chose him to be asked about the account: the KAM himself, his "
                       "manager, or the organisation (comp team, CRM or an import)."})


class StakeholderQuery(Schema):
    account = code_filter("account")
    role = fields.Enum(StakeholderRole, by_value=True)
