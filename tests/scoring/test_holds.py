"""Payment holds and plan acknowledgments on the tiny population (K1 1,175.00, K2 675.00,
K3 0.00, K4 675.00 EUR): a held payout is left out of its period's payroll export and paid,
naming the held period and run, in the export of the period it is released into; a plan that
says so holds the KAMs who have not acknowledged it; every bad input is refused with the field
named and nothing written."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import func, select
from tiny_population import TINY_PLAN, publish

from kamscore.models import (
    AuditEvent,
    PaymentHold,
    Period,
    PeriodKind,
    Person,
    PlanAcknowledgment,
    User,
)
from kamscore.scoring import acknowledgments, holds
from kamscore.scoring.errors import (
    ConflictError,
    InvalidInputError,
    PermissionDeniedError,
)
from kamscore.scoring.payroll import export_payroll
from kamscore.scoring.periods import close_period
from kamscore.scoring.runs import run_score

HOLDING_PLAN = TINY_PLAN + "acknowledgment: {hold_payouts: true}\n"
SETTINGS = {"HOLD_RELEASE_FOUR_EYES_ABOVE": 1000}


def _q2(session) -> Period:
    period = Period(code="2026-Q2", kind=PeriodKind.QUARTER, start_date=dt.date(2026, 4, 1),
                    end_date=dt.date(2026, 6, 30))
    session.add(period)
    session.commit()
    return period


def _closed_run(session, pm, period="2026-Q1"):
    run = run_score(session, pm, period=period, ruleset="tiny", user="ana")
    session.commit()
    close_period(session, period, user="bob")
    session.commit()
    return run


def _rows(session, pm, run_id, user="ana"):
    _, data = export_payroll(session, run_id, user=user, file_format="csv", pm=pm)
    session.commit()
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def _kim(session, code="K1") -> User:
    kim = session.scalar(select(User).where(User.username == "kim"))
    kim.person_id = session.scalar(select(Person.id).where(Person.code == code))
    session.commit()
    return kim


def test_a_held_payout_is_paid_in_the_period_it_is_released_into(session, pm, tiny):
    publish(session, pm)
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.commit()
    hold = holds.place_hold(session, run.id, "K1", reason="investigation", user="ana",
                            note="expense check")
    line = holds.place_hold(session, run.id, "K2", reason="data_dispute", user="ana",
                            line="formulary")
    assert (hold.amount, line.amount, line.line_title) == (1175.0, 150.0, "Formulary status")
    close_period(session, "2026-Q1", user="bob")
    session.commit()
    q2 = _q2(session)

    rows = {r["KAM code"]: r for r in _rows(session, pm, run.id)}
    assert {k: r["Payout"] for k, r in rows.items()} == {
        "K2": "525.00", "K3": "0.00", "K4": "675.00"}
    assert rows["K2"]["Note"] == "150.00 held (see the statement)"

    with pytest.raises(PermissionDeniedError) as refused:  # over 1000, placed by ana
        holds.release_hold(session, hold.id, user="ana", settings=SETTINGS)
    assert refused.value.field == "user"
    session.rollback()
    assert session.get(PaymentHold, hold.id).released_at is None
    holds.release_hold(session, hold.id, user="alice", settings=SETTINGS, note="cleared")
    holds.release_hold(session, line.id, user="ana", settings=SETTINGS)  # 150: one person
    assert session.get(PaymentHold, hold.id).paid_in_period_id == q2.id

    set_q2 = run_score(session, pm, period="2026-Q2", ruleset="tiny", user="ana")
    session.commit()
    close_period(session, "2026-Q2", user="bob")
    session.commit()
    released = [r for r in _rows(session, pm, set_q2.id) if r["Note"]]
    assert [(r["KAM code"], r["Payout"], r["Note"]) for r in released] == [
        ("K1", "1175.00", f"released hold {hold.id}: whole payout of 2026-Q1, run {run.id} "
                          "(investigation)"),
        ("K2", "150.00", f"released hold {line.id}: formulary status of 2026-Q1, run {run.id} "
                         "(data dispute)")]
    actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("hold.place") == 2 and actions.count("hold.release") == 2


def test_bad_holds_are_refused_with_nothing_written(session, pm, tiny):
    publish(session, pm)
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.commit()
    cases = [
        (dict(kam_code="K1", reason="bored"), InvalidInputError, "reason"),
        (dict(kam_code="K1", reason="leave", line="nope"), InvalidInputError, "line"),
        (dict(kam_code="K3", reason="leave"), InvalidInputError, "line"),  # pays nothing
        (dict(kam_code="K1", reason="leave", note="x" * 1001), InvalidInputError, "note"),
    ]
    for kwargs, error, field in cases:
        with pytest.raises(error) as refused:
            holds.place_hold(session, run.id, user="ana", **kwargs)
        assert refused.value.field == field, kwargs
        session.rollback()
    assert _count(session, PaymentHold) == 0
    holds.place_hold(session, run.id, "K1", reason="leave", user="ana", line="sales")
    with pytest.raises(ConflictError) as refused:  # the whole payout over a held line
        holds.place_hold(session, run.id, "K1", reason="leave", user="ana")
    assert refused.value.field == "line"
    session.rollback()
    close_period(session, "2026-Q1", user="bob")
    session.commit()
    _rows(session, pm, run.id)
    with pytest.raises(ConflictError) as refused:  # exported: too late to hold
        holds.place_hold(session, run.id, "K2", reason="leave", user="ana")
    assert refused.value.field == "run"
    session.rollback()
    hold = session.scalar(select(PaymentHold))
    with pytest.raises(ConflictError) as refused:  # no open period to pay it in
        holds.release_hold(session, hold.id, user="alice", settings=SETTINGS)
    assert refused.value.field == "hold"
    session.rollback()
    assert _count(session, PaymentHold) == 1
    assert session.scalar(select(PaymentHold)).released_at is None


def test_an_unacknowledged_plan_holds_the_payout_until_acknowledged_and_released(
        session, pm, tiny):
    version = publish(session, pm, HOLDING_PLAN)
    kim = _kim(session, "K1")
    plans = acknowledgments.my_plans(session, pm, kim)
    assert [(p.period.code, a) for p, a in plans] == [("2026-Q1", None)]
    _, document, _ = acknowledgments.document_for(session, pm, kim, version.id, "2026-Q1")
    assert "Formulary status" in document.text and "1,000.00 EUR" in document.text
    assert "sales target, Hospital 1: 1,000,000 EUR" in document.text
    assert "your payout under it is held" in document.text

    run = _closed_run(session, pm)
    _q2(session)
    first = {r["KAM code"]: r["Payout"] for r in _rows(session, pm, run.id)}
    assert first == {"K3": "0.00"}  # K3 pays nothing: not held; every other KAM is
    held = {h.kam_code: h for h in session.scalars(select(PaymentHold))}
    assert set(held) == {"K1", "K2", "K4"}
    assert held["K1"].reason.value == "plan_not_acknowledged"

    acknowledgments.acknowledge(session, pm, kim, version.id, "2026-Q1",
                                shown_hash=document.hash, password="secret-kim")
    ack = session.scalar(select(PlanAcknowledgment))
    assert (ack.document, ack.document_hash, ack.acknowledged_by) == (
        document.text, document.hash, "kim")
    holds.release_hold(session, held["K1"].id, user="ana", settings=SETTINGS)  # by kamscore

    q2 = run_score(session, pm, period="2026-Q2", ruleset="tiny", user="ana")
    session.commit()
    close_period(session, "2026-Q2", user="bob")
    session.commit()
    paid = [(r["KAM code"], r["Payout"]) for r in _rows(session, pm, q2.id)
            if r["Note"].startswith("released")]
    assert paid == [("K1", "1175.00")]


def test_bad_acknowledgments_write_nothing(session, pm, tiny):
    version = publish(session, pm, HOLDING_PLAN)
    kim = _kim(session, "K2")
    _, document, _ = acknowledgments.document_for(session, pm, kim, version.id, "2026-Q1")
    with pytest.raises(PermissionDeniedError) as refused:
        acknowledgments.acknowledge(session, pm, kim, version.id, "2026-Q1",
                                    shown_hash=document.hash, password="wrong")
    assert refused.value.field == "password"
    session.rollback()
    # a target changes after the document was shown
    from tiny_population import set_fact
    set_fact(session, tiny.period_id, "A2", "sales_target", 900_000)
    with pytest.raises(InvalidInputError) as refused:
        acknowledgments.acknowledge(session, pm, kim, version.id, "2026-Q1",
                                    shown_hash=document.hash, password="secret-kim")
    assert refused.value.field == "document_hash"
    assert "changed since it was shown" in refused.value.message
    session.rollback()
    assert _count(session, PlanAcknowledgment) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "plan.acknowledge")) == 0
