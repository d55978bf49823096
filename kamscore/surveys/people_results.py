"""Survey results for the people they are about: a KAM's own, and a manager's team's.

- ``own_results``: for one KAM, each closed customer campaign's headline figures (mean,
  CSAT, NPS) by account he holds, and each closed 360° campaign's figures about him by rater
  group, with his self-rating apart and the gap between self and others;
- ``team_completion``: for a manager's team, each campaign's invitations about the team's
  KAMs and their accounts, and how many were answered (counts only: no answer is read);
- ``team_360``: each closed 360° campaign, the "others" figures of every KAM of the team.

Only the reportable cells are read (``aggregate_store.campaign_cells``: the same minimum
group size and complementary suppression as the survey administrators' pages). A group
without a reportable cell is marked ``shown=False`` and carries **no number at all** — not
its count, not its mean: the pages say "too few responses" and nothing else. Scopes:
``scope.accounts`` and ``scope.people`` filter the invitations in the query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kamscore.auth.scope import Scope
from kamscore.metrics.survey_results import GROUP_OTHERS, GROUP_SELF
from kamscore.models import (
    Account,
    Campaign,
    CampaignStatus,
    Invitation,
    InvitationStatus,
    Person,
    SubjectType,
)
from kamscore.surveys.aggregate_store import Minimums, campaign_cells
from kamscore.surveys.aggregation import SUBJECT_CAMPAIGN, Cell, top_group
from kamscore.surveys.catalog import definition_of
from kamscore.surveys.measures import Measure, measures_of
from kamscore.surveys.reports import headline_measures


@dataclass(frozen=True)
class Figure:
    """One measure of one group: only made from a reportable cell."""

    measure: str
    label: str
    kind: str
    n: int
    mean: float | None
    scale_min: int | None
    scale_max: int | None
    csat: float | None = None
    nps: float | None = None
    gap: float | None = None  # self minus others (the self-rating's figure)


def fill(text: str, subject: str) -> str:
    """A definition's text with its ``{subject}`` placeholder filled in."""
    return text.replace("{subject}", subject)


def _figure(measure: Measure, cell: Cell, subject: str) -> Figure:
    d = cell.details
    return Figure(measure.id, fill(measure.label, subject), measure.kind, cell.n, cell.mean,
                  cell.scale_min if cell.scale_min is not None else measure.scale_min,
                  cell.scale_max if cell.scale_max is not None else measure.scale_max,
                  d.get("csat"), d.get("nps"), d.get("gap"))


@dataclass
class GroupFigures:
    """A group's figures; ``shown`` False: too few responses, and nothing else is said."""

    name: str  # an account's name, or a rater group
    code: str
    shown: bool
    figures: list[Figure] = field(default_factory=list)

    @property
    def by_measure(self) -> dict[str, Figure]:
        return {f.measure: f for f in self.figures}


@dataclass
class CampaignFigures:
    code: str
    name: str
    period: str
    kind: str  # "customer" or "internal_360"
    groups: list[GroupFigures] = field(default_factory=list)
    own: GroupFigures | None = None  # the KAM's self-rating (360°)


def _closed(session: Session, subject_type: SubjectType) -> list[Campaign]:
    return list(session.scalars(
        select(Campaign).options(selectinload(Campaign.survey_version),
                                 selectinload(Campaign.period))
        .where(Campaign.status == CampaignStatus.CLOSED,
               Campaign.subject_type == subject_type)
        .order_by(Campaign.closes_at.desc(), Campaign.code)))


def _invited(session: Session, campaign_ids: list[int], where: object
             ) -> dict[int, dict[str, set[str]]]:
    """campaign id → subject code → the rater groups invited (a query, counts unread)."""
    found: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    if not campaign_ids:
        return found
    rows = session.execute(
        select(Invitation.campaign_id, Invitation.subject_key, Invitation.rater_group)
        .where(Invitation.campaign_id.in_(campaign_ids), where).distinct())
    for campaign_id, key, group in rows:
        found[campaign_id][key.split(":", 1)[1]].add(group)
    return found


def _group(name: str, code: str, measures: list[Measure], cells: dict[str, Cell],
           subject: str) -> GroupFigures:
    figures = [_figure(m, cells[m.id], subject) for m in measures if m.id in cells]
    return GroupFigures(name, code, bool(figures), figures)


def customer_results(session: Session, scope: Scope, minimums: Minimums
                     ) -> list[CampaignFigures]:
    """Each closed customer campaign: the headline figures of every account in ``scope``
    that was surveyed, or "too few responses"."""
    campaigns = _closed(session, SubjectType.ACCOUNT)
    invited = _invited(session, [c.id for c in campaigns],
                       scope.accounts(Invitation.subject_account_id))
    campaigns = [c for c in campaigns if invited.get(c.id)]
    cells = campaign_cells(session, campaigns, minimums)
    names = dict(session.execute(select(Account.code, Account.name)
                                 .where(scope.accounts(Account.id))).all())
    found = []
    for campaign in campaigns:
        measures = headline_measures(measures_of(definition_of(campaign.survey_version)))
        top = top_group(False)
        by_subject: dict[str, dict[str, Cell]] = defaultdict(dict)
        for cell in cells[campaign.id]:
            if cell.subject_type != SUBJECT_CAMPAIGN and cell.rater_group == top:
                by_subject[cell.subject][cell.measure] = cell
        result = _campaign(campaign, "customer", "your accounts")
        for code in sorted(invited[campaign.id]):
            name = names.get(code, code)
            result.groups.append(_group(name, code, measures, by_subject.get(code, {}), name))
        found.append(result)
    return found


