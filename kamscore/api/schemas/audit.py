"""The audit log's events and their filters."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kamscore.audit.log import ACTIONS


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_key = fields.String()
    details = fields.Dict(keys=fields.String())


class AuditQuery(Schema):
    actor = fields.String(validate=validate.Length(max=80))
    action = fields.String(validate=validate.OneOf(sorted(ACTIONS)))
    object_type = fields.String(validate=validate.Length(max=40))
    object_key = fields.String(validate=validate.Length(max=200))
    since = fields.Date()
    until = fields.Date()
