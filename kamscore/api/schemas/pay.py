"""Schemas of the pay ledger operations (``/api/v1/pay``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kamscore.db.ids import MAX_ID


class PayEntryCreateSchema(Schema):
    kam = fields.String(required=True, validate=validate.Length(1, 40),
                        metadata={"description": "The KAM's person code."})
    period = fields.String(required=True, validate=validate.Length(1, 10), metadata={
        "description": "The period in whose payroll it is paid."})
    kind = fields.String(required=True, validate=validate.OneOf(
        ["adjustment", "spiff", "clawback"]), metadata={
        "description": "adjustment (any non-zero amount), spiff (positive) or clawback "
                       "(negative, with run)."})
    amount = fields.String(required=True, validate=validate.Regexp(
        r"^-?[0-9]{1,10}(\.[0-9]{1,2})?$"), metadata={
        "description": "Money as a decimal string, at most two decimals, e.g. \"250.00\"."})
    reason = fields.String(required=True, validate=validate.Length(1, 2000))
    run = fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID), metadata={
        "description": "A clawback: the run it corrects."})


class PayEntrySchema(Schema):
    id = fields.Integer()
    kam = fields.String(attribute="kam_code")
    period = fields.Function(lambda e: e.pay_period.code)
    kind = fields.Function(lambda e: e.kind.value)
    amount = fields.Function(lambda e: str(e.amount))
    currency = fields.String()
    reason = fields.String()
    run = fields.Integer(attribute="run_id", allow_none=True)
    entered_by = fields.String()
    entered_at = fields.DateTime()
    approved_by = fields.String(allow_none=True, metadata={
        "description": "null: waiting for approval (not paid)."})
    approved_at = fields.DateTime(allow_none=True)


class BalanceSchema(Schema):
    kam = fields.String(attribute="kam_code")
    name = fields.String(attribute="kam_name")
    draw = fields.Function(lambda b: None if b.draw is None else str(b.draw), metadata={
        "description": "The draw per period (null: none)."})
    recoverable = fields.Boolean(allow_none=True)
    recovery_limit = fields.Function(lambda b: str(b.recovery_limit), metadata={
        "description": "Percent of a period's earnings recovered at most."})
    owed = fields.Function(lambda b: str(b.owed))
    recovered = fields.Function(lambda b: str(b.recovered))
    outstanding = fields.Function(lambda b: str(b.outstanding))
