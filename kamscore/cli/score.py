"""``kamscore score run|list|show|export|whatif``: score runs, statements and what-if."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from kamscore.auth.scope import Scope
from kamscore.cli.ruleset_lifecycle import default_user, fail
from kamscore.content.yaml_source import SourceError, read_source
from kamscore.db.session import get_db
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import runs, statements, whatif
from kamscore.scoring.errors import ScoringError
from kamscore.scoring.explain import as_text, explain, units_of
from kamscore.scoring.periods import get_period
from kamscore.scoring.run_store import get_run, list_runs

#: The CLI runs as the operator of the installation: it reads every line.
ALL = Scope.unlimited()


@click.group("score", cls=AppGroup)
def score_group() -> None:
    """Score runs: apply a published ruleset to a period; statements; what-if."""


@score_group.command("run")
@click.option("--period", required=True, help="period code, e.g. 2026-Q1")
@click.option("--ruleset", required=True, help="ruleset name (its published version is used)")
@click.option("--version", type=int, help="a given published or retired version instead")
@click.option("--correction-of", "correction_of", type=int,
              help="the run this one corrects (required for a closed period)")
@click.option("--reason", help="why the correction is needed (with --correction-of)")
@click.option("--user", default=default_user, show_default="the OS user")
def run_command(period: str, ruleset: str, version: int | None, correction_of: int | None,
                reason: str | None, user: str) -> None:
    """Make a score run and store it (immutable)."""
    try:
        with get_db().sessionmaker() as session:
            run = runs.run_score(session, get_plugin_manager(), period=period,
                                 ruleset=ruleset, version=version, user=user,
                                 correction_of=correction_of, reason=reason)
            summary = statements.run_summary(session, run, ALL)
    except ScoringError as exc:
        raise fail(exc) from exc
    _print_summary(summary)
    if summary["failures"]:
        click.echo(f"warning: {len(summary['failures'])} metric(s) failed; the KAMs they "
                   "touch are held for review and the period cannot be closed on this run",
                   err=True)


def _print_summary(s: dict) -> None:
    corrects = (f", corrects run {s['corrects_run_id']}: {s['correction_reason']}"
                if s["corrects_run_id"] else "")
    click.echo(f"run {s['id']}: {s['ruleset']} v{s['ruleset_version']} on {s['period']} "
               f"[{s['status']}]{corrects}")
    click.echo(f"  {s['kam_count']} KAMs, {s['eligible_count']} eligible, "
               f"{s['held_count']} held for review")
    click.echo(f"  total payout {s['total_payout']:,.2f} {s['currency']} "
               f"(at target: {s['total_target']:,.2f})")
    click.echo(f"  input hash {s['input_hash']}\n  result hash {s['result_hash']}")
    click.echo("  plugins: " + ", ".join(f"{k} {v}" for k, v in sorted(s["plugins"].items())))
    for failure in s["failures"]:
        click.echo(f"  FAILED {failure['component']}: metric {failure['metric']} "
                   f"(plugin {failure['plugin']}): {failure['error']}")


@score_group.command("list")
@click.option("--period", help="only runs of this period")
@click.option("--ruleset", help="only runs of this ruleset")
@click.option("--limit", default=50, show_default=True, type=int)
def list_command(period: str | None, ruleset: str | None, limit: int) -> None:
    """List score runs, newest first."""
    try:
        with get_db().sessionmaker() as session:
            period_id = get_period(session, period).id if period else None
            found, total = list_runs(session, scope=ALL, period_id=period_id, ruleset_name=ruleset,
                                     limit=limit)
            rows = [statements.run_summary(session, run, ALL) for run in found]
    except ScoringError as exc:
        raise fail(exc) from exc
    if not rows:
        click.echo("no score runs")
        return
    click.echo(f"{'run':>5}  {'period':<8} {'ruleset':<14} {'status':<9} {'KAMs':>6} "
               f"{'payout':>16}  created")
    for r in rows:
        ruleset_label = f"{r['ruleset']} v{r['ruleset_version']}"
        click.echo(f"{r['id']:>5}  {r['period']:<8} {ruleset_label:<14} {r['status']:<9} "
                   f"{r['kam_count']:>6} {r['total_payout']:>16,.2f}  {r['created_at'][:16]} "
                   f"{r['created_by']}"
                   + (f" (corrects {r['corrects_run_id']})" if r["corrects_run_id"] else ""))
    if total > len(rows):
        click.echo(f"... {total - len(rows)} more (--limit)")


@score_group.command("show")
@click.argument("run_id", type=int)
@click.option("--kam", help="a KAM's person code: print his statement")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def show_command(run_id: int, kam: str | None, as_json: bool) -> None:
    """Show run RUN_ID, or a KAM's statement in it."""
    try:
        with get_db().sessionmaker() as session:
            if kam is None:
                data = statements.run_summary(session, get_run(session, run_id), ALL)
            else:
                data = statements.statement(session, run_id, kam, ALL)
    except ScoringError as exc:
        raise fail(exc) from exc
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif kam is None:
        _print_summary(data)
    else:
        click.echo(as_text(explain(data, units_of(data["run"]["metrics"]))))


