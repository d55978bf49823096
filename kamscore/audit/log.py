"""Recording audit events: one call per step, in the step's own transaction.

``record(session, actor, action, obj, **details)`` adds an :class:`~kamscore.models.AuditEvent`
to the session; the caller's commit stores it with the step itself (a step rolled back leaves
no event, and a step cannot be stored without its event). Failed sign-ins and refused
credentials are recorded and committed on their own by the sign-in service.

The actions are the constants below (``ACTIONS`` lists them for the filters of the audit
page and for docs/security.md, whose table a test keeps equal to it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from kamscore.models import User
from kamscore.models.audit import AuditEvent
from kamscore.models.types import utcnow

#: action → what it records (docs/security.md, "What is logged").
ACTIONS: Mapping[str, str] = {
    "sign_in": "a user signed in",
    "sign_in.failed": "a sign-in failed (the username tried; no password)",
    "sign_in.throttled": "a sign-in was refused for too many failures",
    "sign_out": "a user signed out (all his sessions end)",
    "user.create": "a user was created (roles, person, teams)",
    "user.roles": "a user's roles, person or teams changed",
    "user.disable": "a user was disabled (his sessions and tokens stop at once)",
    "user.enable": "a disabled user was enabled again",
    "user.password": "a user's password was reset or changed",
    "token.create": "an API token was issued",
    "token.revoke": "an API token was revoked",
    "import": "a CSV file was imported (kind, file hash, rows created/updated/deleted)",
    "ruleset.draft": "a ruleset version was drafted",
    "ruleset.comment": "a comment on a ruleset version",
    "ruleset.approve": "a ruleset version was approved",
    "ruleset.publish": "a ruleset version was published",
    "run.create": "a score run (or a correction of one)",
    "period.close": "a period was closed (the sign-off its payroll export cites)",
    "run.sign_off": "a correction made after its period's close was signed off (four-eyes)",
    "query.raise": "a KAM raised a query on a line of his statement",
    "query.answer": "the comp team answered a statement query",
    "query.resolve": "a statement query was resolved",
    "campaign.create": "a survey campaign was created",
    "campaign.launch": "a campaign was opened and its invitations sent",
    "campaign.remind": "reminders of a campaign were sent",
    "campaign.close": "a campaign was closed",
    "export.pay": "statements or payroll were exported (kind payroll: CSV or XLSX, sign-off)",
    "campaign.extend": "a campaign's closing time was moved later",
    "nomination.propose": "a KAM proposed a colleague to rate him in a 360° campaign",
    "nomination.withdraw": "a KAM withdrew a rater he had proposed",
    "nomination.approve": "a manager approved a proposed rater (perhaps in another group)",
    "nomination.reject": "a manager rejected a proposed rater",
    "nomination.add": "a manager added a rater for a KAM (approved at once)",
    "target_round.create": "the comp team created a target round (period, facts, bound)",
    "target_round.set": "top-down targets of a round were imported or allocated (the key)",
    "target_round.open": "a target round was opened to the KAMs, with its deadline",
    "target.propose": "a KAM proposed another target, with his reason",
    "target.accept": "a manager accepted a KAM's proposed target",
    "target.adjust": "a manager set another target than the KAM proposed, with his reason",
    "target.reject": "a manager rejected a KAM's proposed target (top-down stands)",
    "target_round.approve": "a target round was approved: its targets written as facts",
    "survey.exclude": "flagged survey responses were excluded from scoring (flag, reason)",
    "campaign.exclude_speeders": "a campaign's automatic exclusion of speeders was turned "
                                 "on or off",
    "pay.enter": "an adjustment, SPIFF or clawback was entered (KAM, period, amount, reason)",
    "pay.approve": "a pay entry was approved (four-eyes: not the person who entered it)",
    "pay.draw_terms": "a KAM's draw terms were set (amount, guaranteed or recoverable, limit)",
    "pay.settle": "a run's payroll was settled: draws, recoveries, corrections or true-up",
    "export.survey_results": "survey results were exported",
    "plan.acknowledge": "a KAM acknowledged his plan document (its SHA-256 and text kept)",
    "plan.remind": "KAMs who had not acknowledged their plan were reminded by e-mail",
    "hold.place": "a KAM's payout or one statement line was held (reason, amount)",
    "hold.release": "a payment hold was released (the period it is paid in)",
    "export.audit": "the audit log was exported",
}


class UnknownAction(ValueError):
    pass


def record(session: Session, actor: User | str | None, action: str, object_type: str,
           object_key: object, **details: Any) -> AuditEvent:
    """Add one event to ``session`` (stored by the caller's commit)."""
    if action not in ACTIONS:
        raise UnknownAction(f"unknown audit action {action!r}")
    if isinstance(actor, User):
        name, actor_id = actor.username, actor.id
    else:
        name, actor_id = actor or "", None
    event = AuditEvent(at=utcnow(), actor=name, actor_id=actor_id, action=action,
                       object_type=object_type, object_key=str(object_key)[:200],
                       details={key: _plain(value) for key, value in details.items()})
    session.add(event)
    return event


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
