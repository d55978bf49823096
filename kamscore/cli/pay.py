"""``kamscore pay``: the pay ledger beyond a run's earnings (docs/scoring.md, "Pay beyond the
run").

- ``pay enter KAM PERIOD --kind adjustment|spiff|clawback --amount A --reason R [--run N]``
- ``pay approve ENTRY`` (four-eyes: not the person who entered it)
- ``pay draw KAM --from PERIOD --amount A --recoverable|--guaranteed [--recovery-limit P]``
- ``pay settle RUN [--advances R1,R2,...]``: settle a signed-off run's payroll (the first
  payroll export does it too); with ``--advances`` an annual run is trued up against the runs
  that paid its advances
- ``pay sign-off RUN``: sign off a correction of a closed period (four-eyes)
- ``pay lines RUN [--kam K]``: the payroll lines with their kinds
- ``pay balances``: what each KAM owes back, recovered and outstanding
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from kamscore.cli.ruleset_lifecycle import default_user, fail
from kamscore.db.session import get_db
from kamscore.scoring import ledger, settlement
from kamscore.scoring.errors import ScoringError


@click.group("pay", cls=AppGroup)
def pay_group() -> None:
    """Pay beyond the run: adjustments, SPIFFs, clawbacks, draws, true-ups, corrections."""


_user = click.option("--user", default=default_user, show_default="the OS user",
                     help="who does it (recorded in the audit log)")


def _fail(session, exc: ScoringError) -> click.ClickException:  # type: ignore[no-untyped-def]
    session.rollback()
    if exc.field in ("kam", "entry"):  # the arguments
        return click.ClickException(f"{exc.message} ({exc.field.upper()})")
    return fail(exc)


@pay_group.command("enter")
@click.argument("kam")
@click.argument("period")
@click.option("--kind", required=True, type=click.Choice(("adjustment", "spiff", "clawback")))
@click.option("--amount", required=True, help="e.g. 250.00 (a clawback is negative)")
@click.option("--reason", required=True, help="why (shown on the statement)")
@click.option("--run", "run_id", type=int, help="a clawback: the run it corrects")
@_user
def enter_command(kam: str, period: str, kind: str, amount: str, reason: str,
                  run_id: int | None, user: str) -> None:
    """Enter an adjustment, SPIFF or clawback of KAM, paid in PERIOD once approved."""
    with get_db().sessionmaker() as session:
        try:
            entry = ledger.enter_entry(session, user=user, kam_code=kam, period_code=period,
                                       kind=kind, amount=amount, reason=reason, run_id=run_id)
        except ScoringError as exc:
            raise _fail(session, exc) from exc
        click.echo(f"entry {entry.id}: {entry.kind.value} {entry.amount:,.2f} "
                   f"{entry.currency} for {entry.kam_code} in {period}, waiting for approval "
                   "(by another person)")


@pay_group.command("approve")
@click.argument("entry", type=int)
@_user
def approve_command(entry: int, user: str) -> None:
    """Approve pay entry ENTRY (not one you entered)."""
    with get_db().sessionmaker() as session:
        try:
            found = ledger.approve_entry(session, entry, user=user)
        except ScoringError as exc:
            raise _fail(session, exc) from exc
        click.echo(f"entry {found.id} ({found.kind.value} {found.amount:,.2f} for "
                   f"{found.kam_code}) approved by {found.approved_by}")


@pay_group.command("draw")
@click.argument("kam")
@click.option("--from", "from_period", required=True, help="the first period it applies to")
@click.option("--amount", required=True, help="the draw per period, e.g. 500.00")
@click.option("--recoverable/--guaranteed", required=True,
              help="recovered from later earnings, or never")
@click.option("--recovery-limit", default="100", show_default=True,
              help="at most this percent of a period's earnings is recovered")
@_user
def draw_command(kam: str, from_period: str, amount: str, recoverable: bool,
                 recovery_limit: str, user: str) -> None:
    """Set KAM's draw from a period on (a new record; the latest applies)."""
    with get_db().sessionmaker() as session:
        try:
            terms = ledger.set_draw_terms(session, user=user, kam_code=kam,
                                          from_period=from_period, amount=amount,
                                          recoverable=recoverable,
                                          recovery_limit=recovery_limit)
        except ScoringError as exc:
            raise _fail(session, exc) from exc
        kind = "recoverable" if terms.recoverable else "guaranteed"
        click.echo(f"{kam}: draw {terms.amount:,.2f} per period from {from_period}, {kind}, "
                   f"recovery at most {terms.recovery_limit} % of a period's earnings")


def _advances(value: str | None) -> list[int] | None:
    if not value:
        return None
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(f"run ids separated by commas, not {value!r}",
                                 param_hint="--advances") from None


def _print_lines(session, run_id: int, kam: str | None) -> None:  # type: ignore[no-untyped-def]
    lines = settlement.pay_lines(session, run_id, kam)
    for line in lines:
        owed = "" if line.payable == line.amount else f" (worth {line.amount:,.2f}: owed)"
        click.echo(f"{line.kam_code:<8} {line.kind:<11} {line.payable:>12,.2f}{owed}  "
                   f"{line.refers_to}: {line.reason}")
    total = sum((line.payable for line in lines), ledger.ZERO)
    click.echo(f"total {total:,.2f} in {len(lines)} lines")


@pay_group.command("settle")
@click.argument("run", type=int)
@click.option("--advances", help="true-up: the runs that paid the advances, e.g. 3,4,5,6")
@_user
def settle_command(run: int, advances: str | None, user: str) -> None:
    """Settle the payroll of signed-off run RUN and print its lines."""
    with get_db().sessionmaker() as session:
        try:
            found = settlement.settle_run(session, run, user=user,
                                          advances=_advances(advances))
            session.commit()
        except ScoringError as exc:
            raise _fail(session, exc) from exc
        click.echo(f"run {run} settled ({found.kind.value}) by {found.settled_by}")
        _print_lines(session, run, None)


@pay_group.command("sign-off")
@click.argument("run", type=int)
@_user
def sign_off_command(run: int, user: str) -> None:
    """Sign off correction RUN, made after its period's close (not by who made it)."""
    from kamscore.scoring.payroll import sign_off_correction

    with get_db().sessionmaker() as session:
        try:
            sign_off_correction(session, run, user=user)
        except ScoringError as exc:
            raise _fail(session, exc) from exc
        click.echo(f"run {run} signed off by {user}: its payroll pays the differences")


@pay_group.command("lines")
@click.argument("run", type=int)
@click.option("--kam", help="one KAM's lines")
def lines_command(run: int, kam: str | None) -> None:
    """The payroll lines of run RUN with their kinds (before the settlement: a preview)."""
    with get_db().sessionmaker() as session:
        try:
            _print_lines(session, run, kam)
        except ScoringError as exc:
            raise _fail(session, exc) from exc


@pay_group.command("balances")
def balances_command() -> None:
    """What each KAM owes back (recoverable draws, negative differences) and has repaid."""
    with get_db().sessionmaker() as session:
        rows = ledger.balances(session)
    if not rows:
        click.echo("no draws and nothing owed")
    for row in rows:
        draw = ("no draw" if row.draw is None else
                f"draw {row.draw:,.2f} {'recoverable' if row.recoverable else 'guaranteed'}")
        click.echo(f"{row.kam_code:<8} {draw}; owed {row.owed:,.2f}, recovered "
                   f"{row.recovered:,.2f}, outstanding {row.outstanding:,.2f}")
