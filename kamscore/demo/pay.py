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

from sqlalchemy.orm import Session

from kamscore.content.bundled import bundled_dir
from kamscore.demo.spec import DemoSpec
from kamscore.scoring import lifecycle
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
    return DemoPay(published=tuple(labels), ruleset=SCORED_RULESET, period=period,
                   run_id=run.id, kams=run.kam_count, total_payout=float(run.total_payout),
                   currency=run.currency)
