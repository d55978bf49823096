"""The services behind the run pages, on the tiny population with hand-worked figures:
who is not paid and why, four-eyes close (the sign-off), payroll to the cent (CSV and XLSX
opened with openpyxl), a correction compared with the run it corrects, and the score-run job.

Hand-worked (tiny_population.EXPECTED): K1 1,175.00, K2 675.00, K3 0.00, K4 675.00 EUR;
total 2,525.00 EUR.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import textwrap
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select, update
from tiny_population import EXPECTED, set_fact

from kamscore.auth.scope import Scope
from kamscore.background.records import new_job
from kamscore.background.score_runs import run_score_job, score_run_params
from kamscore.db.session import get_db
from kamscore.exports.payroll import HEADER
from kamscore.models import (
    AuditEvent,
    BackgroundJob,
    JobState,
    Period,
    PeriodKind,
    Person,
    Team,
    TeamMember,
    User,
)
from kamscore.models.org import Role
from kamscore.scoring.errors import ConflictError, PermissionDeniedError
from kamscore.scoring.payroll import (
    export_payroll,
    payroll_refusal,
    payroll_sheet,
    sign_off_correction,
)
from kamscore.scoring.periods import close_period
from kamscore.scoring.run_compare import compare_runs
from kamscore.scoring.run_report import (
    cost_by_team,
    cost_by_variant,
    not_paid,
    payout_bins,
    run_overview,
)
from kamscore.scoring.runs import run_score

ALL = Scope.unlimited()


def _run(session, pm, **kwargs):
    return run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana", **kwargs)


def _leaver(session, code: str, end: dt.date) -> None:
    session.add(Person(code=code, name=f"Kam {code}", role=Role.KAM, base_salary=80_000,
                       start_date=dt.date(2020, 1, 1), end_date=end))
    session.commit()


def test_the_kams_not_paid_are_listed_with_why(session, pm, published):
    _leaver(session, "K5", dt.date(2026, 1, 20))  # 20 days in role, the plan needs 30
    run = _run(session, pm)
    found = {n.kam_code: n for n in not_paid(session, run, ALL)}
    assert set(found) == {"K3", "K5"}
    assert (found["K5"].category, found["K5"].category_label) == ("left", "left")
    assert found["K5"].reason == ("left on 2026-01-20, mid-period: fewer than 30 eligible days "
                                  "in the period")
    assert found["K3"].category == "nothing" and found["K3"].has_line
    assert found["K3"].reason == "final factor 0.00%: no measure reached its threshold"
    # a manager's scope sees only his people
    assert not_paid(session, run, Scope("pay.read", everything=False)) == []


def test_a_kam_without_a_target_incentive_has_no_plan(session, pm, tiny):
    """A plan that sets targets by grade and has none for K2's grade: K2 has no plan."""
    from tiny_population import TINY_PLAN, publish

    session.execute(update(Person).values(grade="K1"))
    session.execute(update(Person).where(Person.code == "K2").values(grade="K9"))
    session.commit()
    publish(session, pm, TINY_PLAN.replace(
        "target_incentive: {amount: 1000}",
        "target_incentive:\n  by: grade\n  values:\n    K1: {amount: 1000}"))
    run = _run(session, pm)
    found = {n.kam_code: n for n in not_paid(session, run, ALL)}
    assert (found["K2"].category_label, found["K2"].reason) == (
        "no plan", "no target incentive for grade 'K9'")


def test_a_leaver_before_the_period_is_not_silently_absent(session, pm, published):
    """Someone who left during the year, before the period began, has no line at all (the
    run loads the period's active people): the list compares the population with the lines."""
    q2 = Period(code="2026-Q2", kind=PeriodKind.QUARTER,
                start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 6, 30))
    session.add(q2)
    _leaver(session, "K6", dt.date(2026, 3, 15))
    run = run_score(session, pm, period="2026-Q2", ruleset="tiny", user="ana")
    found = {n.kam_code: n for n in not_paid(session, run, ALL)}
    assert found["K6"].category == "left" and not found["K6"].has_line
    assert found["K6"].reason == ("left on 2026-03-15, before the period began (2026-04-01): "
                                  "no days in role")


