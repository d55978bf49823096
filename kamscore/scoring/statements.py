"""Statements: a KAM's payout explained, read back from a stored run.

Everything comes from the run and its line — never from a fresh computation — so a statement
shows exactly what was paid and why, however the data or the plugins changed since. The
line's ``detail`` is the engine's statement (``kamscore.engine.statement``) enriched with the
metric inputs; ``statement`` adds the run's context (period, ruleset version, plugins, hashes)
and ``write_csv`` flattens all KAMs of a run into one row each, for payroll and for checking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from sqlalchemy.orm import Session

from kamscore.auth.scope import Scope
from kamscore.engine.rounding import CENT
from kamscore.exports.csv_cells import Cell, CsvWriter
from kamscore.models import Period, RulesetVersion, ScoreRun
from kamscore.scoring.errors import NotFoundError, PermissionDeniedError
from kamscore.scoring.group_labels import version_titles, version_variant_titles
from kamscore.scoring.run_store import (
    ScopedTotals,
    StoredLine,
    get_visible_run,
    has_line,
    load_line,
    load_lines,
    scoped_totals,
)
from kamscore.scoring.settlement import statement_pay


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


def statement(session: Session, run_id: int, kam_code: str, scope: Scope,
              pm: Any = None) -> dict[str, Any]:
    """KAM ``kam_code``'s statement in run ``run_id``: NotFoundError when there is none, or
    when ``scope`` reaches no line of the run; PermissionDeniedError when the run has his
    line but ``scope`` does not reach him (KAM codes are no secret; pay is). With the plugin
    manager ``pm`` it also names his plan variant by its title (``variant_title``)."""
    run = get_visible_run(session, run_id, scope)
    try:
        line = load_line(session, run.id, kam_code, scope)
    except NotFoundError:
        if not scope.everything and has_line(session, run.id, kam_code):
            raise PermissionDeniedError(
                "a statement is visible to its KAM, his manager, the comp team and auditors",
                field="kam") from None
        raise
    found = {"run": run_summary(session, run, scope), **line_statement(line)}
    found.update(statement_pay(session, run.id, kam_code))
    if pm is not None:
        titles = version_variant_titles(run.ruleset_version, pm)
        found["variant_title"] = titles.get(found["variant"], found["variant"])
        found["titles"] = version_titles(run.ruleset_version, pm)
    return found


# -- the pay slip --------------------------------------------------------------------------------

#: Metric units shown as percentages (1.0 = 100 %).
FRACTION_UNITS = frozenset({"ratio", "share", "fraction"})


def pay_slip(found: dict[str, Any]) -> list[dict[str, Any]]:
    """A statement's components as the rows of a pay slip, in numbers (the page formats
    them): the value and its unit, the tier or curve segment, the factor, the weight, the
    weighted contribution to the score, and the share of the payout it brings (the payout
    split in proportion to the contributions, to the cent; None when nothing is paid) — and
    what was missing and how it was treated."""
    units = {m["key"]: m.get("unit") for m in found["run"]["metrics"]}
    payout = Decimal(str(found["payout"]))
    score = found.get("score") or 0.0
    commissions = Decimal(repr(found.get("commission") or 0.0))
    bonus = max(payout - commissions, Decimal(0))  # what the target-based part pays
    rows = []
    for c in found["components"]:
        unit = units.get(c.get("source"))
        share = None
        commission = c.get("commission")
        if commission is not None:  # a commission: its own money, rate x amount
            share = Decimal(repr(commission)).quantize(CENT) if payout > 0 else None
        elif bonus > 0 and score > 0 and c["treatment"] != "not_paid":
            share = (bonus * Decimal(repr(c["contribution"])) / Decimal(repr(score))
                     ).quantize(CENT)
        inputs = c.get("inputs") or {}
        rows.append({
            "id": c["id"], "title": c["title"], "metric": c["metric"], "value": c["value"],
            "fraction": unit in FRACTION_UNITS, "percent": unit in ("percent", "pct"),
            "unit": unit, "n": c.get("n"), "segment": c.get("segment"),
            "treatment": c["treatment"], "treatment_label": c["treatment_label"],
            "missing": c.get("reason"), "factor": c["factor"], "weight": c["weight"],
            "effective_weight": c["effective_weight"], "contribution": c["contribution"],
            "payout_share": share, "commission": commission, "rate": c.get("rate"),
            "accelerator": c.get("accelerator"),
            "inputs": [(k.replace("_", " "), v) for k, v in inputs.items()
                       if not isinstance(v, list | dict) and v is not None],
            "lists": [(k.replace("_", " "), v) for k, v in inputs.items()
                      if isinstance(v, list) and v],
        })
    return rows


# -- CSV ------------------------------------------------------------------------------------------

#: The run's identifying columns, then the line's (readable headers, as payroll reads them).
RUN_COLUMNS = ("Period", "Run", "Ruleset", "Ruleset version", "Input hash")
LINE_COLUMNS = ("KAM code", "KAM name", "Status", "Reasons", "Variant", "Currency",
                "Target incentive", "Proration", "Final factor", "Payout")
COMPONENT_COLUMNS = ("value", "scored as", "factor", "weight", "contribution")

#: Factors, weights and contributions are rounded to this many decimals in the CSV (the
#: statement page and the API keep every digit).
DIGITS = 6


def _money(value: str | None) -> Decimal | None:
    """A stored amount (a decimal string) as the number it is."""
    return None if value is None or value == "" else Decimal(value)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def component_labels(components: Iterable[tuple[str, str]]) -> list[str]:
    """Each component's name in the CSV header: its title, or "title [id]" when two
    components share a title."""
    pairs = list(components)
    titles = [title for _, title in pairs]
    return [title if titles.count(title) == 1 else f"{title} [{cid}]" for cid, title in pairs]


def _words(key: str) -> str:
    return key.replace("_", " ").capitalize()


def csv_header(components: Iterable[tuple[str, str]], parts: Iterable[str],
               horizons: Iterable[str]) -> list[str]:
    """The header: ``components`` are (id, title) pairs, in the run's order."""
    header = [*RUN_COLUMNS, *LINE_COLUMNS]
    for label in component_labels(components):
        header += [f"{label}: {column}" for column in COMPONENT_COLUMNS]
    header += [f"{_words(p)} part" for p in parts] + [_words(h) for h in horizons]
    return [*header, "KAM input hash"]


