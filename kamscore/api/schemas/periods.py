"""Periods and products (with their lifecycle phase per period)."""

from __future__ import annotations

from marshmallow import Schema, fields

from kamscore.api.schemas.common import code_of
from kamscore.models import LifecyclePhase, PeriodKind, PeriodStatus


class PeriodSchema(Schema):
    code = fields.String()
    kind = fields.Enum(PeriodKind, by_value=True)
    start_date = fields.Date()
    end_date = fields.Date()
    status = fields.Enum(PeriodStatus, by_value=True)
    closed_at = fields.DateTime(allow_none=True)


class PeriodQuery(Schema):
    kind = fields.Enum(PeriodKind, by_value=True)
    status = fields.Enum(PeriodStatus, by_value=True)


class ProductPhaseSchema(Schema):
    period = code_of("period")
    phase = fields.Enum(LifecyclePhase, by_value=True)


class ProductSchema(Schema):
    code = fields.String()
    name = fields.String()
    therapeutic_area = fields.String(allow_none=True)
    phases = fields.List(fields.Nested(ProductPhaseSchema))


class ProductQuery(Schema):
    therapeutic_area = fields.String()
