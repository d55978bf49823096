"""360° rater nominations (service; no Flask): a KAM proposes, his manager decides.

While a campaign with nominated raters (``Campaign.raters_nominated``) is a draft:

- a KAM proposes colleagues to rate him, each in one group (peer, manager, cross-functional
  colleague, direct report), and may withdraw a proposal not yet decided;
- his manager — whoever has the KAM in the scope of ``nominations.approve`` — approves or
  rejects each proposal, may move it to another group, and may add raters himself (approved
  at once);
- the campaign opens only when every KAM has the campaign's minimum of approved raters in
  each group (``nominated_raters.shortfalls``); then the approved ones are invited.

Every step is in the audit log (``nomination.*``). Functions take the caller's ``Scope`` and
refuse a KAM outside it as if he did not exist (``NotFound``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kamscore.audit.log import record
from kamscore.auth.scope import Scope
from kamscore.models import (
    NOMINATED_GROUPS,
    Campaign,
    CampaignStatus,
    NominationStatus,
    Person,
    RaterNomination,
)
from kamscore.surveys.campaigns import get_campaign
from kamscore.surveys.errors import Conflict, NotFound, SurveyError
from kamscore.surveys.nominated_raters import GROUP_LABELS, campaign_kams
from kamscore.texts import _

DECISIONS = {"approve": NominationStatus.APPROVED, "reject": NominationStatus.REJECTED}


@dataclass(frozen=True)
class GroupTally:
    group: str
    label: str
    proposed: int
    approved: int
    needed: int

    @property
    def short(self) -> int:
        return max(0, self.needed - self.approved)


@dataclass
class KamNominations:
    """One KAM's nominations in one campaign, with the tally per group."""

    campaign: Campaign
    kam: Person
    nominations: list[RaterNomination]
    tallies: list[GroupTally] = field(default_factory=list)
    candidates: list[Person] = field(default_factory=list)  # who may still be nominated

    @property
    def ready(self) -> bool:
        return all(t.short == 0 for t in self.tallies)


def nomination_campaigns(session: Session) -> list[Campaign]:
    """Draft campaigns whose raters are being nominated, soonest first."""
    return list(session.scalars(
        select(Campaign).where(Campaign.raters_nominated.is_(True),
                               Campaign.status == CampaignStatus.DRAFT)
        .order_by(Campaign.opens_at, Campaign.code)
    ))


@dataclass(frozen=True)
class Waiting:
    """A campaign whose nominations wait for the caller's decision."""

    code: str
    name: str
    proposals: int  # proposals of KAMs in the caller's scope, not decided yet


def waiting_for_approval(session: Session, scope: Scope) -> list[Waiting]:
    """Draft campaigns with nominated raters where KAMs in ``scope`` (``nominations.approve``)
    have proposals not decided yet, with how many; soonest first."""
    rows = session.execute(
        select(Campaign.code, Campaign.name, func.count(RaterNomination.id))
        .join(RaterNomination, RaterNomination.campaign_id == Campaign.id)
        .where(Campaign.raters_nominated.is_(True), Campaign.status == CampaignStatus.DRAFT,
               RaterNomination.status == NominationStatus.PROPOSED,
               scope.people(RaterNomination.kam_id))
        .group_by(Campaign.id, Campaign.code, Campaign.name, Campaign.opens_at)
        .order_by(Campaign.opens_at, Campaign.code)
    ).all()
    return [Waiting(code, name, count) for code, name, count in rows]


def _state(value: str) -> str:
    """A campaign's state in the reader's words."""
    return {"draft": _("draft"), "open": _("open"), "closed": _("closed")}.get(value, value)


def _nominating(session: Session, code: str) -> Campaign:
    campaign = get_campaign(session, code)
    if not campaign.raters_nominated:
        raise NotFound(_("campaign %(code)s takes no nominations", code=code), field="code")
    return campaign


def _open_for_changes(campaign: Campaign) -> None:
    if campaign.status is not CampaignStatus.DRAFT:
        raise Conflict(_("campaign %(code)s is %(state)s: nominations are closed",
                         code=campaign.code, state=_state(campaign.status.value)),
                       field="status")


def _kam_in(session: Session, campaign: Campaign, scope: Scope, kam_code: str) -> Person:
    for kam in campaign_kams(session, campaign):
        if kam.code == kam_code and scope.includes_person(kam.id):
            return kam
    raise NotFound(_("no KAM %(kam)r of campaign %(code)s in your reach", kam=kam_code,
                     code=campaign.code),
                   field="kam")


def _person(session: Session, code: str) -> Person:
    person = session.scalars(select(Person).where(Person.code == code)).one_or_none()
    if person is None:
        raise NotFound(_("no person %(code)r", code=code), field="rater")
    return person


def _check_group(group: str) -> None:
    if group not in NOMINATED_GROUPS:
        raise SurveyError(_("a rater group is one of %(groups)s",
                            groups=", ".join(NOMINATED_GROUPS)),
                          field="group")


def kam_nominations(session: Session, code: str, kam_code: str, scope: Scope
                    ) -> KamNominations:
    campaign = _nominating(session, code)
    kam = _kam_in(session, campaign, scope, kam_code)
    return _tally(session, campaign, kam)


def team_nominations(session: Session, code: str, scope: Scope) -> list[KamNominations]:
    """The nominations of every KAM of the campaign in ``scope``."""
    campaign = _nominating(session, code)
    return [_tally(session, campaign, kam) for kam in campaign_kams(session, campaign)
            if scope.includes_person(kam.id)]


