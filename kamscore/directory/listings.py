"""The organisation as the web pages show it: KAMs, teams, accounts, one KAM's profile.

Services layer: every function takes a ``Session`` and returns plain dataclasses, whole
pages at a time, with a fixed number of queries per page (no query per row). ``on`` is the
day for "current" assignments (today by default, given by callers and tests).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, distinct, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from kamscore.auth.scope import Scope
from kamscore.directory.queries import select_accounts, select_teams
from kamscore.models import (
    Account,
    AccountType,
    Assignment,
    Fact,
    Period,
    PeriodStatus,
    Person,
    Role,
    Stakeholder,
    Team,
    TeamMember,
)
from kamscore.texts import _

T = TypeVar("T")

#: Order in which a team's members are listed: account managers first, then by function.
FUNCTION_ORDER = [Role.KAM, Role.MANAGER, Role.MSL, Role.MARKET_ACCESS, Role.MARKETING,
                  Role.HEALTH_ECONOMICS, Role.OTHER]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: 1-based ``number``, ``size`` rows per page, ``total`` rows in all."""

    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.items) - 1 if self.items else 0


class PageOutOfRange(LookupError):
    """Asked for a page after the last one."""


def _page(session: Session, stmt: Select[Any], number: int, size: int) -> tuple[list[Any], int]:
    if number < 1 or size < 1:
        raise PageOutOfRange(_("page %(number)s of size %(size)s", number=number, size=size))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if number > 1 and (number - 1) * size >= total:
        raise PageOutOfRange(_("page %(number)s: there are only %(pages)s", number=number,
                                 pages=max(1, math.ceil(total / size))))
    rows = session.scalars(stmt.limit(size).offset((number - 1) * size)).unique().all()
    return list(rows), total


def _active_on(on: dt.date) -> Any:
    return (Assignment.start_date <= on) & or_(
        Assignment.end_date.is_(None), Assignment.end_date >= on
    )


# --- home ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    kams: int
    teams: int
    accounts: int
    stakeholders: int
    facts: int
    open_periods: list[str]
    closed_periods: int

    @property
    def is_empty(self) -> bool:
        return not (self.kams or self.accounts or self.teams)


