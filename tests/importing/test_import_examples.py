"""The example files: they import cleanly in order, land as written, and import again as no-ops."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select

from kamscore.importing import import_kinds
from kamscore.models import (
    Account,
    AccountPlan,
    Assignment,
    Base,
    Fact,
    Period,
    PeriodKind,
    Person,
    Role,
    Stakeholder,
    Team,
)


def _data_rows(path) -> int:
    return sum(1 for _ in csv.DictReader(io.StringIO(path.read_text())))


def _snapshot(db) -> dict[str, list[tuple]]:
    """Every data table's rows (the audit log, which records each import, left out)."""
    with db.session() as session:
        return {
            table.name: sorted(tuple(map(str, row)) for row in session.execute(select(table)))
            for table in Base.metadata.sorted_tables if table.name != "audit_event"
        }


def test_examples_import_in_dependency_order(org, examples):
    for kind, report in org.items():
        assert report.rows == _data_rows(examples / f"{kind}.csv"), kind
        totals = report.totals
        assert totals.created > 0 and totals.updated == totals.deleted == 0, kind
    assert org["teams"].tables["team"].created == 2
    assert org["teams"].tables["team_member"].created == 7
    assert org["plans"].tables["account_plan"].created == 3
    assert org["plans"].tables["plan_objective"].created == 3
    assert org["plans"].tables["plan_action"].created == 3


def test_imported_values_land_as_written(org, db):
    with db.session() as session:
        amira = session.scalar(select(Person).where(Person.code == "E1003"))
        assert amira.manager.code == "E1001"
        assert amira.role is Role.KAM
        assert amira.base_salary == 79500.5
        assert amira.start_date == dt.date(2023, 9, 1)

        north = session.scalar(select(Team).where(Team.code == "T-NORTH"))
        assert north.lead.code == "E1002"
        assert {(m.person.code, m.function) for m in north.members} == {
            ("E1002", Role.KAM),
            ("E2001", Role.MSL),
            ("E2002", Role.MARKET_ACCESS),
            ("E1003", Role.KAM),
        }

        q1 = session.scalar(select(Period).where(Period.code == "2026-Q1"))
        assert (q1.kind, q1.start_date, q1.end_date) == (
            PeriodKind.QUARTER,
            dt.date(2026, 1, 1),
            dt.date(2026, 3, 31),
        )
        year = session.scalar(select(Period).where(Period.code == "2026"))
        assert year.kind is PeriodKind.YEAR and year.end_date == dt.date(2026, 12, 31)

        account = session.scalar(select(Account).where(Account.code == "A004"))
        assert (account.type.value, account.segment, account.team.code) == (
            "payer",
            "strategic",
            "T-SOUTH",
        )
        shared = session.scalars(
            select(Assignment).join(Assignment.account).where(Account.code == "A002")
        ).all()
        assert sorted(a.share for a in shared) == [0.5, 0.5]

        keller = session.scalar(
            select(Stakeholder).where(Stakeholder.email == "m.keller@st-anna.example.org")
        )
        assert (keller.influence, keller.partnership_level, keller.is_key, keller.language) == (
            5,
            4,
            True,
            "de",
        )

        listed = session.scalar(
            select(Fact).where(Fact.name == "formulary_status", Fact.category == "listed")
        )
        assert listed.value is None
        assert listed.subject_key == Fact.make_subject_key(account="A004", product="ONC-101")
        team_sales = session.scalar(select(Fact).where(Fact.subject_key == "team:T-NORTH"))
        assert team_sales.value == 1180000

        plan = session.scalar(
            select(AccountPlan).join(AccountPlan.account).where(Account.code == "A001")
        )
        assert plan.owner.code == "E1002" and plan.quality_rating == 4
        assert {o.code: o.met for o in plan.objectives} == {"O1": True, "O2": True}
        assert {a.code: a.done_date for a in plan.actions} == {
            "X1": dt.date(2026, 2, 10),
            "X2": None,
        }
        empty_plan = session.scalar(
            select(AccountPlan).join(AccountPlan.account).where(Account.code == "A006")
        )
        assert empty_plan.objectives == [] and empty_plan.actions == []


def test_importing_the_same_files_again_changes_nothing(org, run_import, examples, db):
    before = _snapshot(db)
    for kind in import_kinds():
        report = run_import(kind, (examples / f"{kind}.csv").read_bytes())
        totals = report.totals
        assert (totals.created, totals.updated, totals.deleted) == (0, 0, 0), kind
        assert totals.unchanged == org[kind].totals.created, kind
    assert _snapshot(db) == before


def test_a_changed_row_is_an_update_and_the_rest_unchanged(org, run_import, examples, db):
    text = (
        (examples / "facts.csv")
        .read_text()
        .replace(
            "2026-Q1,net_sales,A001,,,ONC-101,412000,", "2026-Q1,net_sales,A001,,,ONC-101,415500,"
        )
    )
    report = run_import("facts", text)
    counts = report.tables["fact"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 12)
    with db.session() as session:
        value = session.scalar(
            select(Fact.value).where(
                Fact.subject_key == "account:A001/product:ONC-101", Fact.name == "net_sales"
            )
        )
    assert value == 415500


def test_dry_run_reports_but_writes_nothing(run_import, examples, count):
    report = run_import("periods", (examples / "periods.csv").read_bytes(), dry_run=True)
    assert report.dry_run and report.tables["period"].created == 6
    assert count(Period) == 0
