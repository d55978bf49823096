"""Payroll export of a signed-off run: the rows payroll pays, and the sign-off they rest on.

A run is exported for payroll only once its period is closed — the close, by an approver who
did not make the run (``kamscore.scoring.periods``), *is* the sign-off — and only if it is the
period's current run for its ruleset. A correction made after the close needs a sign-off of
its own (``sign_off_correction``: an approver who did not make it). The sign-off is read from
the audit log: the ``period.close`` event, or the correction's ``run.sign_off`` event — who
and when. Every export is recorded (``export.pay``, kind ``payroll``) in the caller's
transaction.
"""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.exports.payroll import PayrollRow, PayrollSheet, payroll_xlsx, write_payroll_csv
from kamscore.models import Period, RulesetVersion, ScoreRun, User
from kamscore.models.audit import AuditEvent
from kamscore.scoring.errors import ConflictError, InvalidInputError, PermissionDeniedError
from kamscore.scoring.holds import apply_holds, hold_unacknowledged
from kamscore.scoring.run_store import current_run, get_run
from kamscore.texts import _


def _after_close(run: ScoreRun, period: Period) -> bool:
    return period.closed_at is not None and run.created_at > period.closed_at


def sign_off(session: Session, period: Period, run: ScoreRun | None = None
             ) -> AuditEvent | None:
    """The sign-off ``run`` rests on: the period's close, or for a correction made after the
    close its own ``run.sign_off`` (None while there is none)."""
    if not period.is_closed:
        return None
    if run is not None and _after_close(run, period):
        action, object_type, key = "run.sign_off", "run", str(run.id)
    else:
        action, object_type, key = "period.close", "period", period.code
    return session.scalar(
        select(AuditEvent).where(AuditEvent.action == action,
                                 AuditEvent.object_type == object_type,
                                 AuditEvent.object_key == key)
        .order_by(AuditEvent.id.desc()).limit(1))


def needs_sign_off(session: Session, run_id: int) -> bool:
    """True for the current run of a closed period made after the close (a correction) that
    nobody has signed off yet."""
    run = get_run(session, run_id)
    period = session.get(Period, run.period_id)
    assert period is not None
    current = current_run(session, period.id, run.ruleset_name)
    return (period.is_closed and current is not None and current.id == run.id
            and _after_close(run, period) and sign_off(session, period, run) is None)


def sign_off_correction(session: Session, run_id: int, *, user: str) -> AuditEvent:
    """Sign off the correction ``run_id`` made after its period's close, as ``user`` (an
    approver who did not make it: four-eyes); commits."""
    run = get_run(session, run_id)
    if not needs_sign_off(session, run_id):
        raise ConflictError(_("run %(run)s is not a correction waiting for a sign-off (only "
                              "the current run of a closed period, made after the close, "
                              "is)", run=run.id), field="run")
    if run.created_by == user:
        raise PermissionDeniedError(
            _("%(user)s made run %(run)s: four-eyes rule — another approver signs it off",
              user=user, run=run.id), field="user")
    event = record(session, user, "run.sign_off", "run", run.id,
                   corrects_run_id=run.corrects_run_id, reason=run.correction_reason,
                   total_payout=run.total_payout)
    session.commit()
    return event


def payroll_refusal(session: Session, run_id: int) -> str | None:
    """Why run ``run_id`` cannot be exported for payroll (None: it can)."""
    run = get_run(session, run_id)
    period = session.get(Period, run.period_id)
    assert period is not None
    if not period.is_closed:
        return _("period %(period)s is open: payroll is exported after the sign-off, when "
                 "an approver (not the person who ran it) has closed the period",
                 period=period.code)
    current = current_run(session, period.id, run.ruleset_name)
    if current is not None and current.id != run.id:
        return _("run %(run)s has been corrected by run %(current)s: export the current run",
                 run=run.id, current=current.id)
    if sign_off(session, period, run) is None:
        if _after_close(run, period):
            return _("run %(run)s corrects a run after %(period)s was closed: the correction "
                     "has not been signed off yet (an approver who did not make it signs it "
                     "off on this page)", run=run.id, period=period.code)
        return _("the close of %(period)s is not in the audit log: no sign-off to cite",
                 period=period.code)
    return None


def payroll_sheet(session: Session, run_id: int) -> PayrollSheet:
    """The payroll of run ``run_id``; ConflictError saying why when it cannot be exported."""
    refusal = payroll_refusal(session, run_id)
    if refusal is not None:
        raise ConflictError(refusal, field="run")
    run = get_run(session, run_id)
    period = session.get(Period, run.period_id)
    version = session.get(RulesetVersion, run.ruleset_version_id)
    assert period is not None and version is not None
    event = sign_off(session, period, run)
    assert event is not None
    rows = ledger_rows(session, run.id)
    rows = apply_holds(session, run, period, rows)  # payment holds: kamscore.scoring.holds
    return PayrollSheet(period=period.code, run_id=run.id, ruleset=run.ruleset_name,
                        ruleset_version=version.version, input_hash=run.input_hash,
                        currency=run.currency, signed_off_by=event.actor,
                        signed_off_at=event.at, rows=rows)


def ledger_rows(session: Session, run_id: int) -> list[PayrollRow]:
    """The payroll rows of run ``run_id``: its pay lines with their kinds
    (``kamscore.scoring.settlement``: earnings, entries, draws, recoveries; or a correction's
    differences, a true-up's). Before the settlement, the lines it would write."""
    from kamscore.scoring.settlement import pay_lines

    return [PayrollRow(line.kam_code, line.kam_name, line.payable, line.kind, line.refers_to,
                       line.amount) for line in pay_lines(session, run_id)]


FORMATS = ("csv", "xlsx")


def settle_for_export(session: Session, run_id: int, user: User | str) -> None:
    """The first export of a signed-off run settles its payroll (writes its draws,
    recoveries or differences, once); later exports read the same lines."""
    from kamscore.scoring.settlement import settle_run

    if payroll_refusal(session, run_id) is None:
        settle_run(session, run_id, user=user)


def export_payroll(session: Session, run_id: int, *, user: User | str,
                   file_format: str, pm: Any = None) -> tuple[PayrollSheet, bytes]:
    """The payroll file of run ``run_id`` in ``file_format`` (``csv``: UTF-8 text;
    ``xlsx``: a workbook), recorded in the audit log as exported by ``user`` (the caller
    commits)."""
    if file_format not in FORMATS:
        raise InvalidInputError(f"no payroll format {file_format!r}; known: csv, xlsx",
                                field="format")
    if pm is not None and payroll_refusal(session, run_id) is None:
        hold_unacknowledged(session, pm, get_run(session, run_id))  # kamscore.scoring.holds
    settle_for_export(session, run_id, user)
    sheet = payroll_sheet(session, run_id)
    if file_format == "csv":
        text = io.StringIO()
        write_payroll_csv(sheet, text)
        data = text.getvalue().encode("utf-8")
    else:
        data = payroll_xlsx(sheet)
    record(session, user, "export.pay", "run", sheet.run_id, kind="payroll",
           format=file_format, period=sheet.period, lines=len(sheet.rows),
           total_payout=str(sheet.total), signed_off_by=sheet.signed_off_by)
    return sheet, data
