"""Score runs and KAM statements: request and response shapes.

A statement is what ``kamscore.scoring.statements.statement`` returns: the run, the KAM, and
the engine's explanation of his payout (``kamscore.engine.statement``) with each component's
metric inputs. Money is a decimal string (``"3252.12"``); other numbers are floats, ``null``
where there is no data.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kamscore.db.ids import MAX_ID
from kamscore.models import ScoreRunStatus


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
    correction_of = fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID),
                                   metadata={
        "description": "The run this one corrects (required in a closed period)."})
    reason = fields.String(load_default=None, validate=validate.Length(1, 2000), metadata={
        "description": "Why the correction is needed (with correction_of)."})


def _number(description: str = "") -> fields.Float:
    """A float, or null where there is no data."""
    return fields.Float(allow_none=True, metadata={"description": description} if description
                        else {})


class GateLineSchema(Schema):
    id = fields.String()
    title = fields.String()
    condition = fields.String()
    applies_to = fields.String(metadata={"description": "plan, or the component ids"})
    passed = fields.Boolean()
    missing = fields.Boolean(metadata={"description": "A value it reads had no data."})
    if_missing = fields.String()
    otherwise = _number("The factor multiplier used when it failed.")


class ModifierLineSchema(Schema):
    id = fields.String()
    title = fields.String()
    formula = fields.String()
    applies_to = fields.String()
    value = _number("The multiplier used (1.0 when it did not apply).")
    applied = fields.Boolean()
    missing = fields.Boolean()


class ComponentLineSchema(Schema):
    id = fields.String()
    title = fields.String()
    metric = fields.String()
    source = fields.String(metadata={"description": "The metric request it reads."})
    part = fields.String()
    horizon = fields.String()
    value = fields.Raw(allow_none=True, metadata={
        "description": "The metric value: a number, a category, or null (no data)."})
    n = _number("Responses behind the value.")
    inputs = fields.Dict(metadata={"description": "The metric's inputs for this KAM."})
    reason = fields.String(allow_none=True, metadata={"description": "Why there is no data."})
    failure = fields.String(metadata={"description": "The metric's error, when it failed."})
    treatment = fields.String()
    treatment_label = fields.String()
    segment = fields.String(allow_none=True, metadata={
        "description": "The curve segment, tier or lookup entry that applied."})
    raw_factor = _number()
    multiplier = _number()
    floor = _number()
    cap = _number()
    floored = fields.Boolean()
    capped = fields.Boolean()
    gate_factor = _number()
    factor = _number()
    weight = _number("The variant's weight (a fraction).")
    effective_weight = _number("After reweighting.")
    contribution = _number("effective_weight times factor")
    gates = fields.List(fields.Nested(GateLineSchema))
    modifiers = fields.List(fields.Nested(ModifierLineSchema))


class KamSchema(Schema):
    code = fields.String()
    name = fields.String()


class PayLineSchema(Schema):
    kind = fields.String(metadata={"description": (
        "earnings, adjustment, spiff, clawback, draw, recovery, correction or true_up")})
    label = fields.String()
    amount = fields.String(metadata={"description": "What the line is worth, a decimal "
                                     "string (negative: taken back)."})
    payable = fields.String(metadata={"description": "What it adds to this payroll (a "
                                      "negative difference: 0.00, recovered later)."})
    refers_to = fields.String(metadata={"description": "The run(s) or entry it settles."})
    reason = fields.String()
    entry = fields.Integer(allow_none=True, metadata={"description": "The ledger entry."})
    pending = fields.Boolean(metadata={"description": "Waiting for approval: not paid."})


class StatementSchema(Schema):
    run = fields.Nested(ScoreRunSchema)
    kam = fields.Nested(KamSchema)
    ruleset = fields.String()
    ruleset_version = fields.String()
    currency = fields.String()
    variant = fields.String()
    status = fields.String(metadata={"description": "paid, ineligible or held"})
    reasons = fields.List(fields.String(), metadata={"description": "Why ineligible or held."})
    eligible = fields.Boolean()
    held = fields.Boolean()
    proration = _number()
    target = _number("The target incentive (null: none).")
    components = fields.List(fields.Nested(ComponentLineSchema))
    gates = fields.List(fields.Nested(GateLineSchema), metadata={
        "description": "Plan-level gates."})
    modifiers = fields.List(fields.Nested(ModifierLineSchema), metadata={
        "description": "Plan-level modifiers."})
    score = _number()
    plan_multiplier = _number()
    plan_floor = _number()
    plan_cap = _number()
    plan_floored = fields.Boolean()
    plan_capped = fields.Boolean()
    plan_gate_factor = _number()
    final_factor = _number()
    amount = _number("Before rounding.")
    cap_amount = _number()
    amount_capped = fields.Boolean()
    rounding = fields.String(metadata={"description": "e.g. half_even to 0.01"})
    payout = fields.String(metadata={"description": "Money, a decimal string."})
    parts = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "Payout per part (individual, team...), decimal strings."})
    horizons = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "Payout per horizon, decimal strings."})
    input_hash = fields.String()
    kam_input_hash = fields.String()
    pay_lines = fields.List(fields.Nested(PayLineSchema), metadata={
        "description": "The KAM's pay lines in this run's payroll, each with its kind."})
    net_pay = fields.String(metadata={"description": "What this payroll pays him (decimal)."})