def _campaign(campaign: Campaign, kind: str, subject: str) -> CampaignFigures:
    return CampaignFigures(campaign.code, fill(campaign.name, subject), campaign.period.code,
                           kind)


RATER_ORDER = (GROUP_OTHERS, "manager", "peer", "direct_report", "cross_functional")


def _order(group: str) -> tuple[int, str]:
    return (RATER_ORDER.index(group) if group in RATER_ORDER else len(RATER_ORDER), group)


def internal_results(session: Session, person_code: str, minimums: Minimums, *,
                     subject: str = "you") -> list[CampaignFigures]:
    """Each closed 360° campaign about ``person_code``: figures by rater group (the whole
    of the others first), his self-rating apart with the self-minus-others gap."""
    campaigns = _closed(session, SubjectType.KAM)
    invited = _invited(session, [c.id for c in campaigns],
                       Invitation.subject_key == f"kam:{person_code}")
    campaigns = [c for c in campaigns if invited.get(c.id)]
    cells = campaign_cells(session, campaigns, minimums)
    found = []
    for campaign in campaigns:
        measures = headline_measures(measures_of(definition_of(campaign.survey_version)))
        by_group: dict[str, dict[str, Cell]] = defaultdict(dict)
        for cell in cells[campaign.id]:
            if cell.subject_type != SUBJECT_CAMPAIGN and cell.subject == person_code:
                by_group[cell.rater_group][cell.measure] = cell
        groups = invited[campaign.id][person_code] - {GROUP_SELF}
        result = _campaign(campaign, "internal_360", subject)
        for group in sorted(groups | {GROUP_OTHERS}, key=_order):
            result.groups.append(_group(group, group, measures, by_group.get(group, {}),
                                        subject))
        if GROUP_SELF in invited[campaign.id][person_code]:
            result.own = _group(GROUP_SELF, GROUP_SELF, measures, by_group.get(GROUP_SELF, {}),
                                subject)
        found.append(result)
    return found


@dataclass
class OwnResults:
    customer: list[CampaignFigures]
    internal: list[CampaignFigures]


def own_results(session: Session, scope: Scope, person_id: int | None,
                minimums: Minimums) -> OwnResults:
    """A KAM's own survey results (see the module docstring); nothing without a person."""
    person = session.get(Person, person_id) if person_id is not None else None
    if person is None or not scope.includes_person(person.id):
        return OwnResults([], [])
    own_scope = Scope(scope.permission, False, frozenset({person.id}))
    return OwnResults(customer_results(session, own_scope, minimums),
                      internal_results(session, person.code, minimums))


# -- a manager's team -----------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    code: str
    name: str
    period: str
    kind: str
    status: str
    invited: int
    answered: int

    @property
    def rate(self) -> float | None:
        return self.answered / self.invited if self.invited else None


def team_completion(session: Session, scope: Scope) -> list[Completion]:
    """Each campaign with invitations about the team (its KAMs in a 360°, their accounts in a
    customer survey): invited and answered, newest campaign first (one query)."""
    about_team = (scope.accounts(Invitation.subject_account_id)
                  | scope.people(Invitation.subject_person_id))
    rows = session.execute(
        select(Campaign, func.count(Invitation.id),
               func.count().filter(Invitation.status == InvitationStatus.SUBMITTED))
        .join(Invitation, Invitation.campaign_id == Campaign.id)
        .options(selectinload(Campaign.survey_version), selectinload(Campaign.period))
        .where(about_team).group_by(Campaign.id)
        .order_by(Campaign.opens_at.desc(), Campaign.code))
    return [Completion(c.code, c.name, c.period.code, c.survey_version.kind.value,
                       c.status.value, invited, answered) for c, invited, answered in rows]


@dataclass
class Team360:
    code: str
    name: str
    period: str
    measures: list[tuple[str, str]]  # (id, label), in order
    kams: list[GroupFigures]  # per KAM: the others' figures, or too few responses


def team_360(session: Session, scope: Scope, minimums: Minimums) -> list[Team360]:
    """Each closed 360° campaign about KAMs in ``scope``: every such KAM's "others"
    figures (the headline measures), or too few responses."""
    campaigns = _closed(session, SubjectType.KAM)
    invited = _invited(session, [c.id for c in campaigns],
                       scope.people(Invitation.subject_person_id))
    campaigns = [c for c in campaigns if invited.get(c.id)]
    cells = campaign_cells(session, campaigns, minimums)
    codes = sorted({code for c in campaigns for code in invited[c.id]})
    names = dict(session.execute(select(Person.code, Person.name)
                                 .where(Person.code.in_(codes))).all()) if codes else {}
    found = []
    for campaign in campaigns:
        measures = headline_measures(measures_of(definition_of(campaign.survey_version)))
        by_subject: dict[str, dict[str, Cell]] = defaultdict(dict)
        for cell in cells[campaign.id]:
            if cell.subject_type != SUBJECT_CAMPAIGN and cell.rater_group == GROUP_OTHERS:
                by_subject[cell.subject][cell.measure] = cell
        found.append(Team360(
            campaign.code, fill(campaign.name, "each KAM"), campaign.period.code,
            [(m.id, fill(m.label, "the KAM")) for m in measures],
            [_group(names.get(code, code), code, measures, by_subject.get(code, {}),
                    "the KAM") for code in sorted(invited[campaign.id])]))
    return found
