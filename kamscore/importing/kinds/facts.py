"""Facts: one quantitative (or categorical) number about an account, KAM or team in a period."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy.orm import Session

from kamscore.importing import fields as f
from kamscore.importing.base import ImportContext, Importer, LoadedRow, refuse_closed, unknown
from kamscore.importing.changes import TableChanges, diff, load_existing
from kamscore.importing.kinds.fact_columns import (
    NAME_MESSAGE,
    NAME_PATTERN,
    NO_SUBJECT,
    VALUE_OR_CATEGORY,
    fact_key,
)
from kamscore.importing.lookup import PeriodIndex, ids_by_code
from kamscore.models import Account, Fact, Period, Person, Product, Team
from kamscore.sentences import N_, Sentence
from kamscore.texts import _l

SUBJECTS = (("account", Account), ("person", Person), ("team", Team), ("product", Product))


class FactRow(Schema):
    period = f.code(Period.code)
    name = fields.String(
        required=True,
        error_messages={"required": [f.REQUIRED]},
        validate=[f.MaxLength(f.column_length(Fact.name)), f.Matches(NAME_PATTERN, NAME_MESSAGE)],
    )
    account = f.code(Account.code, required=False)
    person = f.code(Person.code, required=False)
    team = f.code(Team.code, required=False)
    product = f.code(Product.code, required=False)
    value = f.number()
    category = f.text(Fact.category)
    item = f.text(Fact.item)
    unit = f.text(Fact.unit, required=True)
    source = f.text(Fact.source)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if not (data["account"] or data["person"] or data["team"]):
            raise ValidationError([NO_SUBJECT], "account")
        if (data["value"] is None) == (data["category"] is None):
            raise ValidationError([VALUE_OR_CATEGORY], "value")


class FactImporter(Importer):
    """Facts are keyed by period, name and subject (the codes of account, person, team and
    product, and the ``item`` — the order or deal — when a figure is given transaction by
    transaction); a fact without a ``source`` cell records the file name as its source."""

    kind = "facts"
    schema = FactRow
    summary = _l("Numbers per period and subject: net_sales, sales_target, market_share, "
                 "...")

    def key(self, data: dict[str, Any]) -> Hashable:
        return (
            data["period"],
            data["name"],
            Fact.make_subject_key(data["account"], data["person"], data["team"], data["product"],
                                  data["item"] or None),
        )

    def describe_key(self, key: Hashable) -> Sentence:
        period, name, subject = key  # type: ignore[misc]
        return fact_key(name, subject, period)

    def prepare(
        self, session: Session, rows: list[LoadedRow], context: ImportContext
    ) -> list[TableChanges]:
        errors = context.errors
        periods = PeriodIndex(session, {r.data["period"] for r in rows})
        unknown(errors, rows, "period", "period", periods.ids)
        ids: dict[str, dict[str, int]] = {}
        for column, model in SUBJECTS:
            ids[column] = ids_by_code(
                session, model, {r.data[column] for r in rows if r.data[column]}
            )
            unknown(errors, rows, column, column, ids[column])

        compared = ["value", "category", "unit", *(["source"] if context.has("source") else [])]
        existing = load_existing(
            session,
            Fact,
            ["period_id", "name", "subject_key"],
            compared,
            among=(Fact.period_id, list(periods.ids.values())),
        )
        incoming: dict[Hashable, tuple[int, dict[str, Any]]] = {}
        closed_lines: dict[int, str] = {}
        source = context.filename[: f.column_length(Fact.source)]
        account_ids, person_ids, team_ids, product_ids = (
            ids["account"],
            ids["person"],
            ids["team"],
            ids["product"],
        )
        for row in rows:
            data = row.data
            period_id = periods.ids.get(data["period"])
            if period_id is None:
                continue
            values = {
                "period_id": period_id,
                "name": data["name"],
                "subject_key": Fact.make_subject_key(
                    data["account"], data["person"], data["team"], data["product"],
                    data["item"] or None,
                ),
                "item": data["item"] or None,
                "account_id": account_ids.get(data["account"]),
                "person_id": person_ids.get(data["person"]),
                "team_id": team_ids.get(data["team"]),
                "product_id": product_ids.get(data["product"]),
                "value": data["value"],
                "category": data["category"],
                "unit": data["unit"],
                "source": data["source"] or source,
            }
            incoming[(period_id, values["name"], values["subject_key"])] = (row.line, values)
            if period_id in periods.closed_ids:
                closed_lines[row.line] = data["period"]
        changes = diff(Fact, existing, incoming, compared)
        refuse_closed(errors, changes, closed_lines, lambda code: N_(
            "period %(period)s is closed: its facts are frozen", period=code))
        return [changes]
