"""Key accounts, KAM assignments to accounts, and the stakeholders of each account's DMU."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import Any

from marshmallow import Schema, ValidationError, post_load, validates_schema
from sqlalchemy.orm import Session

from kamscore.importing import fields as f
from kamscore.importing.base import ImportContext, Importer, LoadedRow, spans_overlap, unknown
from kamscore.importing.changes import TableChanges, diff, load_existing
from kamscore.importing.lookup import closed_spans, ids_by_code, rows_where_in
from kamscore.models import (
    Account,
    AccountType,
    Assignment,
    ChosenBy,
    Person,
    Stakeholder,
    StakeholderRole,
    Team,
)
from kamscore.sentences import N_
from kamscore.texts import _l


class AccountRow(Schema):
    code = f.code(Account.code)
    name = f.text(Account.name, required=True)
    type = f.choice(AccountType)
    segment = f.text(Account.segment, required=True)
    region = f.text(Account.region)
    team = f.code(Team.code, required=False)


class AccountImporter(Importer):
    kind = "accounts"
    schema = AccountRow
    summary = _l("Key accounts by code: type (hospital, idn, payer, gpo), segment, region, "
                 "team.")

    def key(self, data: dict[str, Any]) -> Hashable:
        return data["code"]

    def prepare(
        self, session: Session, rows: list[LoadedRow], context: ImportContext
    ) -> list[TableChanges]:
        teams = ids_by_code(session, Team, (r.data["team"] for r in rows if r.data["team"]))
        unknown(context.errors, rows, "team", "team", teams)
        compared = [
            {"team": "team_id"}.get(c, c)
            for c in ("name", "type", "segment", "region", "team")
            if context.has(c)
        ]
        existing = load_existing(
            session,
            Account,
            ["code"],
            compared,
            among=(Account.code, [r.data["code"] for r in rows]),
        )
        incoming = {}
        for row in rows:
            values = {k: v for k, v in row.data.items() if k != "team"}
            values["team_id"] = teams.get(row.data["team"]) if row.data["team"] else None
            incoming[(row.data["code"],)] = (row.line, values)
        return [diff(Account, existing, incoming, compared)]


class AssignmentRow(Schema):
    person = f.code(Person.code)
    account = f.code(Account.code)
    start_date = f.date(required=True)
    end_date = f.date()
    share = f.number(default=1.0, min=0, min_inclusive=False, max=1)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data["end_date"] is not None and data["end_date"] < data["start_date"]:
            raise ValidationError([f.BEFORE_START], "end_date")


class AssignmentImporter(Importer):
    """A KAM's responsibility for an account over a span of dates (end date inclusive).

    Spans of one person on one account may not overlap. A change that would alter who was
    responsible on a day of a closed period is refused: that period's payouts are final.
    """

    kind = "assignments"
    schema = AssignmentRow
    summary = _l("Which KAM is responsible for which account, from start_date to "
                 "end_date.")

    def key(self, data: dict[str, Any]) -> Hashable:
        return (data["person"], data["account"], data["start_date"])

    def prepare(
        self, session: Session, rows: list[LoadedRow], context: ImportContext
    ) -> list[TableChanges]:
        errors = context.errors
        people = ids_by_code(session, Person, (r.data["person"] for r in rows))
        accounts = ids_by_code(session, Account, (r.data["account"] for r in rows))
        unknown(errors, rows, "person", "person", people)
        unknown(errors, rows, "account", "account", accounts)
        rows = [r for r in rows if r.data["person"] in people and r.data["account"] in accounts]

        compared = [c for c in ("end_date", "share") if context.has(c)]
        key_columns = ["person_id", "account_id", "start_date"]
        existing = load_existing(
            session,
            Assignment,
            key_columns,
            ["end_date", "share"],
            among=(Assignment.person_id, [people[r.data["person"]] for r in rows]),
        )
        incoming = {}
        for row in rows:
            values = {
                "person_id": people[row.data["person"]],
                "account_id": accounts[row.data["account"]],
                "start_date": row.data["start_date"],
                "end_date": row.data["end_date"],
                "share": row.data["share"],
            }
            incoming[tuple(values[c] for c in key_columns)] = (row.line, values)
        changes = diff(Assignment, existing, incoming, compared)
        self._refuse_overlaps(existing, incoming, context)
        self._refuse_closed(session, existing, incoming, changes, compared, context)
        return [changes]

    @staticmethod
    def _refuse_overlaps(existing, incoming, context: ImportContext) -> None:  # type: ignore[no-untyped-def]
        spans: dict[tuple[int, int], list[tuple[dt.date, dt.date | None, int]]] = {}
        for key, stored in existing.items():
            if key not in incoming:
                spans.setdefault(key[:2], []).append((key[2], stored["end_date"], 0))
        for key, (line, values) in incoming.items():
            spans.setdefault(key[:2], []).append((key[2], values["end_date"], line))
        for items in spans.values():
            items.sort(key=lambda item: item[0])
            for i, (s1, e1, l1) in enumerate(items):
                for s2, e2, l2 in items[i + 1 :]:
                    if spans_overlap(s1, e1, s2, e2) and (l1 or l2):
                        context.errors.add(
                            l2 or l1,
                            "start_date",
                            N_("overlaps this person's assignment to the account from "
                               "%(start)s", start=str(s1 if l2 else s2)),
                        )

    @staticmethod
    def _refuse_closed(session, existing, incoming, changes, compared, context) -> None:  # type: ignore[no-untyped-def]
        closed = closed_spans(session)
        if not closed:
            return
        changed_lines = {line for line, _ in (*changes.inserts, *changes.updates)}
        for key, (line, values) in incoming.items():
            if line not in changed_lines:
                continue
            stored = existing.get(key)
            new = (values["start_date"], values["end_date"] or dt.date.max)
            if stored is None or ("share" in compared and stored["share"] != values["share"]):
                touched = [new]
                if stored is not None:
                    touched.append((key[2], stored["end_date"] or dt.date.max))
            else:
                touched = _changed_days(new, (key[2], stored["end_date"] or dt.date.max))
            for code, start, end in closed:
                if any(spans_overlap(a, b, start, end) for a, b in touched):
                    context.errors.add(
                        line,
                        "end_date" if stored else "start_date",
                        N_("period %(period)s is closed: who was responsible in it cannot "
                           "change", period=code),
                    )
                    break


def _changed_days(
    new: tuple[dt.date, dt.date], old: tuple[dt.date, dt.date]
) -> list[tuple[dt.date, dt.date]]:
    """The days covered by exactly one of two spans with the same start (the end moved)."""
    (_, new_end), (_, old_end) = new, old
    if new_end == old_end:
        return []
    low, high = sorted((new_end, old_end))
    return [(low + dt.timedelta(days=1), high)]


class StakeholderRow(Schema):
    account = f.code(Account.code)
    email = f.email(Stakeholder.email, required=True)
    name = f.text(Stakeholder.name, required=True)
    role = f.choice(StakeholderRole)
    influence = f.integer(default=3, low=1, high=5)
    partnership_level = f.integer(default=1, low=1, high=5)
    is_key = f.boolean(default=False)
    language = f.text(Stakeholder.language, default="en")
    #: Who chose him to be asked about the account: kam, manager or organisation (empty).
    chosen_by = f.choice(ChosenBy, required=False, default=ChosenBy.ORGANISATION)

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "email": data["email"].lower(), "language": data["language"].lower()}


class StakeholderImporter(Importer):
    kind = "stakeholders"
    schema = StakeholderRow
    summary = _l("Members of an account's decision-making unit, by account and e-mail, and "
                 "who chose them (kam, manager or organisation).")

    FIELDS = ("name", "role", "influence", "partnership_level", "is_key", "language",
              "chosen_by")

    def key(self, data: dict[str, Any]) -> Hashable:
        return (data["account"], data["email"])

    def prepare(
        self, session: Session, rows: list[LoadedRow], context: ImportContext
    ) -> list[TableChanges]:
        accounts = ids_by_code(session, Account, (r.data["account"] for r in rows))
        unknown(context.errors, rows, "account", "account", accounts)
        compared = [c for c in self.FIELDS if context.has(c)]
        existing = {
            (account_id, email.lower()): {"id": id_, **dict(zip(self.FIELDS, rest, strict=True))}
            for id_, account_id, email, *rest in rows_where_in(
                session,
                [
                    Stakeholder.id,
                    Stakeholder.account_id,
                    Stakeholder.email,
                    *(getattr(Stakeholder, c) for c in self.FIELDS),
                ],
                Stakeholder.account_id,
                accounts.values(),
            )
        }
        incoming = {}
        for row in rows:
            if row.data["account"] not in accounts:
                continue
            values = {k: v for k, v in row.data.items() if k != "account"}
            values["account_id"] = accounts[row.data["account"]]
            incoming[(values["account_id"], values["email"])] = (row.line, values)
        return [diff(Stakeholder, existing, incoming, compared)]
