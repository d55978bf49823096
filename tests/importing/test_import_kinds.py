"""Behaviour particular to each kind: derived values, membership sync, untouched columns."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kamscore.models import (
    Account,
    AccountPlan,
    Fact,
    Period,
    Person,
    PlanObjective,
    Stakeholder,
    Team,
    TeamMember,
)


def test_period_codes_give_kind_and_dates_and_must_agree_with_them(run_import, rejected, db):
    report = run_import("periods", "code\n2026-02\n2027\n2026-Q4\n")
    assert report.tables["period"].created == 3
    with db.session() as session:
        feb = session.scalar(select(Period).where(Period.code == "2026-02"))
        assert (feb.kind.value, feb.start_date, feb.end_date) == (
            "month",
            dt.date(2026, 2, 1),
            dt.date(2026, 2, 28),
        )
    errors = rejected(
        "periods",
        "code,kind,start_date,end_date\n2028-Q1,month,,\nFY28,,,\nH1,year,2028-06-30,2028-01-01\n",
    )
    assert set(errors) == {
        (2, "kind"),
        (3, "kind"),
        (3, "start_date"),
        (3, "end_date"),
        (4, "end_date"),
    }


def test_periods_of_one_kind_may_not_overlap(run_import, rejected):
    run_import("periods", "code\n2026-Q1\n")
    errors = rejected(
        "periods", "code,kind,start_date,end_date\nQX,quarter,2026-03-01,2026-05-31\n2026-03,,,\n"
    )
    assert errors == {(2, "start_date"): "overlaps period 2026-Q1"}


def test_a_file_without_a_column_leaves_that_column_alone(org, run_import, db):
    report = run_import("people", "code,name,role\nE1003,Amira Haddad-Klein,kam\n")
    assert report.tables["person"].updated == 1
    with db.session() as session:
        amira = session.scalar(select(Person).where(Person.code == "E1003"))
        assert amira.name == "Amira Haddad-Klein"
        assert amira.base_salary == 79500.5 and amira.manager.code == "E1001"


def test_an_empty_cell_clears_an_optional_value(org, run_import, db):
    run_import("people", "code,name,role,grade\nE1003,Amira Haddad,kam,\n")
    with db.session() as session:
        assert session.scalar(select(Person.grade).where(Person.code == "E1003")) is None


def test_team_files_give_the_complete_membership(org, run_import, db):
    text = (
        "team,name,lead,member,function\n"
        "T-NORTH,Team North (university hospitals),E1002,E1002,kam\n"
        "T-NORTH,Team North (university hospitals),E1002,E2001,marketing\n"
        "T-NEW,Team New,,E2003,\n"
    )
    report = run_import("teams", text)
    assert report.tables["team"].as_dict() == {
        "created": 1,
        "updated": 0,
        "unchanged": 1,
        "deleted": 0,
    }
    assert report.tables["team_member"].as_dict() == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "deleted": 2,
    }
    with db.session() as session:
        members = session.execute(
            select(Team.code, Person.code, TeamMember.function)
            .join(TeamMember.team)
            .join(TeamMember.person)
            .order_by(Team.code, Person.code)
        ).all()
    assert [(t, p, f.value) for t, p, f in members] == [
        ("T-NEW", "E2003", "marketing"),  # the person's role when no function is given
        ("T-NORTH", "E1002", "kam"),
        ("T-NORTH", "E2001", "marketing"),
        ("T-SOUTH", "E1004", "kam"),
        ("T-SOUTH", "E2003", "marketing"),
        ("T-SOUTH", "E2004", "health_economics"),
    ]


def test_team_rows_must_agree_on_the_team(org, rejected):
    errors = rejected(
        "teams",
        "team,name,lead,member\nT1,One,E1002,E1002\nT1,Uno,E1004,E2001\nT1,One,,E2002\n",
    )
    assert set(errors) == {(3, "name"), (3, "lead"), (4, "lead")}


def test_plan_files_give_the_complete_list_of_items(org, run_import, db):
    text = (
        "account,period,owner,item,code,description,target,actual,met,due_date\n"
        "A004,2026-Q2,E1004,objective,O1,Dossier accepted,1,,,\n"
        "A004,2026-Q2,E1004,action,X1,Submit dossier,,,,2026-05-01\n"
    )
    assert run_import("plans", text).totals.created == 3
    fewer = "\n".join(text.splitlines()[:2]) + "\n"
    report = run_import("plans", fewer)
    assert report.tables["plan_action"].deleted == 1
    assert report.tables["plan_objective"].unchanged == 1
    with db.session() as session:
        plan = session.scalar(
            select(AccountPlan).join(AccountPlan.period).where(Period.code == "2026-Q2")
        )
        assert [o.code for o in plan.objectives] == ["O1"] and plan.actions == []


def test_plan_items_are_checked_for_their_kind(org, rejected):
    errors = rejected(
        "plans",
        "account,period,owner,item,code,description,target,due_date\n"
        "A001,2026-Q2,E1002,objective,O1,Grow,10,2026-05-01\n"
        "A001,2026-Q2,E1002,action,X1,Call,5,\n"
        "A001,2026-Q2,E1002,task,T1,Other,,\n"
        "A001,2026-Q2,E1002,,O9,,,\n",
    )
    assert set(errors) == {
        (2, "due_date"),
        (3, "target"),
        (3, "due_date"),
        (4, "item"),
        (5, "code"),
    }


def test_facts_need_a_subject_and_exactly_one_of_value_and_category(org, rejected):
    errors = rejected(
        "facts",
        "period,name,account,product,value,category,unit\n"
        "2026-Q2,net_sales,,ONC-101,1,,EUR\n"
        "2026-Q2,formulary_status,A001,,1,listed,status\n"
        "2026-Q2,formulary_status,A001,,,,status\n"
        "2026-Q2,Net Sales,A001,,1,,EUR\n",
    )
    assert set(errors) == {(2, "account"), (3, "value"), (4, "value"), (5, "name")}


def test_a_fact_without_source_records_the_file_name(org, run_import, db):
    run_import(
        "facts",
        "period,name,account,value,unit\n2026-Q2,visits,A001,4,count\n",
        filename="crm-export-may.csv",
    )
    with db.session() as session:
        fact = session.scalar(select(Fact).where(Fact.name == "visits"))
        assert fact.source == "crm-export-may.csv"
        assert fact.subject_key == "account:A001"


def test_stakeholders_get_defaults_and_lower_case_emails(org, run_import, db):
    run_import(
        "stakeholders", "account,email,name,role\nA003,Head.Pharmacy@Riverside.org,Ida,PHARMACIST\n"
    )
    with db.session() as session:
        ida = session.scalar(select(Stakeholder).where(Stakeholder.name == "Ida"))
        assert (
            ida.email,
            ida.role.value,
            ida.influence,
            ida.partnership_level,
            ida.is_key,
            ida.language,
        ) == ("head.pharmacy@riverside.org", "pharmacist", 3, 1, False, "en")


def test_assignments_of_one_person_to_one_account_may_not_overlap(org, rejected, run_import):
    header = "person,account,start_date,end_date,share\n"
    errors = rejected("assignments", header + "E1002,A001,2026-06-01,,1\n")
    assert list(errors) == [(2, "start_date")]
    run_import(
        "assignments", header + "E1002,A001,2026-01-01,2026-05-31,1\nE1002,A001,2026-06-01,,1\n"
    )


def test_accounts_resolve_their_team(org, run_import, rejected, db):
    run_import("accounts", "code,name,type,segment,team\nA100,New Clinic,hospital,key,T-SOUTH\n")
    with db.session() as session:
        account = session.scalar(select(Account).where(Account.code == "A100"))
        assert account.team.code == "T-SOUTH"
    assert list(rejected("accounts", "code,name,type,segment,team\nA101,X,hospital,key,T0\n")) == [
        (2, "team")
    ]


def test_objective_values_round_trip(org, db):
    with db.session() as session:
        objective = session.scalar(select(PlanObjective).where(PlanObjective.target == 400000))
        assert (objective.actual, objective.met) == (412000, True)
