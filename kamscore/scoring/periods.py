"""Periods as the scoring services see them: look-up and closing.

Closing a period freezes it: its payouts are final. From then on no ordinary score run can be
made for it; the only run still allowed is a *correction* of its current run, made with an
explicit reason (see ``kamscore.scoring.runs``). A period is not closed while the current run
of one of its rulesets is partial (a metric failed): that run's held KAMs must be resolved by
a complete run first.

Closing is the *sign-off* of the period's payouts (docs/scoring.md, "Close and payroll"), so
it follows the four-eyes rule: the user who closes a period must not be the user who made one
of its current runs (``PermissionDeniedError`` naming ``user``). The close's audit event
(``period.close``: who, when, which runs) is the sign-off that the payroll export cites.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.models import Period, PeriodStatus, ScoreRunStatus
from kamscore.models.types import utcnow
from kamscore.scoring.errors import ConflictError, NotFoundError, PermissionDeniedError
from kamscore.scoring.run_store import current_runs
from kamscore.texts import _


def get_period(session: Session, code: str) -> Period:
    """The period with ``code`` (e.g. ``2026-Q1``), or a NotFoundError naming it."""
    period = session.scalar(select(Period).where(Period.code == code))
    if period is None:
        known = session.scalars(select(Period.code).order_by(Period.start_date)).all()
        hint = f"; known periods: {', '.join(known)}" if known else "; no period exists yet"
        raise NotFoundError(f"no period '{code}'{hint}", field="period")
    return period


def close_period(session: Session, code: str, *, user: str | None = None) -> Period:
    """Close (freeze) the period ``code`` for ``user`` (recorded in the audit log; the CLI's
    operator when None); commits. Refused if closed already, if a current run is partial,
    or if ``user`` made one of the current runs (four-eyes: the closer signs off on the
    runner's work)."""
    period = get_period(session, code)
    if period.status is PeriodStatus.CLOSED:
        raise ConflictError(
            _("period %(period)s was closed on %(when)s UTC", period=code,
              when=f"{period.closed_at:%Y-%m-%d %H:%M}"), field="period"
        )
    partial = [run for run in current_runs(session, period.id)
               if run.status is ScoreRunStatus.PARTIAL]
    if partial:
        names = ", ".join(f"{run.id} ({run.ruleset_name})" for run in partial)
        raise ConflictError(
            _("period %(period)s cannot be closed: run %(runs)s is partial (a metric failed "
              "and KAMs are held for review); make a complete run first", period=code,
              runs=names),
            field="period",
        )
    own = sorted(run.id for run in current_runs(session, period.id)
                 if user is not None and run.created_by == user)
    if own:
        names = ", ".join(str(run_id) for run_id in own)
        raise PermissionDeniedError(
            _("%(user)s made run %(runs)s of %(period)s: four-eyes rule — the period must be "
              "closed (signed off) by another approver than the person who ran it", user=user,
              runs=names, period=code), field="user")
    period.status = PeriodStatus.CLOSED
    period.closed_at = utcnow()
    record(session, user, "period.close", "period", code,
           runs=[run.id for run in current_runs(session, period.id)])
    session.commit()
    return period
