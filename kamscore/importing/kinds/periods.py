"""Periods, products, and the lifecycle phase of each product in each period."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Hashable
from typing import Any

from marshmallow import Schema, ValidationError, post_load, validates_schema
from sqlalchemy.orm import Session

from kamscore.importing import fields as f
from kamscore.importing.base import (
    ImportContext,
    Importer,
    LoadedRow,
    refuse_closed,
    spans_overlap,
    unknown,
)
from kamscore.importing.changes import TableChanges, diff, load_existing
from kamscore.importing.lookup import PeriodIndex, ids_by_code
from kamscore.models import LifecyclePhase, Period, PeriodKind, PeriodStatus, Product, ProductPhase
from kamscore.sentences import N_
from kamscore.texts import _l

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^(\d{4})$")


def period_from_code(code: str) -> tuple[PeriodKind, dt.date, dt.date] | None:
    """Kind and dates of a canonical period code: ``2026``, ``2026-Q1``, ``2026-03``."""
    if match := _YEAR.match(code):
        year = int(match[1])
        return PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31)
    if match := _QUARTER.match(code):
        year, quarter = int(match[1]), int(match[2])
        first = 3 * quarter - 2
        last = first + 2
        return (
            PeriodKind.QUARTER,
            dt.date(year, first, 1),
            dt.date(year, last, calendar.monthrange(year, last)[1]),
        )
    if match := _MONTH.match(code):
        year, month = int(match[1]), int(match[2])
        return (
            PeriodKind.MONTH,
            dt.date(year, month, 1),
            dt.date(year, month, calendar.monthrange(year, month)[1]),
        )
    return None


class PeriodRow(Schema):
    code = f.code(Period.code)
    kind = f.choice(PeriodKind, required=False)
    start_date = f.date()
    end_date = f.date()

    @validates_schema
    def _derive(self, data: dict[str, Any], **_: Any) -> None:
        """Fill kind and dates from a canonical code; check them when they are also given."""
        derived = period_from_code(data["code"])
        given = {name: data.get(name) for name in ("kind", "start_date", "end_date")}
        if derived is None:
            missing = [name for name, value in given.items() if value is None]
            if missing:
                raise ValidationError(
                    {
                        name: [N_("needed: the code '%(code)s' is not of the form 2026, "
                                  "2026-Q1 or 2026-03", code=data["code"])]
                        for name in missing
                    }
                )
        else:
            problems = {
                name: [N_("does not match the code %(code)s (%(value)s)", code=data["code"],
                          value=str(value))]
                for (name, value) in zip(given, derived, strict=True)
                if given[name] is not None and given[name] != value
            }
            if problems:
                raise ValidationError(problems)
            return
        if data["end_date"] < data["start_date"]:
            raise ValidationError([f.BEFORE_START], "end_date")

    @post_load
    def _fill(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        derived = period_from_code(data["code"])
        if derived is None:
            return data
        return {**data, **dict(zip(("kind", "start_date", "end_date"), derived, strict=True))}


class PeriodImporter(Importer):
    kind = "periods"
    schema = PeriodRow
    summary = _l("Periods (month, quarter, year) by code; kind and dates follow from 2026-Q1 "
                 "etc.")

    def key(self, data: dict[str, Any]) -> Hashable:
        return data["code"]

    def prepare(
        self, session: Session, rows: list[LoadedRow], context: ImportContext
    ) -> list[TableChanges]:
        compared = ["kind", "start_date", "end_date"]
        existing = load_existing(
            session,
            Period,
            ["code"],
            [*compared, "status"],
            among=(Period.code, [row.data["code"] for row in rows]),
        )
        incoming = {
            (row.data["code"],): (row.line, {**row.data, "status": PeriodStatus.OPEN})
            for row in rows
        }
        changes = diff(Period, existing, incoming, compared)
        closed_lines = {
            line: values["code"]
            for line, values in incoming.values()
            if existing.get((values["code"],), {}).get("status") is PeriodStatus.CLOSED
        }
        refuse_closed(context.errors, changes, closed_lines, lambda code: N_(
            "period %(period)s is closed: its dates are frozen", period=code))
        self._refuse_overlaps(session, rows, context)
        return [changes]

    @staticmethod
    def _refuse_overlaps(session: Session, rows: list[LoadedRow], context: ImportContext) -> None:
        """Two periods of one kind may not share a day (a payout would count it twice)."""
        spans: dict[str, tuple[PeriodKind, dt.date, dt.date, int]] = {
            code: (kind, start, end, 0)
            for code, kind, start, end in session.execute(
                Period.__table__.select().with_only_columns(
                    Period.code, Period.kind, Period.start_date, Period.end_date
                )
            ).all()
        }
        for row in rows:
            data = row.data
            spans[data["code"]] = (data["kind"], data["start_date"], data["end_date"], row.line)
        by_kind: dict[PeriodKind, list[tuple[dt.date, dt.date, str, int]]] = {}
        for code, (kind, start, end, line) in spans.items():
            by_kind.setdefault(kind, []).append((start, end, code, line))
        for items in by_kind.values():
            items.sort()
            for i, (s1, e1, c1, l1) in enumerate(items):
                for s2, e2, c2, l2 in items[i + 1 :]:
                    if s2 > e1:
                        break
                    if spans_overlap(s1, e1, s2, e2) and (l1 or l2):
                        line, other = (l2, c1) if l2 else (l1, c2)
                        context.errors.add(line, "start_date",
                                           N_("overlaps period %(other)s", other=other))


class ProductRow(Schema):
    code = f.code(Product.code)
    name = f.text(Product.name, required=True)
    therapeutic_area = f.text(Product.therapeutic_area)


class ProductImporter(Importer):
    kind = "products"
    schema = ProductRow
    summary = _l("Products by code, with their therapeutic area.")

    def key(self, data: dict[str, Any]) -> Hashable:
        return data["code"]

    def prepare(
        self, session: Session, rows: list[LoadedRow], context: ImportContext
    ) -> list[TableChanges]:
        compared = [c for c in ("name", "therapeutic_area") if context.has(c)]
        existing = load_existing(
            session,
            Product,
            ["code"],
            compared,
            among=(Product.code, [row.data["code"] for row in rows]),
        )
        incoming = {(row.data["code"],): (row.line, dict(row.data)) for row in rows}
        return [diff(Product, existing, incoming, compared)]


class ProductPhaseRow(Schema):
    product = f.code(Product.code)
    period = f.code(Period.code)
    phase = f.choice(LifecyclePhase)


class ProductPhaseImporter(Importer):
    kind = "product_phases"
    schema = ProductPhaseRow
    summary = _l("The lifecycle phase of a product in a period (pre_launch ... "
                 "loss_of_exclusivity).")

    def key(self, data: dict[str, Any]) -> Hashable:
        return (data["product"], data["period"])

    def prepare(
        self, session: Session, rows: list[LoadedRow], context: ImportContext
    ) -> list[TableChanges]:
        errors = context.errors
        products = ids_by_code(session, Product, (r.data["product"] for r in rows))
        periods = PeriodIndex(session, (r.data["period"] for r in rows))
        unknown(errors, rows, "product", "product", products)
        unknown(errors, rows, "period", "period", periods.ids)
        resolved = [
            r for r in rows if r.data["product"] in products and r.data["period"] in periods.ids
        ]
        incoming = {}
        closed_lines = {}
        for row in resolved:
            values = {
                "product_id": products[row.data["product"]],
                "period_id": periods.ids[row.data["period"]],
                "phase": row.data["phase"],
            }
            incoming[(values["product_id"], values["period_id"])] = (row.line, values)
            if values["period_id"] in periods.closed_ids:
                closed_lines[row.line] = row.data["period"]
        existing = load_existing(
            session,
            ProductPhase,
            ["product_id", "period_id"],
            ["phase"],
            among=(ProductPhase.period_id, list(periods.ids.values())),
        )
        changes = diff(ProductPhase, existing, incoming, ["phase"])
        refuse_closed(errors, changes, closed_lines, lambda code: N_(
            "period %(period)s is closed: its product phases are frozen", period=code))
        return [changes]