@score_group.command("export")
@click.argument("run_id", type=int)
@click.option("--csv", "csv_file", required=True, type=click.Path(dir_okay=False),
              help="file to write, or - for standard output")
def export_command(run_id: int, csv_file: str) -> None:
    """Write every KAM's statement of run RUN_ID as CSV (one row per KAM)."""
    try:
        with get_db().sessionmaker() as session:
            if csv_file == "-":
                count = statements.write_csv(session, run_id, sys.stdout, ALL)
            else:
                with open(csv_file, "w", encoding="utf-8", newline="") as stream:
                    count = statements.write_csv(session, run_id, stream, ALL)
    except ScoringError as exc:
        raise fail(exc) from exc
    if csv_file != "-":
        click.echo(f"{count} statements written to {csv_file}")


def _weights(items: tuple[str, ...]) -> dict[str, str]:
    weights = {}
    for item in items:
        cid, sep, value = item.partition("=")
        if not sep or not cid.strip() or not value.strip():
            raise click.BadParameter(f"{item!r}: write COMPONENT=PERCENT, e.g. sales=30",
                                     param_hint="--weight")
        weights[cid.strip()] = value.strip()
    return weights


@score_group.command("whatif")
@click.option("--period", required=True, help="the period whose inputs are used")
@click.option("--ruleset-file", "ruleset_file", type=click.Path(exists=True, dir_okay=False,
                                                                path_type=Path),
              help="the draft as a YAML file")
@click.option("--draft", "draft_ref", help="the draft as a stored version, e.g. standard:4")
@click.option("--against", "baseline_ref",
              help="compare with this version (default: the published one of the draft)")
@click.option("--weight", "weight_items", multiple=True,
              help="change a base weight of the draft, COMPONENT=PERCENT (repeat)")
@click.option("--top", default=10, show_default=True, type=int,
              help="how many KAMs rising and falling most to show")
@click.option("--json", "as_json", is_flag=True, help="print the whole report as JSON")
def whatif_command(period: str, ruleset_file: Path | None, draft_ref: str | None,
                   baseline_ref: str | None, weight_items: tuple[str, ...], top: int,
                   as_json: bool) -> None:
    """Evaluate a draft on a period's inputs and compare it with the published plan.

    Nothing is stored. Give the draft as --ruleset-file, --draft, or --against with
    --weight changes.
    """
    try:
        source = read_source(ruleset_file) if ruleset_file else None
        with get_db().sessionmaker() as session:
            report = whatif.what_if(
                session, get_plugin_manager(), period=period, draft_source=source,
                draft_ref=draft_ref, baseline_ref=baseline_ref,
                weights=_weights(weight_items) or None,
                filename=str(ruleset_file or "draft.yaml"), top=top)
    except (ScoringError, SourceError) as exc:
        raise fail(exc) from exc
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    click.echo(format_whatif(report, current_app.config.get("CURRENCY", "")))


def format_whatif(r: dict, default_currency: str = "") -> str:
    """A what-if report as text."""
    currency = r.get("currency") or default_currency
    draft, base = r["draft"], r["baseline"]
    lines = [f"What-if on {r['period']} ({r['inputs']['kams']} KAMs): {draft['label']}"
             + (f" vs {base['label']}" if base else " (no published version to compare)")]
    header = f"  {'':<22}{'draft':>16}" + (f"{'baseline':>16}{'change':>16}" if base else "")
    lines.append(header)

    def row(label: str, key: str, money: bool = True) -> str:
        fmt = "{:>16,.2f}" if money else "{:>16,}"
        text = f"  {label:<22}" + fmt.format(draft[key])
        if base:
            text += fmt.format(base[key]) + fmt.format(draft[key] - base[key])
        return text

    lines += [row("total payout", "payout"), row("cost at target", "target"),
              row("eligible KAMs", "eligible", False), row("held for review", "held", False)]
    for p, value in draft["percentiles"].items():
        text = f"  {'payout ' + p:<22}{value:>16,.2f}"
        if base:
            other = base["percentiles"][p]
            text += f"{other:>16,.2f}{value - other:>16,.2f}"
        lines.append(text)
    if base:
        change = r["change"]
        pct = f" ({change['percent']:+.2f} %)" if change["percent"] is not None else ""
        lines.append(f"  cost changes by {change['payout']:+,.2f} {currency}{pct}; "
                     f"{change['kams_up']} KAMs up, {change['kams_down']} down, "
                     f"{change['kams_same']} unchanged")
        for title, rows in (("rising most", r["risers"]), ("falling most", r["fallers"])):
            if rows:
                lines.append(f"  {title}:")
                lines += [f"    {k['kam']:<10} {k['name'][:28]:<28} {k['baseline']:>12,.2f}"
                          f" → {k['draft']:>12,.2f} ({k['change']:+,.2f})" for k in rows]
    for plan in (draft, base):
        for failure in (plan or {}).get("failures", []):
            lines.append(f"  FAILED in {plan['label']}: {failure['component']} "
                         f"({failure['metric']}): {failure['error']}")
    lines.append(f"  inputs {'from cache' if r['inputs']['cached'] else 'loaded'}; "
                 f"{r['seconds']['total']:.2f} s")
    return "\n".join(lines)