def _tally(session: Session, campaign: Campaign, kam: Person) -> KamNominations:
    nominations = list(session.scalars(
        select(RaterNomination)
        .where(RaterNomination.campaign_id == campaign.id, RaterNomination.kam_id == kam.id)
        .options(selectinload(RaterNomination.rater))
        .order_by(RaterNomination.rater_group, RaterNomination.id)
    ))
    minimums = campaign.nomination_minimums or {}
    tallies = [
        GroupTally(group, GROUP_LABELS[group],
                   sum(1 for n in nominations if n.rater_group == group
                       and n.status is NominationStatus.PROPOSED),
                   sum(1 for n in nominations if n.rater_group == group
                       and n.status is NominationStatus.APPROVED),
                   minimums.get(group, 0))
        for group in NOMINATED_GROUPS
    ]
    taken = {n.rater_id for n in nominations} | {kam.id}
    people = session.scalars(select(Person).order_by(Person.name, Person.code)).all()
    return KamNominations(campaign, kam, nominations, tallies,
                          [p for p in people if p.id not in taken])


def propose(session: Session, code: str, kam_code: str, rater_code: str, group: str,
            scope: Scope, actor: str, now: dt.datetime) -> RaterNomination:
    """The KAM proposes ``rater_code`` to rate him in ``group``."""
    campaign = _nominating(session, code)
    _open_for_changes(campaign)
    kam = _kam_in(session, campaign, scope, kam_code)
    return _add(session, campaign, kam, rater_code, group, actor, now, approved=False)


def add_approved(session: Session, code: str, kam_code: str, rater_code: str, group: str,
                 scope: Scope, actor: str, now: dt.datetime) -> RaterNomination:
    """The manager adds a rater himself: approved at once."""
    campaign = _nominating(session, code)
    _open_for_changes(campaign)
    kam = _kam_in(session, campaign, scope, kam_code)
    return _add(session, campaign, kam, rater_code, group, actor, now, approved=True)


def _add(session: Session, campaign: Campaign, kam: Person, rater_code: str, group: str,
         actor: str, now: dt.datetime, *, approved: bool) -> RaterNomination:
    _check_group(group)
    rater = _person(session, rater_code)
    if rater.id == kam.id:
        raise SurveyError(_("the self-rating is always asked; nominate colleagues"),
                          field="rater")
    taken = session.scalar(select(RaterNomination.id).where(
        RaterNomination.campaign_id == campaign.id, RaterNomination.kam_id == kam.id,
        RaterNomination.rater_id == rater.id))
    if taken is not None:
        raise Conflict(_("%(rater)s is nominated for %(kam)s already", rater=rater.name,
                         kam=kam.name), field="rater")
    nomination = RaterNomination(
        campaign_id=campaign.id, kam_id=kam.id, rater_id=rater.id, rater_group=group,
        status=NominationStatus.APPROVED if approved else NominationStatus.PROPOSED,
        proposed_by=actor, proposed_at=now,
        decided_by=actor if approved else None, decided_at=now if approved else None,
    )
    session.add(nomination)
    session.flush()  # a concurrent duplicate fails here on the UNIQUE constraint
    record(session, actor, "nomination.add" if approved else "nomination.propose",
           "campaign", campaign.code, kam=kam.code, rater=rater.code, group=group)
    return nomination


def _nomination(session: Session, campaign: Campaign, nomination_id: int, scope: Scope
                ) -> RaterNomination:
    nomination = session.get(RaterNomination, nomination_id)
    if (nomination is None or nomination.campaign_id != campaign.id
            or not scope.includes_person(nomination.kam_id)):
        raise NotFound(_("no nomination %(id)s in your reach", id=nomination_id),
                       field="nomination")
    return nomination


def withdraw(session: Session, code: str, nomination_id: int, scope: Scope, actor: str
             ) -> None:
    """The KAM withdraws a proposal his manager has not decided yet."""
    campaign = _nominating(session, code)
    _open_for_changes(campaign)
    nomination = _nomination(session, campaign, nomination_id, scope)
    if nomination.status is not NominationStatus.PROPOSED:
        raise Conflict(_("your manager has decided on this nomination already"),
                       field="nomination")
    record(session, actor, "nomination.withdraw", "campaign", code,
           kam=nomination.kam.code, rater=nomination.rater.code, group=nomination.rater_group)
    session.delete(nomination)
    session.flush()


def decide(session: Session, code: str, nomination_id: int, decision: str, scope: Scope,
           actor: str, now: dt.datetime, group: str | None = None) -> RaterNomination:
    """The manager approves or rejects a nomination, optionally in another group."""
    if decision not in DECISIONS:
        raise SurveyError(_("approve or reject"), field="decision")
    campaign = _nominating(session, code)
    _open_for_changes(campaign)
    nomination = _nomination(session, campaign, nomination_id, scope)
    details: dict[str, str] = {}
    if group and group != nomination.rater_group:
        _check_group(group)
        details = {"group_before": nomination.rater_group}
        nomination.rater_group = group
    nomination.status = DECISIONS[decision]
    nomination.decided_by, nomination.decided_at = actor, now
    session.flush()
    record(session, actor, f"nomination.{decision}", "campaign", code,
           kam=nomination.kam.code, rater=nomination.rater.code,
           group=nomination.rater_group, **details)
    return nomination


def approve_all(session: Session, code: str, kam_code: str, scope: Scope, actor: str,
                now: dt.datetime) -> int:
    """Approve every proposal of one KAM still waiting; returns how many."""
    campaign = _nominating(session, code)
    _open_for_changes(campaign)
    kam = _kam_in(session, campaign, scope, kam_code)
    waiting = session.scalars(
        select(RaterNomination).where(RaterNomination.campaign_id == campaign.id,
                                      RaterNomination.kam_id == kam.id,
                                      RaterNomination.status == NominationStatus.PROPOSED)
    ).all()
    for nomination in waiting:
        decide(session, code, nomination.id, "approve", scope, actor, now)
    return len(waiting)
