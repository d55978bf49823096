"""Payroll export of a signed-off run: the rows payroll pays, and the sign-off they rest on.

A run is exported for payroll only once its period is closed — the close, by an approver who
did not make the run (``kamscore.scoring.periods``), *is* the sign-off — and only if it is the
period's current run for its ruleset, made before the close (a correction made after the
close has not been signed off). The sign-off is read from the audit log's ``period.close``
event: who closed the period and when. Every export is recorded (``export.pay``, kind
``payroll``) in the caller's transaction.
"""

from __future__ import annotations

import io
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.exports.payroll import PayrollRow, PayrollSheet, payroll_xlsx, write_payroll_csv
from kamscore.models import Period, Person, RulesetVersion, ScoreLine, User
from kamscore.models.audit import AuditEvent
from kamscore.scoring.errors import ConflictError, InvalidInputError
from kamscore.scoring.run_store import current_run, get_run

CENT = Decimal("0.01")


def sign_off(session: Session, period: Period) -> AuditEvent | None:
    """The audit event of the period's close (None while it is open)."""
    if not period.is_closed:
        return None
    return session.scalar(
        select(AuditEvent).where(AuditEvent.action == "period.close",
                                 AuditEvent.object_type == "period",
                                 AuditEvent.object_key == period.code)
        .order_by(AuditEvent.id.desc()).limit(1))


def payroll_refusal(session: Session, run_id: int) -> str | None:
    """Why run ``run_id`` cannot be exported for payroll (None: it can)."""
    run = get_run(session, run_id)
    period = session.get(Period, run.period_id)
    assert period is not None
    if not period.is_closed:
        return (f"period {period.code} is open: payroll is exported after the sign-off, when "
                "an approver (not the person who ran it) has closed the period")
    current = current_run(session, period.id, run.ruleset_name)
    if current is not None and current.id != run.id:
        return (f"run {run.id} has been corrected by run {current.id}: export the current "
                "run")
    if period.closed_at is not None and run.created_at > period.closed_at:
        return (f"run {run.id} corrects a run after {period.code} was closed: the correction "
                "has not been signed off")
    if sign_off(session, period) is None:
        return f"the close of {period.code} is not in the audit log: no sign-off to cite"
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
    event = sign_off(session, period)
    assert event is not None
    rows = [PayrollRow(code, name, Decimal(str(payout)).quantize(CENT))
            for code, name, payout in session.execute(
                select(ScoreLine.kam_code, Person.name, ScoreLine.payout)
                .join(Person, Person.id == ScoreLine.person_id)
                .where(ScoreLine.run_id == run.id).order_by(ScoreLine.kam_code))]
    return PayrollSheet(period=period.code, run_id=run.id, ruleset=run.ruleset_name,
                        ruleset_version=version.version, input_hash=run.input_hash,
                        currency=run.currency, signed_off_by=event.actor,
                        signed_off_at=event.at, rows=rows)


FORMATS = ("csv", "xlsx")


def export_payroll(session: Session, run_id: int, *, user: User | str,
                   file_format: str) -> tuple[PayrollSheet, bytes]:
    """The payroll file of run ``run_id`` in ``file_format`` (``csv``: UTF-8 text;
    ``xlsx``: a workbook), recorded in the audit log as exported by ``user`` (the caller
    commits)."""
    if file_format not in FORMATS:
        raise InvalidInputError(f"no payroll format {file_format!r}; known: csv, xlsx",
                                field="format")
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