def overview(session: Session) -> Overview:
    """Counts for the home page."""

    def count(model: Any, *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    open_periods = session.scalars(
        select(Period.code).where(Period.status == PeriodStatus.OPEN)
        .order_by(Period.start_date, Period.end_date.desc())
    ).all()
    return Overview(
        kams=count(Person, Person.role == Role.KAM),
        teams=count(Team),
        accounts=count(Account),
        stakeholders=count(Stakeholder),
        facts=count(Fact),
        open_periods=list(open_periods),
        closed_periods=count(Period, Period.status == PeriodStatus.CLOSED),
    )


# --- KAMs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KamListing:
    code: str
    name: str
    email: str | None
    manager: str | None
    teams: list[str]
    accounts: int  # accounts assigned on the day asked for
    left_on: dt.date | None  # end of employment in the role, if it has ended


def kam_directory(session: Session, *, page: int = 1, per_page: int = 50,
                  on: dt.date | None = None) -> Page[KamListing]:
    """KAMs by name, with their teams, manager and how many accounts they hold ``on``."""
    on = on or dt.date.today()
    stmt = (select(Person).where(Person.role == Role.KAM)
            .options(joinedload(Person.manager)).order_by(Person.name, Person.code))
    people, total = _page(session, stmt, page, per_page)
    ids = [p.id for p in people]
    teams: dict[int, list[str]] = defaultdict(list)
    for person_id, team_name in session.execute(
        select(TeamMember.person_id, Team.name).join(Team, TeamMember.team_id == Team.id)
        .where(TeamMember.person_id.in_(ids)).order_by(Team.name)
    ):
        teams[person_id].append(team_name)
    accounts = dict(session.execute(
        select(Assignment.person_id, func.count(distinct(Assignment.account_id)))
        .where(Assignment.person_id.in_(ids), _active_on(on)).group_by(Assignment.person_id)
    ).all())
    items = [
        KamListing(
            code=p.code, name=p.name, email=p.email,
            manager=p.manager.name if p.manager else None,
            teams=teams.get(p.id, []), accounts=accounts.get(p.id, 0),
            left_on=p.end_date if p.end_date and p.end_date < on else None,
        )
        for p in people
    ]
    return Page(items, page, per_page, total)


@dataclass(frozen=True)
class Membership:
    team_code: str
    team_name: str
    function: Role
    is_lead: bool


@dataclass(frozen=True)
class AssignmentSpan:
    account_code: str
    account_name: str
    segment: str
    type: AccountType
    start_date: dt.date
    end_date: dt.date | None
    share: float
    status: str  # "current", "ended" or "upcoming" on the day asked for


@dataclass(frozen=True)
class KamProfile:
    code: str
    name: str
    email: str | None
    role: Role
    grade: str | None
    manager: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    memberships: list[Membership]
    assignments: list[AssignmentSpan]
    on: dt.date

    @property
    def current_accounts(self) -> int:
        return len({a.account_code for a in self.assignments if a.status == "current"})


def kam_profile(session: Session, code: str, *, accounts_scope: Scope | None,
                on: dt.date | None = None) -> KamProfile | None:
    """One person's teams and account assignments over time; None if there is no such code.

    The assignments are listed only if ``accounts_scope`` (the reader's scope for
    ``accounts.read``; None: he has none) reaches the person; otherwise the list is empty.
    """
    on = on or dt.date.today()
    person = session.scalar(
        select(Person).where(Person.code == code).options(joinedload(Person.manager))
    )
    if person is None:
        return None
    memberships = [
        Membership(team.code, team.name, member.function, team.lead_id == person.id)
        for member, team in session.execute(
            select(TeamMember, Team).join(Team, TeamMember.team_id == Team.id)
            .where(TeamMember.person_id == person.id).order_by(Team.name)
        )
    ]
    spans = []
    reach = accounts_scope.people(Assignment.person_id) if accounts_scope else false()
    for assignment, account in session.execute(
        select(Assignment, Account).join(Account, Assignment.account_id == Account.id)
        .where(Assignment.person_id == person.id, reach)
        .order_by(Assignment.start_date, Account.code)
    ):
        if assignment.start_date > on:
            status = "upcoming"
        elif assignment.end_date is not None and assignment.end_date < on:
            status = "ended"
        else:
            status = "current"
        spans.append(AssignmentSpan(
            account.code, account.name, account.segment, account.type,
            assignment.start_date, assignment.end_date, assignment.share, status,
        ))
    return KamProfile(
        code=person.code, name=person.name, email=person.email, role=person.role,
        grade=person.grade, manager=person.manager.name if person.manager else None,
        start_date=person.start_date, end_date=person.end_date,
        memberships=memberships, assignments=spans, on=on,
    )


# --- teams -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamListing:
    code: str
    name: str
    lead: Person | None
    members: list[tuple[Person, Role]]  # lead first, then KAMs, then by function
    accounts: int


def team_directory(session: Session, *, page: int = 1, per_page: int = 20) -> Page[TeamListing]:
    """Teams by code with their members and functions, and how many accounts they cover."""
    teams, total = _page(session, select_teams(), page, per_page)
    accounts = dict(session.execute(
        select(Account.team_id, func.count()).where(Account.team_id.in_([t.id for t in teams]))
        .group_by(Account.team_id)
    ).all())
    items = []
    for team in teams:
        members = sorted(
            ((m.person, m.function) for m in team.members),
            key=lambda pf: (pf[0].id != team.lead_id, FUNCTION_ORDER.index(pf[1]), pf[0].name),
        )
        items.append(TeamListing(team.code, team.name, team.lead, members,
                                 accounts.get(team.id, 0)))
    return Page(items, page, per_page, total)


# --- accounts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountListing:
    code: str
    name: str
    type: AccountType
    segment: str
    region: str | None
    team: str | None
    kams: list[tuple[str, str]] = field(default_factory=list)  # (code, name) on the day


@dataclass(frozen=True)
class AccountDirectory:
    """A page of accounts and the filter choices that go with it."""

    page: Page[AccountListing]
    segments: list[str]  # segments in use
    types: list[str]  # every account type
    segment: str | None  # the filters applied
    type: str | None


def account_directory(
    session: Session,
    scope: Scope,
    *,
    segment: str | None = None,
    type: str | None = None,
    page: int = 1,
    per_page: int = 50,
    on: dt.date | None = None,
) -> AccountDirectory:
    """Accounts in ``scope`` by code, filtered by segment and type, with the KAMs assigned
    ``on``.

    An empty filter means no filter; an unknown segment or type is a ``ValueError`` naming
    the values there are.
    """
    on = on or dt.date.today()
    segments = list(session.scalars(select(Account.segment).distinct().order_by(Account.segment)))
    types = [t.value for t in AccountType]
    segment = _known(segments, segment, _("unknown segment %(value)r; expected one of: %(values)s"))
    type = _known(types, type, _("unknown account type %(value)r; expected one of: %(values)s"))
    accounts, total = _page(session, select_accounts(scope, segment=segment, type=type), page,
                            per_page)
    kams: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for account_id, code, name in session.execute(
        select(Assignment.account_id, Person.code, Person.name)
        .join(Person, Assignment.person_id == Person.id)
        .where(Assignment.account_id.in_([a.id for a in accounts]), _active_on(on))
        .order_by(Assignment.share.desc(), Person.name)
    ):
        kams[account_id].append((code, name))
    items = [
        AccountListing(a.code, a.name, a.type, a.segment, a.region,
                       a.team.name if a.team else None, kams.get(a.id, []))
        for a in accounts
    ]
    return AccountDirectory(Page(items, page, per_page, total), segments, types, segment, type)


def _known(values: Sequence[str], value: str | None, message: str) -> str | None:
    """``value`` if it is one of ``values`` (or empty: no filter), else a ValueError."""
    if not value:
        return None
    if value not in values:
        raise ValueError(message % {"value": value, "values": ", ".join(values)})
    return value
