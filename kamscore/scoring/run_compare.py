"""Two runs side by side: who is paid differently, by how much, and why.

Both runs are read back from their stored lines. A KAM's *why* lists what changed between his
two lines, in plan terms: being in one run only, eligibility, target incentive, proration,
plan variant, and per component the value, the scoring segment and the contribution to his
score. Typical use: a correction against the run it corrects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.auth.scope import Scope
from kamscore.models import ScoreLine
from kamscore.scoring.errors import NotFoundError
from kamscore.scoring.run_store import (
    DetailReader,
    StoredLine,
    get_visible_run,
    load_line,
    load_lines,
)
from kamscore.scoring.statements import run_summary

#: Contributions and factors closer than this are the same (float noise).
EPSILON = 1e-9


@dataclass(frozen=True)
class ComponentChange:
    id: str
    title: str
    value_a: Any
    value_b: Any
    segment_a: str | None
    segment_b: str | None
    contribution_a: float | None
    contribution_b: float | None

    @property
    def contribution_change(self) -> float | None:
        if self.contribution_a is None or self.contribution_b is None:
            return None
        return self.contribution_b - self.contribution_a


@dataclass(frozen=True)
class KamChange:
    kam_code: str
    kam_name: str
    payout_a: Decimal | None  # None: no line in run A
    payout_b: Decimal | None
    reasons: list[str] = field(default_factory=list)
    components: list[ComponentChange] = field(default_factory=list)

    @property
    def change(self) -> Decimal:
        return (self.payout_b or Decimal(0)) - (self.payout_a or Decimal(0))


@dataclass(frozen=True)
class RunComparison:
    a: dict[str, Any]  # run summaries
    b: dict[str, Any]
    changes: list[KamChange]  # largest change first
    unchanged: int

    @property
    def total_change(self) -> Decimal:
        return sum((c.change for c in self.changes), Decimal(0))


def _payout(line: StoredLine | None) -> Decimal | None:
    return None if line is None else Decimal(str(line.detail["payout"]))


def _differs(x: Any, y: Any) -> bool:
    if isinstance(x, int | float) and isinstance(y, int | float):
        return abs(x - y) > EPSILON
    return x != y


def _component_changes(a: StoredLine, b: StoredLine) -> list[ComponentChange]:
    old = {c["id"]: c for c in a.detail["components"]}
    changes = []
    for c in b.detail["components"]:
        before = old.get(c["id"], {})
        if any(_differs(before.get(key), c.get(key))
               for key in ("value", "segment", "treatment", "contribution")):
            changes.append(ComponentChange(
                c["id"], c["title"], before.get("value"), c.get("value"),
                before.get("segment") or before.get("treatment_label"),
                c.get("segment") or c.get("treatment_label"),
                before.get("contribution"), c.get("contribution")))
    return changes


def _reasons(a: StoredLine | None, b: StoredLine | None, a_id: int, b_id: int) -> list[str]:
    if a is None:
        return [f"only in run {b_id}"]
    if b is None:
        return [f"only in run {a_id}"]
    da, db = a.detail, b.detail
    said = []
    if da["eligible"] != db["eligible"]:
        said.append("became eligible" if db["eligible"] else
                    "no longer eligible: " + "; ".join(db["reasons"]))
    if da["status"] != db["status"] and da["eligible"] == db["eligible"]:
        said.append(f"status {da['status']} → {db['status']}")
    if _differs(da["target"], db["target"]):
        said.append(f"target incentive {da['target']} → {db['target']}")
    if _differs(da["proration"], db["proration"]):
        said.append(f"proration {da['proration']:.4f} → {db['proration']:.4f}")
    if da["variant"] != db["variant"]:
        said.append(f"plan variant {da['variant']} → {db['variant']}")
    return said


#: Above this many differing lines both runs are read in bulk rather than line by line.
BULK_ABOVE = 200


def _raw(session: Session, run_id: int, scope: Scope) -> dict[str, Any]:
    """KAM code → the stored detail of each line of the run in ``scope``: its JSON text, or
    for a run with detail blocks the decoded detail (equal details compare equal)."""
    reader = DetailReader(session, run_id)
    rows = session.execute(
        select(ScoreLine.kam_code, ScoreLine.detail)
        .where(ScoreLine.run_id == run_id, scope.people(ScoreLine.person_id))
        .order_by(ScoreLine.kam_code)).all()
    return {code: text or reader.detail(code, text) for code, text in rows}


def _lines(session: Session, run_id: int, codes: set[str], scope: Scope
           ) -> dict[str, StoredLine]:
    if len(codes) > BULK_ABOVE:
        return {line.kam_code: line for line in load_lines(session, run_id, scope)
                if line.kam_code in codes}
    found = {}
    for code in codes:
        try:
            found[code] = load_line(session, run_id, code, scope)
        except NotFoundError:
            continue
    return found


def compare_runs(session: Session, a_id: int, b_id: int, scope: Scope) -> RunComparison:
    """Run ``a_id`` against run ``b_id`` over the lines in ``scope``: every KAM whose payout
    or explanation differs, largest change in payout first. Lines stored identically under
    the same layout are unchanged without being read further."""
    run_a = get_visible_run(session, a_id, scope)
    run_b = get_visible_run(session, b_id, scope)
    raw_a, raw_b = _raw(session, run_a.id, scope), _raw(session, run_b.id, scope)
    same_layout = run_a.layout == run_b.layout
    differing = {code for code in raw_a.keys() | raw_b.keys()
                 if not same_layout or raw_a.get(code) != raw_b.get(code)}
    lines_a = _lines(session, run_a.id, differing & raw_a.keys(), scope)
    lines_b = _lines(session, run_b.id, differing & raw_b.keys(), scope)
    changes = []
    unchanged = len((raw_a.keys() | raw_b.keys()) - differing)
    for code in sorted(differing):
        a, b = lines_a.get(code), lines_b.get(code)
        components = _component_changes(a, b) if a is not None and b is not None else []
        reasons = _reasons(a, b, run_a.id, run_b.id)
        payout_a, payout_b = _payout(a), _payout(b)
        if payout_a == payout_b and not reasons and not components:
            unchanged += 1
            continue
        name = (b or a).kam_name  # type: ignore[union-attr]
        changes.append(KamChange(code, name, payout_a, payout_b, reasons, components))
    changes.sort(key=lambda c: (-abs(c.change), c.kam_code))
    return RunComparison(run_summary(session, run_a, scope), run_summary(session, run_b, scope),
                         changes, unchanged)