def test_distribution_and_cost_of_a_run(session, pm, published):
    run = _run(session, pm)
    bins = payout_bins(session, run.id, ALL)
    assert bins[0].zero and bins[0].kams == 1  # K3
    # 675.00 to 1,175.00 in 8 bins: a step of 100 (62.50 rounded up), from 600
    assert [(b.low, b.kams) for b in bins[1:]] == [
        (Decimal(600), 2), (Decimal(700), 0), (Decimal(800), 0), (Decimal(900), 0),
        (Decimal(1000), 0), (Decimal(1100), 1)]
    assert bins[-1].high is None
    [variant] = cost_by_variant(session, run, ALL)
    assert (variant.label, variant.code, variant.kams, variant.paid, variant.payout) == (
        "Plan as written", None, 4, 3, Decimal("2525.00"))
    assert variant.target == pytest.approx(3500.0)  # 3 x 1,000 + 1,000 x 45/90
    [team] = cost_by_team(session, run.id, ALL)  # the tiny KAMs are in no team
    assert (team.label, team.code, team.kams, team.payout) == (
        "No team", None, 4, Decimal("2525.00"))


def test_cost_is_named_by_team_name_and_variant_title(session, pm, tiny):
    """A team by its name in the directory (its code beside it), a variant by its title in
    the run's ruleset version (its id beside it)."""
    from tiny_population import TINY_PLAN, publish

    publish(session, pm, TINY_PLAN + textwrap.dedent("""\
        variants:
          - id: key_accounts
            title: Key accounts
            when: {segment: key}
        """))
    team = Team(code="T00007", name="Oncology North")
    session.add(team)
    session.flush()
    session.add_all([TeamMember(team_id=team.id, person_id=tiny.people[code],
                                function=Role.KAM) for code in ("K1", "K2")])
    session.commit()
    run = _run(session, pm)
    overview = run_overview(session, run.id, ALL, pm=pm)
    assert [(v.label, v.code, v.kams) for v in overview.by_variant] == [
        ("Key accounts", "key_accounts", 4)]
    assert [(t.label, t.code, t.kams, t.payout) for t in overview.by_team] == [
        ("Oncology North", "T00007", 2, Decimal("1850.00")),
        ("No team", None, 2, Decimal("675.00"))]
    # without the plugin manager the ruleset is not parsed: the variant keeps its id
    assert [v.label for v in cost_by_variant(session, run, ALL)] == ["key_accounts"]
    # a statement names the KAM's variant by its title too (with the plugin manager)
    from kamscore.scoring.statements import statement

    assert statement(session, run.id, "K1", ALL, pm=pm)["variant_title"] == "Key accounts"
    assert "variant_title" not in statement(session, run.id, "K1", ALL)


def test_the_runner_cannot_close_the_period(session, pm, published):
    run = _run(session, pm)
    with pytest.raises(PermissionDeniedError, match=rf"ana made run {run.id} of 2026-Q1: "
                                                    "four-eyes rule") as caught:
        close_period(session, "2026-Q1", user="ana")
    assert caught.value.field == "user"
    session.rollback()
    assert not session.scalar(select(Period).where(Period.code == "2026-Q1")).is_closed
    close_period(session, "2026-Q1", user="bob")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "period.close"))
    assert (event.actor, event.object_key, event.details["runs"]) == ("bob", "2026-Q1",
                                                                      [run.id])


def test_payroll_after_sign_off_to_the_cent(session, pm, published):
    run = _run(session, pm)
    assert "is open" in payroll_refusal(session, run.id)
    with pytest.raises(ConflictError, match="after the sign-off"):
        payroll_sheet(session, run.id)
    close_period(session, "2026-Q1", user="bob")
    closed_at = session.scalar(select(Period.closed_at))
    sheet, data = export_payroll(session, run.id, user="carol", file_format="xlsx")
    session.commit()
    assert {r.kam_code: r.payout for r in sheet.rows} == {
        k: Decimal(v) for k, v in EXPECTED.items()}
    assert sheet.total == Decimal("2525.00")
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book["Payroll"].iter_rows(values_only=True))
    assert rows[0] == HEADER
    assert [(r[5], r[6], round(Decimal(str(r[7])), 2), r[8]) for r in rows[1:]] == [
        ("K1", "Kam K1", Decimal("1175.00"), "EUR"), ("K2", "Kam K2", Decimal("675.00"), "EUR"),
        ("K3", "Kam K3", Decimal("0.00"), "EUR"), ("K4", "Kam K4", Decimal("675.00"), "EUR")]
    first = rows[1]
    assert first[:5] == ("2026-Q1", run.id, "tiny", 1, run.input_hash)
    assert first[9] == "bob"
    assert first[10] == closed_at.strftime("%Y-%m-%d %H:%M:%S")
    signed = dict(book["Sign-off"].iter_rows(values_only=True))
    assert signed["Total payout"] == 2525.0 and signed["Signed off by"] == "bob"
    _, text = export_payroll(session, run.id, user="carol", file_format="csv")
    session.commit()
    lines = list(csv.DictReader(io.StringIO(text.decode("utf-8"))))
    assert {r["KAM code"]: r["Payout"] for r in lines} == EXPECTED
    assert {r["Signed off by"] for r in lines} == {"bob"}
    exports = session.scalars(select(AuditEvent).where(AuditEvent.action == "export.pay")).all()
    assert [(e.actor, e.details["kind"], e.details["format"], e.details["total_payout"])
            for e in exports] == [("carol", "payroll", "xlsx", "2525.00"),
                                  ("carol", "payroll", "csv", "2525.00")]


