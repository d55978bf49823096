"""Ruleset versions, score runs, statements and what-if: request and response shapes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kamscore.db.ids import MAX_ID
from kamscore.models import RulesetStatus, ScoreRunStatus


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
    a = fields.String(required=True, metadata={
        "description": "From: NAME (its published version) or NAME:VERSION."})
    b = fields.String(required=True, metadata={"description": "To: NAME or NAME:VERSION."})


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


class ScoreRunSchema(Schema):
    id = fields.Integer()
    period = fields.String()
    period_closed = fields.Boolean()
    ruleset = fields.String()
    ruleset_version = fields.Integer()
    ruleset_content_hash = fields.String()
    status = fields.String(metadata={"description": "complete, or partial when a metric "
                                                    "failed (its KAMs are held)",
                                     "enum": [s.value for s in ScoreRunStatus]})
    plugins = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    metrics = fields.List(fields.Dict())
    failures = fields.List(fields.Dict())
    input_hash = fields.String()
    result_hash = fields.String()
    currency = fields.String()
    kam_count = fields.Integer()
    eligible_count = fields.Integer()
    held_count = fields.Integer()
    total_payout = fields.Float()
    total_target = fields.Float()
    corrects_run_id = fields.Integer(allow_none=True)
    correction_reason = fields.String(allow_none=True)
    created_at = fields.String()
    created_by = fields.String()


class ScoreRunQuery(Schema):
    period = fields.String(metadata={"description": "Only runs of this period (its code)."})
    ruleset = fields.String(metadata={"description": "Only runs of this ruleset."})


class ScoreRunCreateSchema(Schema):
    period = fields.String(required=True, metadata={"description": "A period code."})
    ruleset = fields.String(required=True, metadata={
        "description": "A ruleset name; its published version is used."})
    version = fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID), metadata={
        "description": "A given published or retired version instead."})
    correction_of = fields.Integer(
        load_default=None, validate=validate.Range(1, MAX_ID),
        metadata={"description": "The run this one corrects (required in a closed period)."})
    reason = fields.String(load_default=None, validate=validate.Length(1, 2000), metadata={
        "description": "Why the correction is needed (with correction_of)."})


class WhatIfSchema(Schema):
    period = fields.String(required=True, metadata={"description": "The period's inputs."})
    draft_source = fields.String(load_default=None, validate=validate.Length(1, 500_000),
                                 metadata={"description": "The draft as YAML text."})
    draft_version = fields.String(load_default=None, metadata={
        "description": "The draft as a stored version, e.g. standard:4."})
    baseline = fields.String(load_default=None, metadata={
        "description": "Compare with this version (default: the published version of the "
                       "draft's ruleset); alone with weights, it is also the draft's base."})
    weights = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=None,
                          metadata={"description": "Changed base weights: {component: 30}."})
    top = fields.Integer(load_default=10, validate=validate.Range(1, 1000))
    include_all = fields.Boolean(load_default=False, metadata={
        "description": "Add every KAM's payouts and change (10,000 rows for a large "
                       "population)."})
    refresh = fields.Boolean(load_default=False, metadata={
        "description": "Reload the period's inputs instead of using the cached ones."})
