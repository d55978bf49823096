"""The demo's open target round, so that the target pages have something to show.

Round ``{year}-Q4-TARGETS`` of ``sales_target`` for the business year's last quarter: the
national total (last year's fourth-quarter credited net sales plus 6 %, to the thousand) is
allocated by each KAM's credited share of last year's fourth-quarter net sales, and the round
is opened by the demo ``analyst`` with a deadline two weeks ahead. The demo KAM proposes a
higher target with a reason (waiting for his manager); two more KAMs of the demo manager's
teams propose lower ones, of which the manager has accepted one. All through the real
services, each step audit-logged, as the pages would do it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.auth.scope import Scope, scope_for
from kamscore.demo.spec import DemoSpec
from kamscore.models import Person, User
from kamscore.scoring import target_proposals, target_rounds
from kamscore.scoring.periods import get_period
from kamscore.scoring.target_basis import credited
from kamscore.scoring.target_rounds import Allocation

ANALYST = "analyst"
GROWTH = Decimal("1.06")
#: (relative change the KAM proposes, his reason, whether the manager accepted it)
PROPOSALS = (
    (Decimal("1.08"), "Two new hospital tenders start this quarter; I can carry more.", False),
    (Decimal("0.90"), "The biggest account moves to a generic in October.", False),
    (Decimal("0.95"), "A formulary review delays one launch by a month.", True),
)


@dataclass(frozen=True)
class DemoRound:
    code: str
    kams: int
    proposals: int


def open_target_round(session: Session, pm: Any, spec: DemoSpec, now: dt.datetime
                      ) -> DemoRound:
    """Create, allocate and open the demo round, with the proposals above. Commits."""
    year = spec.business_year
    code, period, key_period = f"{year}-Q4-TARGETS", f"{year}-Q4", f"{year - 1}-Q4"
    last_year = credited(session, pm, get_period(session, key_period), ["net_sales"])
    total = sum(t["net_sales"] for t in last_year.totals.values() if "net_sales" in t)
    national = (Decimal(total) * GROWTH).quantize(Decimal(1000))
    target_rounds.create_round(session, code=code, title=f"Sales targets {period}",
                               period=period, facts={"sales_target": "EUR"}, bound_pct="25",
                               actor=ANALYST)
    shares = target_rounds.allocate_total(session, pm, code, Allocation(
        "sales_target", national, "credited_share", "net_sales", key_period), ANALYST)
    target_rounds.open_round(session, code, now + dt.timedelta(days=14), ANALYST, now)
    proposed = _proposals(session, code, now)
    session.commit()
    return DemoRound(code, len(shares), proposed)


def _proposals(session: Session, code: str, now: dt.datetime) -> int:
    kam = session.scalar(select(User).where(User.username == "kam"))
    manager = session.scalar(select(User).where(User.username == "manager"))
    if kam is None or manager is None or kam.person_id is None:
        return 0
    decider = scope_for(session, manager, "targets.decide", {})
    lines = [line for line in target_rounds.round_lines(
        session, target_rounds.get_round(session, code), decider)]
    own = [line for line in lines if line.kam_id == kam.person_id]
    others = [line for line in lines if line.kam_id != kam.person_id]
    chosen = (own + others)[:len(PROPOSALS)]
    for line, (change, reason, accepted) in zip(chosen, PROPOSALS, strict=False):
        actor = "kam" if line.kam_id == kam.person_id else session.scalar(
            select(Person.code).where(Person.id == line.kam_id))
        value = (line.top_down * change).quantize(Decimal("0.01"))
        target_proposals.propose(session, code, line.id, value, reason, Scope.unlimited(),
                                 actor, now)
        if accepted:
            target_proposals.decide(session, code, line.id, "accept", decider, "manager", now)
    return len(chosen)