def test_a_correction_is_compared_with_the_run_it_corrects(session, pm, published, tiny):
    first = _run(session, pm)
    close_period(session, "2026-Q1", user="bob")
    set_fact(session, tiny.period_id, "A3", "sales_target", 700_000)  # K3's target was wrong
    second = _run(session, pm, correction_of=first.id, reason="K3's target was wrong")
    comparison = compare_runs(session, first.id, second.id, ALL)
    assert comparison.unchanged == 3
    [k3] = comparison.changes
    assert (k3.kam_code, k3.payout_a, k3.payout_b, k3.change) == (
        "K3", Decimal("0.00"), Decimal("700.00"), Decimal("700.00"))
    # attainment 0.7 → 1.0: from below the threshold to the target, where "target to cap"
    # starts
    [sales] = k3.components
    assert (sales.value_a, sales.value_b) == (pytest.approx(0.7), pytest.approx(1.0))
    assert (sales.segment_a, sales.segment_b) == ("below threshold", "target to cap")
    assert sales.contribution_change == pytest.approx(0.7)
    assert comparison.total_change == Decimal("700.00")
    # after the close nothing of the period changes: the old run is not payroll any more,
    # and the correction was not signed off
    assert f"corrected by run {second.id}" in payroll_refusal(session, first.id)
    assert "has not been signed off" in payroll_refusal(session, second.id)
    # ...until an approver who did not make it signs it off
    with pytest.raises(PermissionDeniedError, match="four-eyes"):
        sign_off_correction(session, second.id, user="ana")
    with pytest.raises(ConflictError, match="not a correction waiting"):
        sign_off_correction(session, first.id, user="bob")
    sign_off_correction(session, second.id, user="carol")
    assert payroll_refusal(session, second.id) is None
    sheet = payroll_sheet(session, second.id)
    # the correction pays only the difference (issue 18): K3's +700.00, nobody else
    assert sheet.signed_off_by == "carol" and sheet.total == Decimal("700.00")
    assert [(r.kam_code, r.kind, r.payout) for r in sheet.rows] == [
        ("K3", "correction", Decimal("700.00"))]
    with pytest.raises(ConflictError, match="not a correction waiting"):
        sign_off_correction(session, second.id, user="bob")


def _job(app, params) -> str:
    with get_db(app).session() as session:
        ana = session.scalar(select(User).where(User.username == "ana"))
        return new_job(session, ana, "score_run", params).id


class _Store(dict):
    def put(self, key, data):
        self.setdefault("seen", []).append(data["stage"])
        self[key] = data

    def get(self, key, peek=False):
        return self.get(key)

    def delete(self, key):
        self.pop(key, None)


def test_the_score_run_job_reports_its_stages_and_its_run(app, session, pm, published):
    session.commit()
    job_id = _job(app, score_run_params(period="2026-Q1", ruleset="tiny"))
    store = _Store()
    assert run_score_job(get_db(app), store, pm, job_id) is JobState.DONE
    assert store["seen"] == ["loading the period's data", "scoring", "storing the lines"]
    job = session.get(BackgroundJob, job_id)
    assert job.state is JobState.DONE and job.result["total_payout"] == 2525.0
    session.rollback()  # SQLite: hold no write lock while the worker writes
    assert run_score_job(get_db(app), store, pm, job_id) is None  # delivered twice: runs once


def test_a_failed_score_run_job_says_why(app, session, pm, published):
    session.commit()
    job_id = _job(app, score_run_params(period="2026-Q1", ruleset="tiny", correction_of=1,
                                        reason="no such run"))
    assert run_score_job(get_db(app), _Store(), pm, job_id) is JobState.FAILED
    job = session.get(BackgroundJob, job_id)
    assert job.error["code"] == 404 and job.error["message"] == "no score run 1"
