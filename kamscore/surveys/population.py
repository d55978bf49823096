"""Who is asked in a campaign: the invitations a campaign starts with.

Customer surveys: every stakeholder (with an e-mail address) of the chosen accounts, about
his account; the rater group is the stakeholder's role (physician, pharmacist, ...). Who chose
the stakeholder (``Stakeholder.chosen_by``) is copied onto his invitation.

360° surveys: for every chosen KAM, about him —
- ``self``: the KAM himself;
- ``manager``: his line manager;
- ``peer``: the other KAMs under the same manager, and KAMs in his account teams;
- ``cross_functional``: the medical, market-access, marketing, health-economics and other
  colleagues of his account teams (teams he leads or belongs to, and the teams of the
  accounts assigned to him in the period).
A person falls in the first group that applies, in that order, and is asked once per KAM.
Only people in their role during the period are asked. These raters follow from the
organisation, so they are chosen by the ``organisation``; raters a KAM nominates are chosen
by him (``kamscore.surveys.nominated_raters``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, selectinload

from kamscore.models import (
    Account,
    Assignment,
    ChosenBy,
    Period,
    Person,
    RaterGroup,
    Role,
    Stakeholder,
    SubjectType,
    Team,
    TeamMember,
)
from kamscore.surveys.errors import SurveyError


@dataclass(frozen=True)
class Invitee:
    """One invitation to create (not yet a row)."""

    subject_type: SubjectType
    subject_account_id: int | None
    subject_person_id: int | None
    subject_key: str
    rater_group: str
    stakeholder_id: int | None
    person_id: int | None
    respondent_key: str
    name: str
    email: str | None
    language: str
    chosen_by: ChosenBy = ChosenBy.ORGANISATION


def customer_invitees(session: Session, period: Period,
                      account_codes: Sequence[str] | None) -> list[Invitee]:
    """Stakeholders of the accounts (by code; all accounts with a KAM in the period if None)."""
    accounts = _accounts(session, period, account_codes)
    stakeholders = session.scalars(
        select(Stakeholder)
        .where(Stakeholder.account_id.in_([a.id for a in accounts]))
        .options(selectinload(Stakeholder.account))
        .order_by(Stakeholder.account_id, Stakeholder.id)
    ).all()
    return [
        Invitee(
            subject_type=SubjectType.ACCOUNT, subject_account_id=s.account_id,
            subject_person_id=None, subject_key=f"account:{s.account.code}",
            rater_group=s.role.value, stakeholder_id=s.id, person_id=None,
            respondent_key=f"stakeholder:{s.id}", name=s.name, email=s.email or None,
            language=s.language or "en", chosen_by=s.chosen_by,
        )
        for s in stakeholders
    ]


def _accounts(session: Session, period: Period, codes: Sequence[str] | None) -> list[Account]:
    if codes:
        found = session.scalars(select(Account).where(Account.code.in_(codes))).all()
        missing = sorted(set(codes) - {a.code for a in found})
        if missing:
            raise SurveyError(f"unknown account(s): {', '.join(missing)}", field="accounts")
        return sorted(found, key=lambda a: a.code)
    accounts = session.scalars(
        select(Account).join(Assignment, Assignment.account_id == Account.id)
        .where(*_overlaps(Assignment, period)).distinct().order_by(Account.code)
    ).all()
    if not accounts:
        raise SurveyError(f"no account has a KAM assigned in {period.code}; name the "
                          "accounts", field="accounts")
    return list(accounts)


def _overlaps(model: type[Assignment] | type[Person], period: Period) -> list[ColumnElement[bool]]:
    """Rows whose [start_date, end_date] span meets the period (open ends allowed)."""
    return [
        or_(model.start_date.is_(None), model.start_date <= period.end_date),
        or_(model.end_date.is_(None), model.end_date >= period.start_date),
    ]


def active_kams(session: Session, period: Period, codes: Sequence[str] | None) -> list[Person]:
    """The KAMs to be rated: by code, else every KAM in role during the period."""
    query = select(Person).where(*_overlaps(Person, period))
    if codes:
        found = session.scalars(select(Person).where(Person.code.in_(codes))).all()
        missing = sorted(set(codes) - {p.code for p in found})
        if missing:
            raise SurveyError(f"unknown person(s): {', '.join(missing)}", field="kams")
        not_kams = sorted(p.code for p in found if p.role is not Role.KAM)
        if not_kams:
            raise SurveyError(f"not a KAM: {', '.join(not_kams)}", field="kams")
        return sorted(found, key=lambda p: p.code)
    kams = session.scalars(query.where(Person.role == Role.KAM).order_by(Person.code)).all()
    if not kams:
        raise SurveyError(f"no KAM is in role during {period.code}", field="kams")
    return list(kams)


def three_sixty_invitees(session: Session, period: Period, kam_codes: Sequence[str] | None,
                         language: str) -> list[Invitee]:
    """Every chosen KAM with his raters (see the module docstring)."""
    kams = active_kams(session, period, kam_codes)
    active = {p.id: p for p in session.scalars(select(Person).where(*_overlaps(Person, period)))}
    invitees: list[Invitee] = []
    for kam in kams:
        raters: dict[int, str] = {}  # person id → rater group, first group wins

        def add(person_ids: Iterable[int], group: RaterGroup, raters: dict[int, str] = raters,
                ) -> None:
            for person_id in person_ids:
                if person_id in active and person_id not in raters:
                    raters[person_id] = group.value

        add([kam.id], RaterGroup.SELF)
        if kam.manager_id is not None:
            add([kam.manager_id], RaterGroup.MANAGER)
        members = _team_members(session, kam, period)
        add(sorted(p.id for p in active.values()
                   if p.role is Role.KAM and p.manager_id == kam.manager_id
                   and kam.manager_id is not None), RaterGroup.PEER)
        add(sorted(m.person_id for m in members if m.function is Role.KAM), RaterGroup.PEER)
        add(sorted(m.person_id for m in members if m.function is not Role.KAM),
            RaterGroup.CROSS_FUNCTIONAL)
        for person_id, group in raters.items():
            person = active[person_id]
            invitees.append(Invitee(
                subject_type=SubjectType.KAM, subject_account_id=None, subject_person_id=kam.id,
                subject_key=f"kam:{kam.code}", rater_group=group, stakeholder_id=None,
                person_id=person.id, respondent_key=f"person:{person.code}", name=person.name,
                email=person.email or None, language=language,
            ))
    return invitees


def self_invitees(session: Session, period: Period, kam_codes: Sequence[str] | None,
                  language: str) -> list[Invitee]:
    """Only the chosen KAMs' self-ratings: the start of a campaign whose raters are
    nominated (``kamscore.surveys.nominations`` adds the approved raters when it opens)."""
    return [person_invitee(kam, kam, RaterGroup.SELF.value, language)
            for kam in active_kams(session, period, kam_codes)]


def person_invitee(kam: Person, person: Person, group: str, language: str,
                   chosen_by: ChosenBy = ChosenBy.ORGANISATION) -> Invitee:
    """The invitation of ``person`` to rate ``kam`` in ``group``."""
    return Invitee(
        subject_type=SubjectType.KAM, subject_account_id=None, subject_person_id=kam.id,
        subject_key=f"kam:{kam.code}", rater_group=group, stakeholder_id=None,
        person_id=person.id, respondent_key=f"person:{person.code}", name=person.name,
        email=person.email or None, language=language, chosen_by=chosen_by,
    )


def _team_members(session: Session, kam: Person, period: Period) -> list[TeamMember]:
    """Members of the KAM's account teams, the KAM himself left out."""
    account_team_ids = select(Account.team_id).join(
        Assignment, Assignment.account_id == Account.id
    ).where(Assignment.person_id == kam.id, Account.team_id.is_not(None),
            *_overlaps(Assignment, period))
    member_team_ids = select(TeamMember.team_id).where(TeamMember.person_id == kam.id)
    led_team_ids = select(Team.id).where(Team.lead_id == kam.id)
    return list(session.scalars(
        select(TeamMember).where(
            or_(TeamMember.team_id.in_(account_team_ids), TeamMember.team_id.in_(member_team_ids),
                TeamMember.team_id.in_(led_team_ids)),
            TeamMember.person_id != kam.id,
        ).order_by(TeamMember.team_id, TeamMember.person_id)
    ))


def kams_of_teams(session: Session, team_codes: Sequence[str]) -> list[str]:
    """The KAMs who lead or serve as KAM in the teams (the subjects of a 360°)."""
    teams = session.scalars(select(Team).where(Team.code.in_(team_codes))).all()
    missing = sorted(set(team_codes) - {t.code for t in teams})
    if missing:
        raise SurveyError(f"unknown team(s): {', '.join(missing)}", field="teams")
    ids = [t.id for t in teams]
    codes = session.scalars(
        select(Person.code).where(Person.role == Role.KAM, or_(
            Person.id.in_(select(Team.lead_id).where(Team.id.in_(ids))),
            Person.id.in_(select(TeamMember.person_id).where(TeamMember.team_id.in_(ids))),
        )).order_by(Person.code)
    ).all()
    if not codes:
        raise SurveyError("the chosen teams have no KAM to be rated", field="teams")
    return list(codes)
