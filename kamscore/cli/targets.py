"""``kamscore targets create|import|allocate|open|approve|show``: target rounds from the shell,
as the comp team's round page does them (``kamscore.scoring.target_rounds``). A refusal is
an error naming the option (or the file and line) at fault; nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import click
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from kamscore.auth.scope import Scope
from kamscore.cli.ruleset_lifecycle import default_user, fail
from kamscore.db.session import get_db
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import target_rounds
from kamscore.scoring.errors import InvalidInputError, ScoringError
from kamscore.scoring.target_rounds import KEYS, Allocation

T = TypeVar("T")
_USER = click.option("--user", default=default_user, show_default="the OS user",
                     help="who does this (recorded in the audit log)")


@click.group("targets", cls=AppGroup)
def targets_group() -> None:
    """Target rounds: top-down targets, the KAMs' proposals, approval."""


def _run(step: Callable[[Session], T]) -> T:
    try:
        with get_db().sessionmaker() as session:
            done = step(session)
            session.commit()
            return done
    except ScoringError as exc:
        raise fail(exc) from exc


@targets_group.command("create")
@click.argument("code")
@click.option("--period", required=True, help="the period's code, e.g. 2027-Q1")
@click.option("--fact", "facts", multiple=True, default=("sales_target:EUR",),
              show_default=True, help="a target fact and its unit, NAME:UNIT (repeatable)")
@click.option("--bound", "bound_pct", default="25", show_default=True,
              help="how far (percent) a value may be from the top-down one")
@click.option("--title", default=None, help="the round's title (default: its code)")
@_USER
def create_command(code: str, period: str, facts: tuple[str, ...], bound_pct: str,
                   title: str | None, user: str) -> None:
    """Create round CODE (a draft) for a period."""
    units = {name.strip(): (unit.strip() or "EUR") for name, _, unit in
             (f.partition(":") for f in facts)}
    _run(lambda s: target_rounds.create_round(s, code=code, title=title or code,
                                              period=period, facts=units,
                                              bound_pct=bound_pct, actor=user))
    click.echo(f"round {code} created for {period}: {', '.join(units)}")


@targets_group.command("import")
@click.argument("code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_USER
def import_command(code: str, file: Path, user: str) -> None:
    """Top-down targets of round CODE from a CSV FILE (columns kam, fact, target)."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(InvalidInputError(f"{file}: not UTF-8 text", field="file")) from exc
    try:
        with get_db().sessionmaker() as session:
            count = target_rounds.import_top_down(session, code, text, str(file), user)
            session.commit()
    except ScoringError as exc:  # a row's problem names the file, line and column
        in_file = exc.field in ("file", "kam", "fact", "target")
        raise (click.ClickException(exc.message) if in_file else fail(exc)) from exc
    click.echo(f"round {code}: {count} top-down targets from {file}")


@targets_group.command("allocate")
@click.argument("code")
@click.option("--fact", default="sales_target", show_default=True)
@click.option("--total", required=True, help="the total to split, e.g. 12400000")
@click.option("--key", type=click.Choice(list(KEYS)), default="credited_share",
              show_default=True)
@click.option("--key-fact", default="net_sales", show_default=True)
@click.option("--key-period", required=True, help="e.g. last year's same quarter")
@click.option("--team", default=None, help="a team's code (default: the national total)")
@_USER
def allocate_command(code: str, fact: str, total: str, key: str, key_fact: str,
                     key_period: str, team: str | None, user: str) -> None:
    """Allocate a team's or the national total of round CODE by a key, to the cent."""
    allocation = Allocation(fact, total, key, key_fact, key_period, team=team)
    shares = _run(lambda s: target_rounds.allocate_total(s, get_plugin_manager(), code,
                                                         allocation, user))
    click.echo(f"round {code}: {sum(shares.values(), Decimal(0)):,.2f} allocated to "
               f"{len(shares)} KAMs")


@targets_group.command("open")
@click.argument("code")
@click.option("--deadline", required=True, type=click.DateTime(["%Y-%m-%dT%H:%M",
                                                                 "%Y-%m-%d %H:%M"]),
              help="until when KAMs propose (UTC)")
@_USER
def open_command(code: str, deadline: dt.datetime, user: str) -> None:
    """Open round CODE to the KAMs until the deadline."""
    when = deadline.replace(tzinfo=dt.UTC)
    _run(lambda s: target_rounds.open_round(s, code, when, user, dt.datetime.now(dt.UTC)))
    click.echo(f"round {code} open until {when:%Y-%m-%d %H:%M} UTC")


@targets_group.command("approve")
@click.argument("code")
@_USER
def approve_command(code: str, user: str) -> None:
    """Approve round CODE (not by whoever opened it): its targets become facts."""
    count = _run(lambda s: target_rounds.approve_round(s, code, user, dt.datetime.now(dt.UTC)))
    click.echo(f"round {code} approved: {count} target facts written")


@targets_group.command("show")
@click.argument("code")
def show_command(code: str) -> None:
    """Round CODE: its lines and the totals of top-down, proposed and approved targets."""
    try:
        with get_db().sessionmaker() as session:
            view = target_rounds.round_view(session, code, Scope.unlimited())
            r = view.round
            click.echo(f"{r.code} {r.title} — {r.period.code}, {r.status.value}"
                       + (f", deadline {r.deadline:%Y-%m-%d %H:%M} UTC" if r.deadline else ""))
            for line in view.lines:
                click.echo(f"  {line.kam.code:<10} {line.fact_name:<16} "
                           f"{line.top_down:>16,.2f} "
                           f"{'' if line.proposed is None else f'{line.proposed:,.2f}':>16} "
                           f"{(line.decision.value if line.decision else ''):<9} "
                           f"{line.approved_value:>16,.2f}")
            for fact, rows in view.totals.items():
                for t in rows:
                    click.echo(f"  total {fact} {t.label}: top-down {t.top_down:,.2f}, "
                               f"proposed {t.proposed:,.2f}, approved {t.approved:,.2f}")
    except ScoringError as exc:
        raise fail(exc) from exc