def csv_row(run: Sequence[Cell], line: StoredLine, component_ids: list[str], parts: list[str],
            horizons: list[str]) -> list[Cell]:
    """One KAM's row after the ``run``'s identifying cells: texts as text, numbers (money as
    exact decimals) as numbers."""
    d = line.detail
    row: list[Cell] = [
        *run, line.kam_code, line.kam_name, d["status"], "; ".join(d["reasons"]), d["variant"],
        d["currency"], d["target"], _round(d["proration"]), _round(d["final_factor"]),
        _money(d["payout"]),
    ]
    components = {c["id"]: c for c in d["components"]}
    for cid in component_ids:
        c = components.get(cid, {})
        scored_as = (c.get("segment") if c.get("treatment") == "scored"
                     else c.get("treatment_label", c.get("treatment", "")))
        row += [c.get("value"), scored_as or "", _round(c.get("factor")),
                _round(c.get("effective_weight")), _round(c.get("contribution"))]
    row += [_money(d["parts"].get(p)) for p in parts]
    row += [_money(d["horizons"].get(h)) for h in horizons]
    return [*row, line.input_hash]


def write_csv(session: Session, run_id: int, stream: IO[str], scope: Scope) -> int:
    """Write the statement of every KAM of run ``run_id`` in ``scope`` as CSV rows; returns
    the row count.

    Columns: the run (period, run id, ruleset and version, the run's input hash), the KAM
    (code, name), the line (status, reasons, variant, currency, target incentive, proration,
    final factor, payout), then for each component, by its title, the value, what it was
    scored as (the tier or curve segment, or how missing data was treated), the factor, the
    weight (after any reweighting) and the contribution, then the payout split by part and
    horizon and the line's input hash. Money is written as exact decimals, factors rounded
    to six decimals; a text that starts like a spreadsheet formula is quoted
    (``exports.csv_cells``).
    """
    run = get_visible_run(session, run_id, scope)
    version = session.get(RulesetVersion, run.ruleset_version_id)
    period = session.get(Period, run.period_id)
    assert version is not None and period is not None
    lines = load_lines(session, run.id, scope)
    first = lines[0].detail if lines else {"components": [], "parts": {}, "horizons": {}}
    components = [(c["id"], c["title"]) for c in first["components"]]
    component_ids = [cid for cid, _ in components]
    parts, horizons = sorted(first["parts"]), sorted(first["horizons"])
    identity: list[Cell] = [period.code, run.id, run.ruleset_name, version.version,
                            run.input_hash]
    writer = CsvWriter(stream)
    writer.writerow(csv_header(components, parts, horizons))
    for line in lines:
        writer.writerow(csv_row(identity, line, component_ids, parts, horizons))
    return len(lines)
