"""Statements: a KAM's payout explained, read back from a stored run.

Everything comes from the run and its line — never from a fresh computation — so a statement
shows exactly what was paid and why, however the data or the plugins changed since. The
line's ``detail`` is the engine's statement (``kamscore.engine.statement``) enriched with the
metric inputs; ``statement`` adds the run's context (period, ruleset version, plugins, hashes)
and ``write_csv`` flattens all KAMs of a run into one row each, for payroll and for checking.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from sqlalchemy.orm import Session

from kamscore.auth.scope import Scope
from kamscore.exports.csv_cells import Cell, CsvWriter
from kamscore.models import Period, RulesetVersion, ScoreRun
from kamscore.scoring.errors import NotFoundError, PermissionDeniedError
from kamscore.scoring.run_store import (
    ScopedTotals,
    StoredLine,
    get_visible_run,
    has_line,
    load_line,
    load_lines,
    scoped_totals,
)


def run_summary(session: Session, run: ScoreRun, scope: Scope) -> dict[str, Any]:
    """The run as plain data (for the API, the CLI and the pages). Its counts and totals are
    over the lines in ``scope`` (a manager sees his team's, a KAM his own)."""
    period = session.get(Period, run.period_id)
    version = session.get(RulesetVersion, run.ruleset_version_id)
    assert period is not None and version is not None
    totals = (ScopedTotals(run.kam_count, run.eligible_count, run.held_count, run.total_payout,
                           run.total_target)
              if scope.everything else scoped_totals(session, run.id, scope))
    return {
        "id": run.id,
        "period": period.code,
        "period_closed": period.is_closed,
        "ruleset": run.ruleset_name,
        "ruleset_version": version.version,
        "ruleset_content_hash": version.content_hash,
        "status": run.status.value,
        "plugins": run.plugins,
        "metrics": run.metrics,
        "failures": run.failures,
        "input_hash": run.input_hash,
        "result_hash": run.result_hash,
        "currency": run.currency,
        "kam_count": totals.kam_count,
        "eligible_count": totals.eligible_count,
        "held_count": totals.held_count,
        "total_payout": totals.total_payout,
        "total_target": totals.total_target,
        "corrects_run_id": run.corrects_run_id,
        "correction_reason": run.correction_reason,
        "created_at": run.created_at.isoformat(),
        "created_by": run.created_by,
    }


def line_statement(line: StoredLine) -> dict[str, Any]:
    """One stored line as a statement: the KAM, the status and the full explanation."""
    return {
        "kam": {"code": line.kam_code, "name": line.kam_name},
        "eligible": line.eligible,
        "held": line.held,
        "payout": line.detail["payout"],
        "input_hash": line.input_hash,
        **{k: v for k, v in line.detail.items() if k not in ("payout", "code")},
    }


def statement(session: Session, run_id: int, kam_code: str, scope: Scope) -> dict[str, Any]:
    """KAM ``kam_code``'s statement in run ``run_id``: NotFoundError when there is none, or
    when ``scope`` reaches no line of the run; PermissionDeniedError when the run has his
    line but ``scope`` does not reach him (KAM codes are no secret; pay is)."""
    run = get_visible_run(session, run_id, scope)
    try:
        line = load_line(session, run.id, kam_code, scope)
    except NotFoundError:
        if not scope.everything and has_line(session, run.id, kam_code):
            raise PermissionDeniedError(
                "a statement is visible to its KAM, his manager, the comp team and auditors",
                field="kam") from None
        raise
    return {"run": run_summary(session, run, scope), **line_statement(line)}


# -- CSV ------------------------------------------------------------------------------------------

_LINE_COLUMNS = (
    "kam_code", "kam_name", "status", "eligible", "held", "reasons", "variant", "currency",
    "target", "proration", "score", "plan_multiplier", "plan_gate_factor", "final_factor",
    "amount_before_rounding", "payout",
)
_COMPONENT_COLUMNS = ("value", "n", "treatment", "segment", "factor", "weight",
                      "effective_weight", "contribution")


def _money(value: str | None) -> Decimal | None:
    """A stored amount (a decimal string) as the number it is."""
    return None if value is None or value == "" else Decimal(value)


def csv_header(component_ids: Iterable[str], parts: Iterable[str],
               horizons: Iterable[str]) -> list[str]:
    header = list(_LINE_COLUMNS)
    for cid in component_ids:
        header += [f"{cid}.{column}" for column in _COMPONENT_COLUMNS]
    header += [f"part.{p}" for p in parts] + [f"horizon.{h}" for h in horizons]
    return [*header, "input_hash"]


def csv_row(line: StoredLine, component_ids: list[str], parts: list[str],
            horizons: list[str]) -> list[Cell]:
    """One KAM's row: texts as text, numbers (money as exact decimals) as numbers."""
    d = line.detail
    row: list[Cell] = [
        line.kam_code, line.kam_name, d["status"], str(line.eligible).lower(),
        str(line.held).lower(), "; ".join(d["reasons"]), d["variant"], d["currency"],
        d["target"], d["proration"], d["score"], d["plan_multiplier"], d["plan_gate_factor"],
        d["final_factor"], d["amount"], _money(d["payout"]),
    ]
    components = {c["id"]: c for c in d["components"]}
    for cid in component_ids:
        c = components.get(cid, {})
        row += [
            c.get("value"), c.get("n"), c.get("treatment", ""), c.get("segment"),
            c.get("factor"), c.get("weight"), c.get("effective_weight"),
            c.get("contribution"),
        ]
    row += [_money(d["parts"].get(p)) for p in parts]
    row += [_money(d["horizons"].get(h)) for h in horizons]
    return [*row, line.input_hash]


def write_csv(session: Session, run_id: int, stream: IO[str], scope: Scope) -> int:
    """Write the statement of every KAM of run ``run_id`` in ``scope`` as CSV rows; returns
    the row count.

    Columns: the line (status, target, proration, score, payout...), then for each component
    ``<id>.value``, ``.n``, ``.treatment``, ``.segment``, ``.factor``, ``.weight``,
    ``.effective_weight``, ``.contribution``, then the payout split by part and horizon and
    the line's input hash. Numbers are written in full (``repr``), money as exact decimals;
    a text that starts like a spreadsheet formula is quoted (``exports.csv_cells``).
    """
    run = get_visible_run(session, run_id, scope)
    lines = load_lines(session, run.id, scope)
    first = lines[0].detail if lines else {"components": [], "parts": {}, "horizons": {}}
    component_ids = [c["id"] for c in first["components"]]
    parts, horizons = sorted(first["parts"]), sorted(first["horizons"])
    writer = CsvWriter(stream)
    writer.writerow(csv_header(component_ids, parts, horizons))
    for line in lines:
        writer.writerow(csv_row(line, component_ids, parts, horizons))
    return len(lines)
