"""Target rounds on the tiny population: top-down targets imported and allocated, proposals,
decisions, four-eyes approval, the facts written and the score run that reads them, scope,
the audit trail, and every bad input refused with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from target_population import (
    DEADLINE,
    NOW,
    add_team_and_users,
    line_of,
    make_round,
    scope,
)

from kamscore.auth.scope import Scope
from kamscore.models import (
    AuditEvent,
    Fact,
    ProposalDecision,
    RoundStatus,
    TargetLine,
    TargetRound,
)
from kamscore.scoring import target_proposals, target_rounds
from kamscore.scoring.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from kamscore.scoring.run_store import load_lines
from kamscore.scoring.runs import run_score
from kamscore.scoring.target_basis import allocate
from kamscore.scoring.target_rounds import Allocation
from kamscore.scoring.whatif_targets import compare_targets

LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def team(session, tiny):
    add_team_and_users(session)


def _audit(session, prefix: str) -> list[str]:
    return list(session.scalars(select(AuditEvent.action)
                                .where(AuditEvent.action.like(f"{prefix}%"))
                                .order_by(AuditEvent.id)))


def _propose(session, target_round, kam="K1", value="1050000", reason="new tender won",
             user="kim", now=LATER):
    line = line_of(target_round, kam)
    return target_proposals.propose(session, target_round.code, line.id, value, reason,
                                    scope(session, user, "targets.propose"), user, now)


def test_allocate_splits_a_total_to_the_cent():
    shares = allocate(Decimal("100.00"), {"a": 1, "b": 1, "c": 1})
    assert shares == {"a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")}
    assert sum(allocate(Decimal("3300000.01"), {"x": 1.1, "y": 0.9, "z": 0.7}).values()) \
        == Decimal("3300000.01")
    with pytest.raises(InvalidInputError) as exc:
        allocate(Decimal(10), {"a": 0.0})
    assert exc.value.field == "key"


def test_a_national_and_a_team_total_allocated_by_credited_share(session, pm, team):
    make_round(session, open_it=False)
    shares = target_rounds.allocate_total(session, pm, "R1", Allocation(
        "sales_target", Decimal("3300000"), "credited_share", "net_sales", "2026-Q1"), "ana")
    # credited net sales in 2026-Q1: K1 1.1 M, K2 0.9 M, K3 0.7 M, K4 0.6 M (half the quarter)
    assert shares == {"K1": Decimal("1100000.00"), "K2": Decimal("900000.00"),
                      "K3": Decimal("700000.00"), "K4": Decimal("600000.00")}
    team_shares = target_rounds.allocate_total(session, pm, "R1", Allocation(
        "sales_target", Decimal("1000000.01"), "credited_share", "net_sales", "2026-Q1",
        team="T1"), "ana")
    assert set(team_shares) == {"K1", "K2"}
    assert sum(team_shares.values()) == Decimal("1000000.01")
    session.commit()
    found = target_rounds.get_round(session, "R1")
    assert "team T1 total 1,000,000.01 by credited share of net_sales in 2026-Q1" in found.basis
    assert _audit(session, "target_round.set") == ["target_round.set"] * 3


def test_a_proposal_adjusted_and_approved_becomes_the_fact_the_run_reads(session, pm, team,
                                                                          published):
    target_round = make_round(session)
    _propose(session, target_round)
    line = line_of(target_round, "K1")
    target_proposals.decide(session, "R1", line.id, "adjust", scope(session, "mia",
                            "targets.decide"), "mia", LATER, value="1020000.50",
                            reason="the tender starts in March")
    session.commit()
    view = target_rounds.round_view(session, "R1", Scope.unlimited())
    national = view.totals["sales_target"][-1]
    assert (national.label, national.top_down, national.proposed, national.approved) == (
        "National", Decimal("3500000.00"), Decimal("3550000.00"), Decimal("3520000.50"))
    assert [t.label for t in view.totals["sales_target"]] == ["North hospitals", "no team",
                                                                "National"]
    assert target_rounds.approve_round(session, "R1", "bob", LATER) == 4
    session.commit()
    fact = line_of(target_round, "K1").fact
    assert (fact.subject_key, fact.value, fact.source) == (
        "person:K1", 1020000.5, "target round R1")
    assert (line.proposed_by, line.decided_by, target_round.approved_by) == ("kim", "mia",
                                                                             "bob")
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    k1 = {row.kam_code: row for row in load_lines(session, run.id)}["K1"].detail
    sales = k1["components"][0]
    assert sales["inputs"]["sales_target"] == 1020000.5
    assert sales["value"] == 1100000 / 1020000.5
    assert _audit(session, "target") == ["target_round.create", "target_round.set",
                                         "target_round.open", "target.propose",
                                         "target.adjust", "target_round.approve"]


def test_accept_and_reject(session, team):
    target_round = make_round(session)
    _propose(session, target_round, "K1", "900000")
    decider = scope(session, "mia", "targets.decide")
    target_proposals.decide(session, "R1", line_of(target_round, "K1").id, "accept", decider,
                            "mia", LATER)
    assert line_of(target_round, "K1").approved_value == Decimal("900000.00")
    target_proposals.decide(session, "R1", line_of(target_round, "K1").id, "reject", decider,
                            "mia", LATER)
    assert line_of(target_round, "K1").approved_value == Decimal("1000000.00")
    assert line_of(target_round, "K1").decision is ProposalDecision.REJECTED


def test_four_eyes_the_opener_does_not_approve(session, team):
    make_round(session, opener="bob")
    with pytest.raises(PermissionDeniedError) as exc:
        target_rounds.approve_round(session, "R1", "bob", LATER)
    assert exc.value.field == "user" and exc.value.status == 403
    assert session.scalar(select(func.count()).select_from(Fact)
                          .where(Fact.person_id.is_not(None))) == 0


def test_pending_proposals_hold_the_approval(session, team):
    target_round = make_round(session)
    _propose(session, target_round)
    with pytest.raises(ConflictError):
        target_rounds.approve_round(session, "R1", "bob", LATER)


def test_a_kam_sees_his_own_lines_and_a_manager_his_teams(session, team):
    make_round(session)
    kim = target_rounds.round_view(session, "R1", scope(session, "kim", "targets.propose"))
    assert [line.kam.code for line in kim.lines] == ["K1"]
    assert kim.totals["sales_target"][-1].kams == 4  # the national total is everyone's
    mia = target_rounds.round_view(session, "R1", scope(session, "mia", "targets.decide"))
    assert sorted(line.kam.code for line in mia.lines) == ["K1", "K2"]
    k3 = line_of(target_rounds.get_round(session, "R1"), "K3")
    with pytest.raises(NotFoundError):
        target_proposals.propose(session, "R1", k3.id, "900000", "x",
                                 scope(session, "kim", "targets.propose"), "kim", LATER)
    with pytest.raises(NotFoundError):
        target_proposals.decide(session, "R1", k3.id, "accept",
                                scope(session, "mia", "targets.decide"), "mia", LATER)


@pytest.mark.parametrize(("value", "reason", "field"), [
    ("-5", "lower", "value"),
    ("lots", "lower", "value"),
    ("nan", "lower", "value"),
    ("", "lower", "value"),
    ("3000000", "much higher", "value"),  # beyond the bound: 50 % of 1,000,000
    ("400000", "much lower", "value"),
    ("900000", "  ", "reason"),
])
def test_bad_proposals_are_refused_naming_the_field(session, team, value, reason, field):
    target_round = make_round(session)
    with pytest.raises(InvalidInputError) as exc:
        _propose(session, target_round, value=value, reason=reason)
    assert exc.value.field == field and exc.value.status == 422
    assert field in exc.value.message
    session.rollback()
    line = line_of(target_rounds.get_round(session, "R1"), "K1")
    assert line.proposed is None and line.decision is None
    assert _audit(session, "target.") == []


def test_a_proposal_after_the_deadline_is_refused(session, team):
    target_round = make_round(session)
    with pytest.raises(ConflictError) as exc:
        _propose(session, target_round, now=DEADLINE + dt.timedelta(seconds=1))
    assert exc.value.field == "deadline" and exc.value.status == 409
    session.rollback()
    assert line_of(target_rounds.get_round(session, "R1"), "K1").proposed is None


def test_an_adjustment_needs_a_reason_and_a_value_within_the_bound(session, team):
    target_round = make_round(session)
    _propose(session, target_round)
    decider = scope(session, "mia", "targets.decide")
    line_id = line_of(target_round, "K1").id
    for value, reason, field in (("1020000", "", "reason"), ("-1", "why", "value"),
                                 ("9999999", "why", "value")):
        with pytest.raises(InvalidInputError) as exc:
            target_proposals.decide(session, "R1", line_id, "adjust", decider, "mia", LATER,
                                    value=value, reason=reason)
        assert exc.value.field == field
    with pytest.raises(InvalidInputError) as exc:
        target_proposals.decide(session, "R1", line_id, "approve", decider, "mia", LATER)
    assert exc.value.field == "decision"


@pytest.mark.parametrize(("csv_text", "field", "where"), [
    ("kam,fact,target\nK1,sales_target,-10\n", "target", "line 2"),
    ("kam,fact,target\nK1,sales_target,1e6\nK2,sales_target,abc\n", "target", "line 3"),
    ("kam,fact,target\nNOBODY,sales_target,10\n", "kam", "line 2"),
    ("kam,fact,target\nK1,market_share,10\n", "fact", "line 2"),
    ("kam,target\nK1,10\n", "file", "line 1"),
])
def test_a_bad_top_down_file_writes_nothing(session, team, csv_text, field, where):
    target_rounds.create_round(session, code="R2", title="t", period="2026-Q1",
                               facts={"sales_target": "EUR"}, bound_pct="50", actor="ana")
    session.commit()
    with pytest.raises(InvalidInputError) as exc:
        target_rounds.import_top_down(session, "R2", csv_text, "top.csv", "ana")
    assert exc.value.field == field and f"top.csv: {where}" in exc.value.message
    session.rollback()
    assert session.scalar(select(func.count()).select_from(TargetLine)) == 0


def test_bad_rounds_are_refused(session, team):
    for kwargs, field in (({"code": "bad code"}, "code"), ({"period": "2031-Q9"}, "period"),
                          ({"facts": {"Sales Target": "EUR"}}, "facts"),
                          ({"bound_pct": "0"}, "bound_pct"), ({"bound_pct": "x"}, "bound_pct")):
        args = {"code": "R3", "title": "t", "period": "2026-Q1",
                "facts": {"sales_target": "EUR"}, "bound_pct": "50", "actor": "ana", **kwargs}
        with pytest.raises((InvalidInputError, NotFoundError)) as exc:
            target_rounds.create_round(session, **args)
        assert exc.value.field == field
    assert session.scalar(select(func.count()).select_from(TargetRound)) == 0
    make_round(session, open_it=False)
    with pytest.raises(InvalidInputError) as exc:
        target_rounds.open_round(session, "R1", NOW - dt.timedelta(days=1), "ana", NOW)
    assert exc.value.field == "deadline"
    assert target_rounds.get_round(session, "R1").status is RoundStatus.DRAFT


def test_an_approved_round_does_not_overwrite_facts(session, team):
    make_round(session)
    target_rounds.approve_round(session, "R1", "bob", LATER)
    session.commit()
    make_round(session, code="R2")
    with pytest.raises(ConflictError) as exc:
        target_rounds.approve_round(session, "R2", "bob", LATER)
    assert exc.value.field == "period"


def test_what_if_compares_payouts_under_proposed_and_approved_targets(session, pm, team,
                                                                      published):
    target_round = make_round(session)
    _propose(session, target_round)  # K1: 1,050,000, not decided: top-down stands for now
    session.commit()
    report = compare_targets(session, pm, "R1")
    # approved as it stands: the tiny plan's hand-worked payouts (EXPECTED), 2,525.00; under
    # K1's proposal his attainment is 1.1 / 1.05: factor 1 + (0.047619 / 0.2) * 0.5 on 70 %,
    # plus 30 % listed: 1,083.33 instead of 1,175.00
    assert (report["approved"], report["proposed"]) == (Decimal("2525.00"),
                                                         Decimal("2433.33"))
    assert report["change"] == Decimal("91.67") and report["changed_kams"] == 1
    assert report["movers"][0]["kam"] == "K1"
    assert report["movers"][0]["proposed"] == pytest.approx(1083.33)
    assert session.scalar(select(func.count()).select_from(Fact)
                          .where(Fact.person_id.is_not(None))) == 0  # nothing stored
