"""What-if: the request (a draft, a period) and the comparison it answers with."""

from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from kamscore.api.schemas.common import ruleset_ref

#: A weight written as text, as in a ruleset: ``30``, ``12.5`` or ``30%``.
WEIGHT_TEXT = r"^ *[0-9]+(?:\.[0-9]+)? *%? *$"


class Weight(fields.Field):
    """A component's base weight in percent: a number from 0 to 100, or text such as
    ``"30%"``. Passed on as given (the ruleset's own rules check the weights add up)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value) or not 0 <= value <= 100:
                raise ValidationError("A weight is a percentage from 0 to 100.")
            return value
        if isinstance(value, str) and re.match(WEIGHT_TEXT, value):
            return value
        raise ValidationError("A weight is a percentage: 30, 12.5 or \"30%\".")


class WhatIfSchema(Schema):
    period = fields.String(required=True, metadata={"description": "The period's inputs."})
    draft_source = fields.String(load_default=None, validate=validate.Length(1, 500_000),
                                 metadata={"description": "The draft as YAML text."})
    draft_version = ruleset_ref("The draft as a stored version, e.g. standard:4.",
                                load_default=None)
    baseline = ruleset_ref("Compare with this version (default: the published version of the "
                           "draft's ruleset); alone with weights, it is also the draft's base.",
                           load_default=None)
    weights = fields.Dict(
        keys=fields.String(),
        values=Weight(metadata={"anyOf": [
            {"type": "number", "minimum": 0, "maximum": 100},
            {"type": "string", "pattern": WEIGHT_TEXT},
        ]}),
        load_default=None,
        metadata={"description": "Changed base weights in percent: {component: 30}."})
    variant_weights = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 80)),
        values=fields.Dict(keys=fields.String(validate=validate.Length(1, 80)),
                           values=Weight(metadata={"anyOf": [
                               {"type": "number", "minimum": 0, "maximum": 100},
                               {"type": "string", "pattern": WEIGHT_TEXT}]})),
        load_default=None,
        metadata={"description": "Changed weights under variants in percent: {variant: "
                                 "{component: 20}}. A variant keeps every weight not given "
                                 "for it (also when the plan's changes); each must add up "
                                 "to 100."})
    values = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 300)),
        values=fields.String(validate=validate.Length(1, 40)),
        load_default=None,
        metadata={"description": "Any other number of the ruleset by its key path, written "
                                 "as in the ruleset: {\"components[0].curve.points[1].at\": "
                                 "\"105%\", \"limits.cap\": \"180%\"}."})
    top = fields.Integer(load_default=10, validate=validate.Range(1, 1000))
    include_all = fields.Boolean(load_default=False, metadata={
        "description": "Add every KAM's payouts and change (10,000 rows for a large "
                       "population)."})
    refresh = fields.Boolean(load_default=False, metadata={
        "description": "Reload the period's inputs instead of using the cached ones."})


class FailureSchema(Schema):
    component = fields.String()
    metric = fields.String()
    plugin = fields.String()
    error = fields.String()


class PlanSummarySchema(Schema):
    """One side of the comparison: which ruleset version, and what it pays in total."""

    name = fields.String()
    label = fields.String()
    version = fields.Integer(allow_none=True, metadata={"description": "null: not stored"})
    status = fields.String(allow_none=True)
    payout = fields.Float()
    target = fields.Float()
    kams = fields.Integer()
    eligible = fields.Integer()
    held = fields.Integer()
    percentiles = fields.Dict(keys=fields.String(), values=fields.Float(), metadata={
        "description": "Payout percentiles of the eligible KAMs: p10, p25, p50, p75, p90."})
    mean = fields.Float()
    failures = fields.List(fields.Nested(FailureSchema))


class InputsInfoSchema(Schema):
    cached = fields.Boolean(metadata={"description": "Served from the inputs cache."})
    loaded_on = fields.String(metadata={"description": "When the inputs were loaded (ISO)."})
    metrics_computed = fields.List(fields.String())
    kams = fields.Integer()


class ChangeSummarySchema(Schema):
    payout = fields.Float()
    percent = fields.Float(allow_none=True, metadata={"description": "null: baseline pays 0"})
    kams_up = fields.Integer()
    kams_down = fields.Integer()
    kams_same = fields.Integer()


class KamChangeSchema(Schema):
    kam = fields.String()
    name = fields.String()
    baseline = fields.Float()
    draft = fields.Float()
    change = fields.Float()
    baseline_status = fields.String()
    draft_status = fields.String()


class SecondsSchema(Schema):
    inputs = fields.Float()
    engine = fields.Float()
    total = fields.Float()


class WhatIfResultSchema(Schema):
    """The draft against the baseline. Without a baseline (no published version to compare
    with) ``baseline`` is null and ``change``, ``risers`` and ``fallers`` are left out."""

    period = fields.String()
    currency = fields.String()
    draft = fields.Nested(PlanSummarySchema)
    baseline = fields.Nested(PlanSummarySchema, allow_none=True)
    inputs = fields.Nested(InputsInfoSchema)
    change = fields.Nested(ChangeSummarySchema)
    risers = fields.List(fields.Nested(KamChangeSchema), metadata={
        "description": "The KAMs gaining most (at most top)."})
    fallers = fields.List(fields.Nested(KamChangeSchema), metadata={
        "description": "The KAMs losing most (at most top)."})
    kams = fields.List(fields.Nested(KamChangeSchema), metadata={
        "description": "Every KAM, with include_all."})
    seconds = fields.Nested(SecondsSchema)
