"""The demo's pay side: the shipped rulesets published and one score run, so that the pay
pages (rulesets, runs, statements, what-if) have something to show from the first start.

Each ruleset in :data:`DEMO_RULESETS` goes through the real lifecycle — drafted by the demo
``analyst``, approved by the demo ``approver`` (a different user, as the rules require),
published — and the ``standard`` plan is run on the business year's last quarter, exactly
as ``kamscore score run`` would. Nothing here is special to the demo but the choice of what
to publish and run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.auth.scope import Scope
from kamscore.content.bundled import bundled_dir
from kamscore.demo.spec import DemoSpec
from kamscore.demo.users import DEMO_PASSWORD
from kamscore.models import Person, ScoreLine, ScoreRun, User
from kamscore.scoring import acknowledgments, holds, lifecycle, statement_queries
from kamscore.scoring.errors import ScoringError
from kamscore.scoring.runs import run_score

#: The shipped rulesets the demo publishes, and the one it runs.
DEMO_RULESETS = ("standard", "launch", "mature")
SCORED_RULESET = "standard"
DRAFTER, APPROVER = "analyst", "approver"  # demo users (kamscore.demo.users)


@dataclass(frozen=True)
class DemoPay:
    published: tuple[str, ...]  # version labels, e.g. "standard v1"
    ruleset: str
    period: str
    run_id: int
    kams: int
    total_payout: float
    currency: str


def publish_and_score(session: Session, pm: Any, spec: DemoSpec) -> DemoPay:
    """Publish :data:`DEMO_RULESETS` and run :data:`SCORED_RULESET` on the last quarter of
    the demo's business year (each step commits, as the lifecycle and score runs do)."""
    labels = []
    for name in DEMO_RULESETS:
        source = (bundled_dir("rulesets") / f"{name}.yaml").read_text(encoding="utf-8")
        draft = lifecycle.import_ruleset(session, pm, source, f"rulesets/{name}.yaml",
                                         user=DRAFTER, note="shipped with kamscore (demo)")
        lifecycle.approve_version(session, name, draft.version, user=APPROVER)
        labels.append(lifecycle.publish_version(session, name, draft.version,
                                                user=DRAFTER).label)
    period = f"{spec.business_year}-Q4"
    run = run_score(session, pm, period=period, ruleset=SCORED_RULESET, user=DRAFTER)
    demo_queries(session, run)
    demo_acknowledgment_and_hold(session, pm, run)
    demo_ledger(session, run)
    return DemoPay(published=tuple(labels), ruleset=SCORED_RULESET, period=period,
                   run_id=run.id, kams=run.kam_count, total_payout=float(run.total_payout),
                   currency=run.currency)


#: What the demo KAM asks about his statement: (line, question, the comp team's answer).
DEMO_QUERIES = (
    ("payout", "Is the payout for the quarter paid with the March salary?",
     "Payouts of a quarter are paid with the salary of the month after the period closes."),
    ("score", "Which of my measures pulled my score down most this quarter?", None),
)


def demo_queries(session: Session, run: ScoreRun) -> int:
    """The demo KAM's questions on his statement in ``run`` through the real service: one
    answered by the demo analyst, one open in the comp team's queue. Commits; returns how
    many were raised (none when the demo users or his line are missing)."""
    kam = session.scalar(select(User).where(User.username == "kam"))
    analyst = session.scalar(select(User).where(User.username == DRAFTER))
    if kam is None or kam.person_id is None or analyst is None:
        return 0
    code = session.scalar(select(Person.code).where(Person.id == kam.person_id))
    scope = Scope("queries.raise", False, frozenset({kam.person_id}))
    raised = 0
    for line, question, answer in DEMO_QUERIES:
        try:
            query = statement_queries.raise_query(session, kam, scope, run_id=run.id,
                                                  kam_code=str(code), line=line, body=question)
        except ScoringError:
            session.rollback()
            return raised
        if answer is not None:
            statement_queries.answer_query(session, analyst, query.id, answer)
        session.commit()
        raised += 1
    return raised


def demo_acknowledgment_and_hold(session: Session, pm: Any, run: ScoreRun) -> None:
    """Through the real services: the demo KAM acknowledges his plan for the run's period
    (every other KAM has not: the acknowledgments page shows both), and the demo analyst
    holds one other KAM's payout in ``run`` while an expense claim is checked. Commits."""
    kam = session.scalar(select(User).where(User.username == "kam"))
    if kam is not None and kam.person is not None:
        try:
            _, document, _ = acknowledgments.document_for(
                session, pm, kam, run.ruleset_version_id, run.period.code)
            acknowledgments.acknowledge(session, pm, kam, run.ruleset_version_id,
                                        run.period.code, shown_hash=document.hash,
                                        password=DEMO_PASSWORD)
        except ScoringError:
            session.rollback()
    other = session.scalar(select(ScoreLine.kam_code).where(
        ScoreLine.run_id == run.id, ScoreLine.payout > 0,
        ScoreLine.person_id != (kam.person_id if kam is not None else None))
        .order_by(ScoreLine.kam_code).limit(1))
    if other is not None:
        holds.place_hold(session, run.id, other, reason="investigation", user=DRAFTER,
                         note="expense claim under review (demo)")


def demo_ledger(session: Session, run: ScoreRun) -> int:
    """The pay ledger's demo data through the real services: a SPIFF for the demo KAM
    (entered by the demo analyst, approved by the demo approver), an adjustment for the KAM
    with the lowest payout in ``run`` left waiting for the approver (so the approval page has
    one to approve: the period's payroll is settled only once it is), and a recoverable draw
    for that KAM. Commits; returns how many entries were made (none when the demo users or
    lines are missing)."""
    from kamscore.models import ScoreLine
    from kamscore.scoring import ledger

    kam = session.scalar(select(User).where(User.username == "kam"))
    lowest = session.scalar(select(ScoreLine.kam_code).where(ScoreLine.run_id == run.id)
                            .order_by(ScoreLine.payout, ScoreLine.kam_code).limit(1))
    if kam is None or kam.person_id is None or lowest is None:
        return 0
    code = str(session.scalar(select(Person.code).where(Person.id == kam.person_id)))
    period = run.period.code
    spiff = ledger.enter_entry(session, user=DRAFTER, kam_code=code, period_code=period,
                               kind="spiff", amount="300.00", currency=run.currency,
                               reason="launch SPIFF: three new formulary listings")
    ledger.enter_entry(session, user=DRAFTER, kam_code=lowest,
                                    period_code=period, kind="adjustment", amount="150.00",
                                    currency=run.currency,
                                    reason="territory handover: two accounts credited late")
    ledger.approve_entry(session, spiff.id, user=APPROVER)
    ledger.set_draw_terms(session, user=DRAFTER, kam_code=lowest, from_period=period,
                          amount="1000.00", recoverable=True, recovery_limit="50")
    return 2
