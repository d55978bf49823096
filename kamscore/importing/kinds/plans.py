"""Account plans: one plan per account and period, with its objectives and actions."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from marshmallow import Schema, ValidationError, post_load, validates_schema
from sqlalchemy.orm import Session

from kamscore.importing import fields as f
from kamscore.importing.base import ImportContext, Importer, LoadedRow, refuse_closed, unknown
from kamscore.importing.changes import Progress, TableChanges, diff, load_existing
from kamscore.importing.lookup import PeriodIndex, ids_by_code, rows_where_in
from kamscore.models import Account, AccountPlan, Period, Person, PlanAction, PlanObjective
from kamscore.sentences import N_, Sentence
from kamscore.texts import _l

OBJECTIVE_ONLY = ("target", "actual", "met")
ACTION_ONLY = ("due_date", "done_date")

#: Why a row of an objective or an action lacks a cell, or has one it must not have.
NEEDS = {
    ("objective", "code"): N_("every objective needs a code"),
    ("objective", "description"): N_("every objective needs a description"),
    ("action", "code"): N_("every action needs a code"),
    ("action", "description"): N_("every action needs a description"),
}
NOT_FOR = {"objective": N_("does not apply to an objective"),
           "action": N_("does not apply to an action")}
#: Why an item of a closed period's plan cannot be removed (the period's and item's codes).
REMOVED = {
    "objective": lambda period, code: N_(
        "period %(period)s is closed: objective %(code)s cannot be removed from its plan",
        period=period, code=code),
    "action": lambda period, code: N_(
        "period %(period)s is closed: action %(code)s cannot be removed from its plan",
        period=period, code=code),
}


def plans_frozen(code: str) -> Sentence:
    """Why a closed period's plan cannot change."""
    return N_("period %(period)s is closed: its account plans are frozen", period=code)


class PlanRow(Schema):
    account = f.code(Account.code)
    period = f.code(Period.code)
    owner = f.code(Person.code)
    quality_rating = f.integer(low=1, high=5)
    rated_by = f.code(Person.code, required=False)
    item = f.text(PlanObjective.code)  # "objective", "action", or empty for the plan alone
    code = f.code(PlanObjective.code, required=False)
    description = f.text(PlanObjective.description)
    target = f.number()
    actual = f.number()
    met = f.boolean()
    due_date = f.date()
    done_date = f.date()

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        item = (data["item"] or "").lower()
        details = [
            c for c in ("code", "description", *OBJECTIVE_ONLY, *ACTION_ONLY) if data[c] is not None
        ]
        if not item:
            if details:
                raise ValidationError(
                    {c: [N_("needs item = objective or action on the same row")]
                     for c in details}
                )
            return
        errors: dict[str, list[Sentence]] = {}
        if item not in ("objective", "action"):
            errors["item"] = [N_("must be objective or action (or empty for the plan alone)")]
        else:
            for column in ("code", "description"):
                if data[column] is None:
                    errors[column] = [NEEDS[item, column]]
            wrong = ACTION_ONLY if item == "objective" else OBJECTIVE_ONLY
            for column in wrong:
                if data[column] is not None:
                    errors[column] = [NOT_FOR[item]]
            if item == "action" and data["due_date"] is None:
                errors["due_date"] = [N_("every action needs a due date")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "item": (data["item"] or "").lower() or None}


