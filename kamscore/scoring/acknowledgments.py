"""Plan acknowledgments: each KAM confirms his plan document with his password.

A published ruleset version applies, for every period of its kind that is still open, to the
people its eligibility names (their role) who are in their role during the period. Each of them
gets his plan document (``kamscore.scoring.plan_document``). He acknowledges it by re-entering
his password; the page sends back the SHA-256 of the text it showed him, and the document is
built again: if it differs (a target or the plan changed since), nothing is written and the
KAM is asked to read it again. Otherwise the exact text, its hash, who and when are stored
(``PlanAcknowledgment``) and the step is audit-logged (``plan.acknowledge``).

Managers see their teams' KAMs, the comp team everyone: who has acknowledged and who has not.
Reminders go by e-mail to those who have not (``plan.remind``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.auth.scope import Scope
from kamscore.models import (
    Period,
    PeriodStatus,
    Person,
    PlanAcknowledgment,
    RulesetStatus,
    RulesetVersion,
    User,
)
from kamscore.scoring.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from kamscore.scoring.lifecycle import parse_version
from kamscore.scoring.plan_document import PlanDocument, plan_document
from kamscore.texts import _, in_language


@dataclass(frozen=True)
class PlanPeriod:
    version: RulesetVersion
    period: Period
    title: str
    holds_payouts: bool  # acknowledgment.hold_payouts


@dataclass(frozen=True)
class KamAcknowledgment:
    person: Person
    acknowledgment: PlanAcknowledgment | None


def plan_periods(session: Session, pm: Any, *, include_closed: bool = False
                 ) -> list[PlanPeriod]:
    """Every (published version, period of its kind) pair — open periods only unless
    ``include_closed`` — newest period first."""
    versions = session.scalars(select(RulesetVersion).where(
        RulesetVersion.status == RulesetStatus.PUBLISHED).order_by(RulesetVersion.name))
    periods = list(session.scalars(select(Period).order_by(Period.start_date.desc(),
                                                           Period.code)))
    found = []
    for version in versions:
        ruleset = parse_version(version, pm)
        for period in periods:
            if period.kind.value != ruleset.period.value:
                continue
            if period.status != PeriodStatus.OPEN and not include_closed:
                continue
            found.append(PlanPeriod(version, period, ruleset.title, ruleset.hold_unacknowledged))
    return found


def _plan_period(session: Session, pm: Any, version_id: int, period_code: str) -> PlanPeriod:
    for found in plan_periods(session, pm, include_closed=True):
        if found.version.id == version_id and found.period.code == period_code:
            return found
    raise NotFoundError(_("no published plan %(version)s for period %(period)r",
                          version=version_id, period=period_code),
                        field="period")


def _people_query(session: Session, pm: Any, plan: PlanPeriod) -> Any:
    ruleset = parse_version(plan.version, pm)
    period = plan.period
    query = select(Person).where(
        or_(Person.start_date.is_(None), Person.start_date <= period.end_date),
        or_(Person.end_date.is_(None), Person.end_date >= period.start_date))
    if ruleset.eligibility.roles is not None:
        query = query.where(Person.role.in_(ruleset.eligibility.roles))
    return query.order_by(Person.code)


def applies_to(session: Session, pm: Any, plan: PlanPeriod, person: Person) -> bool:
    return session.scalar(_people_query(session, pm, plan).where(Person.id == person.id)
                          ) is not None


def _acknowledgments(session: Session, plan: PlanPeriod,
                     person_ids: Sequence[int] | None = None
                     ) -> dict[int, PlanAcknowledgment]:
    query = select(PlanAcknowledgment).where(
        PlanAcknowledgment.ruleset_version_id == plan.version.id,
        PlanAcknowledgment.period_id == plan.period.id)
    if person_ids is not None:
        query = query.where(PlanAcknowledgment.person_id.in_(person_ids))
    return {a.person_id: a for a in session.scalars(query)}


def my_plans(session: Session, pm: Any, user: User
             ) -> list[tuple[PlanPeriod, PlanAcknowledgment | None]]:
    """The plans that apply to ``user``'s person, each with his acknowledgment (or None)."""
    person = user.person
    if person is None:
        return []
    found = []
    for plan in plan_periods(session, pm, include_closed=True):
        if applies_to(session, pm, plan, person):
            found.append((plan, _acknowledgments(session, plan, [person.id]).get(person.id)))
    return found


def document_for(session: Session, pm: Any, user: User, version_id: int, period_code: str
                 ) -> tuple[PlanPeriod, PlanDocument, PlanAcknowledgment | None]:
    """``user``'s own plan document (as it reads today) and his acknowledgment of it."""
    plan = _plan_period(session, pm, version_id, period_code)
    person = user.person
    if person is None or not applies_to(session, pm, plan, person):
        raise NotFoundError(_("plan %(plan)s does not apply to you in %(period)s",
                              plan=plan.version.label, period=period_code), field="period")
    document = plan_document(session, pm, plan.version, plan.period, person)
    return plan, document, _acknowledgments(session, plan, [person.id]).get(person.id)


