"""A closed period is frozen: imports may not change its facts, phases, plans or assignments."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kamscore.models import Account, Assignment, Fact, Person, PlanAction

FACTS_HEADER = "period,name,account,product,value,category,unit,source\n"


@pytest.fixture
def closed_q1(org, close_period):
    close_period("2026-Q1")


def test_reimporting_unchanged_rows_of_a_closed_period_succeeds(closed_q1, run_import, examples):
    for kind in ("facts", "product_phases", "plans", "assignments", "periods"):
        report = run_import(kind, (examples / f"{kind}.csv").read_bytes())
        totals = report.totals
        assert (totals.created, totals.updated, totals.deleted) == (0, 0, 0), kind


def test_changed_and_new_facts_in_a_closed_period_are_refused(closed_q1, rejected, db, count):
    before = count(Fact)
    text = (
        FACTS_HEADER
        + "2026-Q1,net_sales,A001,ONC-101,999,,EUR,ERP\n"  # changes a stored fact
        + "2026-Q1,net_sales,A006,,5,,EUR,ERP\n"  # a new fact in the closed period
        + "2026-Q2,net_sales,A006,,5,,EUR,ERP\n"  # fine on its own, but the file is refused
    )
    errors = rejected("facts", text)
    assert errors == {
        (2, "period"): "period 2026-Q1 is closed: its facts are frozen",
        (3, "period"): "period 2026-Q1 is closed: its facts are frozen",
    }
    assert count(Fact) == before
    with db.session() as session:
        assert (
            session.scalar(
                select(Fact.value).where(
                    Fact.name == "net_sales", Fact.subject_key == "account:A001/product:ONC-101"
                )
            )
            == 412000
        )


def test_product_phases_of_a_closed_period_are_frozen(closed_q1, rejected, run_import):
    errors = rejected("product_phases", "product,period,phase\nONC-101,2026-Q1,growth\n")
    assert errors == {(2, "period"): "period 2026-Q1 is closed: its product phases are frozen"}
    report = run_import("product_phases", "product,period,phase\nONC-101,2026-Q2,growth\n")
    assert report.tables["product_phase"].updated == 1


def test_plans_of_a_closed_period_are_frozen(closed_q1, rejected, examples, count):
    text = (examples / "plans.csv").read_text()
    changed = text.replace("E1002,4,E1001", "E1002,5,E1001")
    errors = rejected("plans", changed)
    assert {column for _, column in errors} == {"period"}
    # leaving out an action removes it from its plan: refused in a closed period
    without_x2 = "\n".join(line for line in text.splitlines() if ",X2," not in line) + "\n"
    errors = rejected("plans", without_x2)
    assert errors == {
        (2, "item"): "period 2026-Q1 is closed: action X2 cannot be removed from its plan"
    }
    assert count(PlanAction) == 3


def test_the_dates_of_a_closed_period_cannot_change(closed_q1, rejected):
    errors = rejected(
        "periods",
        "code,kind,start_date,end_date\n2026-Q1,quarter,2026-01-01,"
        "2026-03-31\nQ1X,quarter,2026-01-02,2026-03-30\n",
    )
    assert (3, "start_date") in errors  # overlaps 2026-Q1
    errors = rejected(
        "periods",
        "code,kind,start_date,end_date\nP1,month,2026-01-01,"
        "2026-01-31\nP1,month,2026-01-01,2026-01-31\n",
    )
    assert (3, "") in errors


class TestAssignmentsAcrossAClosedPeriod:
    HEADER = "person,account,start_date,end_date,share\n"

    def test_ending_an_assignment_after_the_closed_period_is_allowed(self, closed_q1, run_import):
        report = run_import("assignments", self.HEADER + "E1002,A001,2026-01-01,2026-06-30,1\n")
        assert report.tables["assignment"].updated == 1

    def test_ending_it_inside_the_closed_period_is_refused(self, closed_q1, rejected, db):
        errors = rejected("assignments", self.HEADER + "E1002,A001,2026-01-01,2026-02-15,1\n")
        assert errors == {
            (2, "end_date"): "period 2026-Q1 is closed: who was responsible in it cannot change"
        }
        with db.session() as session:
            stored = session.scalar(
                select(Assignment.end_date)
                .join(Assignment.account)
                .join(Assignment.person)
                .where(Account.code == "A001", Person.code == "E1002")
            )
            assert stored is None

    def test_a_new_assignment_reaching_into_it_is_refused(self, closed_q1, rejected, run_import):
        errors = rejected("assignments", self.HEADER + "E1004,A001,2026-03-01,,1\n")
        assert list(errors) == [(2, "start_date")]
        report = run_import("assignments", self.HEADER + "E1004,A001,2026-04-01,,1\n")
        assert report.tables["assignment"].created == 1

    def test_a_changed_share_over_it_is_refused(self, closed_q1, rejected):
        errors = rejected("assignments", self.HEADER + "E1002,A002,2026-01-01,,0.6\n")
        assert list(errors) == [(2, "end_date")]