class PlanImporter(Importer):
    """One row per objective or action; the plan's columns repeat on each of its rows.

    A row with an empty ``item`` declares a plan without items. The file gives the complete
    list of items of each plan it names: items no longer listed are removed. Plans of a closed
    period cannot change.
    """

    kind = "plans"
    schema = PlanRow
    summary = _l("Account plans per account and period, one row per objective or action.")

    PLAN_COLUMNS = {
        "owner": "owner_id",
        "quality_rating": "quality_rating",
        "rated_by": "rated_by_id",
    }

    def key(self, data: dict[str, Any]) -> Hashable:
        item = data["item"]
        return (data["account"], data["period"], item, data["code"] if item else None)

    def describe_key(self, key: Hashable) -> Sentence:
        account, period, item, code = key  # type: ignore[misc]
        if item == "objective":
            return N_("objective %(code)s of the plan of %(account)s for %(period)s",
                      code=code, account=account, period=period)
        if item == "action":
            return N_("action %(code)s of the plan of %(account)s for %(period)s",
                      code=code, account=account, period=period)
        return N_("the plan of %(account)s for %(period)s", account=account, period=period)

    def prepare(
        self, session: Session, rows: list[LoadedRow], context: ImportContext
    ) -> list[TableChanges]:
        errors = context.errors
        accounts = ids_by_code(session, Account, {r.data["account"] for r in rows})
        periods = PeriodIndex(session, {r.data["period"] for r in rows})
        people = ids_by_code(
            session, Person, {r.data[c] for r in rows for c in ("owner", "rated_by") if r.data[c]}
        )
        unknown(errors, rows, "account", "account", accounts)
        unknown(errors, rows, "period", "period", periods.ids)
        unknown(errors, rows, "owner", "person", people)
        unknown(errors, rows, "rated_by", "person", people)
        rows = [
            r for r in rows if r.data["account"] in accounts and r.data["period"] in periods.ids
        ]

        plans: dict[tuple[int, int], tuple[int, dict[str, Any]]] = {}
        closed_lines: dict[int, str] = {}
        for row in rows:
            data = row.data
            values = {
                "account_id": accounts[data["account"]],
                "period_id": periods.ids[data["period"]],
                "owner_id": people.get(data["owner"]),
                "quality_rating": data["quality_rating"],
                "rated_by_id": people.get(data["rated_by"]) if data["rated_by"] else None,
            }
            key = (values["account_id"], values["period_id"])
            first_line, first = plans.setdefault(key, (row.line, values))
            for column, attr in self.PLAN_COLUMNS.items():
                if first[attr] != values[attr]:
                    errors.add(row.line, column, N_("differs from line %(line)s of this plan",
                                                    line=first_line))
            if values["period_id"] in periods.closed_ids:
                closed_lines[row.line] = data["period"]
        compared = [attr for column, attr in self.PLAN_COLUMNS.items() if context.has(column)]
        stored_plans = load_existing(
            session,
            AccountPlan,
            ["account_id", "period_id"],
            compared,
            among=(AccountPlan.account_id, [k[0] for k in plans]),
        )
        stored_plans = {k: v for k, v in stored_plans.items() if k in plans}
        plan_changes = diff(AccountPlan, stored_plans, plans, compared)
        refuse_closed(errors, plan_changes, closed_lines, plans_frozen)

        if not context.has("item"):
            return [plan_changes]
        plan_ids = {key: stored["id"] for key, stored in stored_plans.items()}
        plan_lines = {key: line for key, (line, _) in plans.items()}
        resolved = (accounts, periods, plan_ids, plan_lines, closed_lines)
        return [
            plan_changes,
            self._items(
                session,
                PlanObjective,
                "objective",
                ["description", "target", "actual", "met"],
                rows,
                resolved,
                context,
            ),
            self._items(
                session,
                PlanAction,
                "action",
                ["description", "due_date", "done_date"],
                rows,
                resolved,
                context,
            ),
        ]

    @staticmethod
    def _items(session, model, item, columns, rows, resolved, context) -> TableChanges:  # type: ignore[no-untyped-def]
        """The objectives (or actions) of the file's plans, brought in sync with the file."""
        accounts, periods, plan_ids, plan_lines, closed_lines = resolved
        key_of_plan = {id_: key for key, id_ in plan_ids.items()}
        stored = {
            (*key_of_plan[plan_id], code): {"id": id_, **dict(zip(columns, rest, strict=True))}
            for id_, plan_id, code, *rest in rows_where_in(
                session,
                [model.id, model.plan_id, model.code, *(getattr(model, c) for c in columns)],
                model.plan_id,
                plan_ids.values(),
            )
        }
        wanted = {}
        for row in rows:
            if row.data["item"] != item:
                continue
            plan_key = (accounts[row.data["account"]], periods.ids[row.data["period"]])
            values = {
                "plan_id": plan_ids.get(plan_key),
                "_plan": plan_key,
                "code": row.data["code"],
                **{column: row.data[column] for column in columns},
            }
            wanted[(*plan_key, row.data["code"])] = (row.line, values)
        changes = diff(model, stored, wanted, [c for c in columns if context.has(c)])
        changes.deletes = [record["id"] for key, record in stored.items() if key not in wanted]
        refuse_closed(context.errors, changes, closed_lines, plans_frozen)
        for key in stored:
            if key not in wanted and key[1] in periods.closed_ids:
                context.errors.add(
                    plan_lines[key[:2]],
                    "item",
                    REMOVED[item](periods.codes[key[1]], key[2]),
                )
        return changes

    def write(self, session: Session, changes: list[TableChanges], progress: Progress) -> None:
        plan_changes, *item_changes = changes
        plan_changes.write(session, progress)
        if not item_changes:
            return
        ids = {
            (account_id, period_id): id_
            for id_, account_id, period_id in rows_where_in(
                session,
                [AccountPlan.id, AccountPlan.account_id, AccountPlan.period_id],
                AccountPlan.account_id,
                {values["_plan"][0] for table in item_changes for _, values in table.inserts},
            )
        }
        for table in item_changes:
            for _, values in table.inserts:
                plan_key = values.pop("_plan")
                if values["plan_id"] is None:
                    values["plan_id"] = ids[plan_key]
            table.write(session, progress)