def acknowledge(session: Session, pm: Any, user: User, version_id: int, period_code: str, *,
                shown_hash: str, password: str) -> PlanAcknowledgment:
    """Store ``user``'s acknowledgment of the document whose hash he was shown; commits.
    Refused, with nothing written: a wrong password (``password``), a document that changed
    since it was shown (``document_hash``), an acknowledgment already given."""
    plan, document, already = document_for(session, pm, user, version_id, period_code)
    if not password or not user.check_password(password):
        raise PermissionDeniedError(_("the password is not right: enter your own password to "
                                      "acknowledge your plan"), field="password")
    if already is not None:
        raise ConflictError(_("you acknowledged this plan on %(day)s",
                              day=f"{already.acknowledged_at:%Y-%m-%d}"), field="period")
    if shown_hash != document.hash:
        raise InvalidInputError(
            _("the plan document changed since it was shown to you (a target or the plan was "
              "updated): read it again, then acknowledge it"), field="document_hash")
    assert user.person is not None
    found = PlanAcknowledgment(ruleset_version_id=plan.version.id, period_id=plan.period.id,
                               person_id=user.person.id, acknowledged_by=user.username,
                               document_hash=document.hash, document=document.text)
    session.add(found)
    session.flush()
    record(session, user, "plan.acknowledge", "plan_acknowledgment", found.id,
           ruleset=plan.version.name, version=plan.version.version, period=plan.period.code,
           kam=user.person.code, document_hash=document.hash)
    session.commit()
    return found


def stored(session: Session, acknowledgment_id: int, scope: Scope) -> PlanAcknowledgment:
    """An acknowledgment with its document, when ``scope`` reaches its KAM (NotFoundError)."""
    found = session.scalar(select(PlanAcknowledgment).where(
        PlanAcknowledgment.id == acknowledgment_id,
        scope.people(PlanAcknowledgment.person_id)))
    if found is None:
        raise NotFoundError(_("no acknowledgment %(id)s", id=acknowledgment_id),
                            field="acknowledgment")
    return found


def status(session: Session, pm: Any, scope: Scope
           ) -> list[tuple[PlanPeriod, list[KamAcknowledgment]]]:
    """Per plan and open period, the KAMs in ``scope`` it applies to, acknowledged or not
    (those who have not first)."""
    found = []
    for plan in plan_periods(session, pm):
        people = list(session.scalars(_people_query(session, pm, plan)
                                      .where(scope.people(Person.id))))
        acks = _acknowledgments(session, plan, [p.id for p in people])
        rows = [KamAcknowledgment(p, acks.get(p.id)) for p in people]
        rows.sort(key=lambda r: (r.acknowledgment is not None, r.person.code))
        found.append((plan, rows))
    return found


def unacknowledged(session: Session, pm: Any, version: RulesetVersion, period: Period,
                   person_ids: Sequence[int]) -> set[int]:
    """Which of ``person_ids`` have not acknowledged ``version`` for ``period``."""
    plan = PlanPeriod(version, period, version.title or version.name, False)
    done = _acknowledgments(session, plan, list(person_ids))
    return {pid for pid in person_ids if pid not in done}


REMINDER_SUBJECT = "Please acknowledge your incentive plan"


def _reminder(person: Person, plan: PlanPeriod, link: str) -> tuple[str, str]:
    """The reminder's subject and body, in the texts' current language."""
    body = _("Dear %(name)s,\n\nyour incentive plan %(plan)s for %(period)s is waiting for "
             "your acknowledgment. Read it and acknowledge it here:\n\n%(link)s\n",
             name=person.name, plan=plan.title, period=plan.period.code, link=link)
    if plan.holds_payouts:
        body += "\n" + _("Until you acknowledge it, your payout under it is held.") + "\n"
    return _("Please acknowledge your incentive plan"), body


def remind(session: Session, pm: Any, mailer: Any, version_id: int, period_code: str, *,
           user: User | str, scope: Scope, link: str) -> int:
    """E-mail every KAM in ``scope`` who has not acknowledged plan ``version_id`` for
    ``period_code`` (those with an address), each in his own language (his user's setting,
    else English); returns how many were sent; commits."""
    plan = _plan_period(session, pm, version_id, period_code)
    people = list(session.scalars(_people_query(session, pm, plan)
                                  .where(scope.people(Person.id))))
    waiting = unacknowledged(session, pm, plan.version, plan.period, [p.id for p in people])
    languages = dict(session.execute(select(User.person_id, User.language).where(
        User.person_id.in_([p.id for p in people if p.id in waiting]))).all())
    sent = 0
    with mailer.connection() as connection:
        for person in people:
            if person.id not in waiting or not person.email:
                continue
            with in_language(languages.get(person.id)):
                subject, body = _reminder(person, plan, link)
            connection.send(mailer.message(person.email, subject, body))
            sent += 1
    record(session, user, "plan.remind", "ruleset_version", plan.version.id,
           period=plan.period.code, sent=sent, waiting=len(waiting))
    session.commit()
    return sent
