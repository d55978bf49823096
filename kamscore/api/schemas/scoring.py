"""Ruleset versions, their comments and diffs: request and response shapes.

Score runs and statements are in ``runs``, what-if in ``whatif``.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kamscore.api.schemas.common import ruleset_ref
from kamscore.models import RulesetStatus


class RulesetCommentSchema(Schema):
    id = fields.Integer()
    author = fields.String()
    key_path = fields.String(allow_none=True)
    body = fields.String()
    created_at = fields.DateTime()


class RulesetVersionSchema(Schema):
    name = fields.String()
    version = fields.Integer()
    title = fields.String(allow_none=True)
    filename = fields.String()
    content_hash = fields.String(metadata={"description": "SHA-256 of the YAML source."})
    status = fields.Enum(RulesetStatus, by_value=True)
    parent_version = fields.Function(lambda v: v.parent.version if v.parent else None)
    note = fields.String(allow_none=True)
    drafted_by = fields.String()
    drafted_at = fields.DateTime()
    approved_by = fields.String(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    published_by = fields.String(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    retired_at = fields.DateTime(allow_none=True)


class RulesetVersionDetailSchema(RulesetVersionSchema):
    source = fields.String(metadata={"description": "The YAML text exactly as imported."})
    comments = fields.List(fields.Nested(RulesetCommentSchema))


class RulesetQuery(Schema):
    name = fields.String(metadata={"description": "Only the versions of this ruleset."})
    status = fields.Enum(RulesetStatus, by_value=True)


class RulesetDraftSchema(Schema):
    source = fields.String(required=True, validate=validate.Length(1, 500_000), metadata={
        "description": "The ruleset's YAML text; it names the ruleset (its `name:` key)."})
    filename = fields.String(load_default="upload.yaml", validate=validate.Length(1, 200))
    note = fields.String(load_default=None, validate=validate.Length(max=10_000),
                         metadata={"description": "What changed and why."})


class RulesetCommentCreateSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(1, 10_000))
    key_path = fields.String(load_default=None, validate=validate.Length(max=200), metadata={
        "description": "The part of the plan the comment is about, e.g. "
                       "components.csat.weight."})


class DiffQuery(Schema):
    a = ruleset_ref("From: NAME (its published version) or NAME:VERSION.", required=True)
    b = ruleset_ref("To: NAME or NAME:VERSION.", required=True)


class ChangeSchema(Schema):
    area = fields.String()
    subject = fields.String()
    aspect = fields.String()
    kind = fields.String(metadata={"description": "added, removed or changed"})
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)


class DiffSchema(Schema):
    a = fields.String()
    b = fields.String()
    changes = fields.List(fields.Nested(ChangeSchema))
