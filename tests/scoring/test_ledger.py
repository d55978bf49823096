"""The pay ledger's services (kamscore.scoring.ledger, kamscore.scoring.settlement) on the tiny
population: bad input refused naming the field with nothing written, four-eyes, immutability,
and the recovery rule's invariants (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kamscore.models import AuditEvent, DrawTerms, ImmutableRecordError, PayEntry
from kamscore.scoring import ledger
from kamscore.scoring.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from kamscore.scoring.payroll import export_payroll
from kamscore.scoring.periods import close_period
from kamscore.scoring.runs import run_score
from kamscore.scoring.settlement import pay_lines, recovery_room, settle_run


def _counts(session):
    session.rollback()
    return (session.scalar(select(func.count()).select_from(PayEntry)),
            session.scalar(select(func.count()).select_from(DrawTerms)),
            session.scalar(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.action.like("pay.%"))))


def _enter(session, **changes):
    values = {"user": "ana", "kam_code": "K1", "period_code": "2026-Q1", "kind": "adjustment",
              "amount": "100.00", "reason": "handover"} | changes
    return ledger.enter_entry(session, **values)


BAD_ENTRIES = [
    ({"kind": "bonus"}, InvalidInputError, "kind", "adjustment, spiff or clawback"),
    ({"kind": "draw"}, InvalidInputError, "kind", "adjustment, spiff or clawback"),
    ({"kam_code": "K99"}, NotFoundError, "kam", "no KAM 'K99'"),
    ({"period_code": "2031-Q9"}, NotFoundError, "period", "no period"),
    ({"amount": "ten"}, InvalidInputError, "amount", "must be a number"),
    ({"amount": "NaN"}, InvalidInputError, "amount", "finite"),
    ({"amount": "1.005"}, InvalidInputError, "amount", "at most two decimals"),
    ({"amount": "1e12"}, InvalidInputError, "amount", "beyond any plausible pay"),
    ({"amount": "0"}, InvalidInputError, "amount", "changes nothing"),
    ({"kind": "spiff", "amount": "-5.00"}, InvalidInputError, "amount", "positive"),
    ({"kind": "clawback", "amount": "5.00", "run_id": 1}, InvalidInputError, "amount",
     "negative"),
    ({"kind": "clawback", "amount": "-5.00"}, InvalidInputError, "run", "names the run"),
    ({"kind": "clawback", "amount": "-5.00", "run_id": 99}, NotFoundError, "run",
     "no score run 99"),
    ({"kind": "clawback", "amount": "-5.00", "run_id": 2**70}, NotFoundError, "run",
     "no score run"),
    ({"run_id": 1}, InvalidInputError, "run", "only a clawback"),
    ({"reason": "   "}, InvalidInputError, "reason", "reason is required"),
    ({"reason": "x" * 2001}, InvalidInputError, "reason", "at most 2000"),
    ({"user": " "}, InvalidInputError, "user", "user name is required"),
]


@pytest.mark.parametrize(("changes", "error", "field", "message"), BAD_ENTRIES)
def test_bad_entries_are_refused_naming_the_field(session, pm, published, changes, error,
                                                  field, message):
    run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.commit()
    before = _counts(session)
    with pytest.raises(error, match=message) as caught:
        _enter(session, **changes)
    assert caught.value.field == field
    assert _counts(session) == before


def test_four_eyes_and_approval_once(session, tiny):
    entry = _enter(session)
    with pytest.raises(PermissionDeniedError, match="four-eyes") as caught:
        ledger.approve_entry(session, entry.id, user="ana")
    assert caught.value.field == "user"
    with pytest.raises(PermissionDeniedError, match="'approver' role"):
        ledger.approve_entry(session, entry.id, user="alice")  # an analyst
    with pytest.raises(NotFoundError) as missing:
        ledger.approve_entry(session, 999, user="bob")
    assert missing.value.field == "entry"
    assert _counts(session)[2] == 1  # only the entry's own event
    ledger.approve_entry(session, entry.id, user="bob")
    with pytest.raises(ConflictError, match="approved by bob already"):
        ledger.approve_entry(session, entry.id, user="carol")
    # nothing money-related is edited: not the amount, not the approver, no delete
    entry.amount = Decimal("1.00")
    with pytest.raises(ImmutableRecordError, match="'amount' never changes"):
        session.flush()
    session.rollback()
    entry.approved_by = "carol"
    with pytest.raises(ImmutableRecordError, match="'approved_by' never changes"):
        session.flush()
    session.rollback()
    session.delete(entry)
    with pytest.raises(ImmutableRecordError):
        session.flush()
    session.rollback()


BAD_TERMS = [
    ({"kam_code": "nobody"}, NotFoundError, "kam"),
    ({"from_period": "2020-Q1"}, NotFoundError, "from_period"),
    ({"amount": "-1.00"}, InvalidInputError, "amount"),
    ({"amount": "abc"}, InvalidInputError, "amount"),
    ({"recovery_limit": "0"}, InvalidInputError, "recovery_limit"),
    ({"recovery_limit": "150"}, InvalidInputError, "recovery_limit"),
]


@pytest.mark.parametrize(("changes", "error", "field"), BAD_TERMS)
def test_bad_draw_terms_are_refused(session, tiny, changes, error, field):
    values = {"user": "ana", "kam_code": "K3", "from_period": "2026-Q1", "amount": "500",
              "recoverable": True, "recovery_limit": "50"} | changes
    before = _counts(session)
    with pytest.raises(error) as caught:
        ledger.set_draw_terms(session, **values)
    assert caught.value.field == field
    assert _counts(session) == before


def test_settlement_waits_for_approvals_and_closes_the_period_to_entries(session, pm,
                                                                          published):
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.commit()
    entry = _enter(session, kam_code="K2", kind="spiff", amount="250.00")
    with pytest.raises(ConflictError, match="period 2026-Q1 is open"):
        settle_run(session, run.id, user="bob")
    close_period(session, "2026-Q1", user="bob")
    session.commit()
    with pytest.raises(ConflictError, match=f"#{entry.id} \\(K2\\) wait for approval"):
        export_payroll(session, run.id, user="bob", file_format="csv")
    session.rollback()
    # the preview leaves the waiting entry out; the statement shows it as pending
    assert [line.kind for line in pay_lines(session, run.id, "K2")] == ["earnings"]
    assert [(line.kind, line.pending) for line in pay_lines(
        session, run.id, "K2", with_pending=True)] == [("earnings", False), ("spiff", True)]
    ledger.approve_entry(session, entry.id, user="bob")
    export_payroll(session, run.id, user="bob", file_format="csv")
    session.commit()
    before = _counts(session)
    with pytest.raises(ConflictError, match="has been settled") as caught:
        _enter(session, kam_code="K2")
    assert caught.value.field == "period"
    assert _counts(session) == before
    with pytest.raises(ConflictError, match="settled already"):
        settle_run(session, run.id, user="bob", advances=[run.id])


@settings(max_examples=200, deadline=None)
@given(earned=st.decimals(min_value=0, max_value=100_000, places=2),
       draw=st.decimals(min_value=0, max_value=100_000, places=2),
       limit=st.decimals(min_value=Decimal("0.01"), max_value=100, places=2))
def test_a_recovery_stays_within_its_limits(earned, draw, limit):
    """Never negative, never more than the limit's share of the earnings (to the half cent),
    never taking the pay below the draw; all of it recoverable at 100 % without a draw."""
    room = recovery_room(earned, draw, limit)
    assert room >= 0 and room == room.quantize(Decimal("0.01"))
    assert room <= earned * limit / 100 + Decimal("0.005")
    assert earned - room >= min(draw, earned)
    assert recovery_room(earned, Decimal("0.00"), Decimal("100")) == earned
