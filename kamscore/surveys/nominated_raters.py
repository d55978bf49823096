"""The rules a 360° campaign with nominated raters opens by (service; no Flask).

- ``shortfalls``: for every KAM of the campaign and every rater group with a minimum, how
  many approved raters are missing — the campaign does not open while any is;
- ``invite_approved``: when it opens, each approved nomination becomes an invitation, chosen
  by the KAM (he nominated the rater, his manager approved) or by the manager (he added the
  rater himself: proposed and decided by the same person).

The minimum per group is the campaign's ``nomination_minimums``, chosen when it is created
(the page proposes the smallest group size whose results may be shown, ``SURVEY_MIN_GROUP``,
for peers and cross-functional colleagues, so that their results can be shown at all).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kamscore.models import (
    NOMINATED_GROUPS,
    Campaign,
    ChosenBy,
    Invitation,
    NominationStatus,
    Person,
    RaterGroup,
    RaterNomination,
)
from kamscore.surveys.population import person_invitee

GROUP_LABELS = {"self": "Self", "peer": "Peer", "manager": "Manager",
                "cross_functional": "Cross-functional colleague",
                "direct_report": "Direct report"}


@dataclass(frozen=True)
class Shortfall:
    """A KAM with fewer approved raters in a group than the campaign needs."""

    kam_code: str
    kam_name: str
    group: str
    approved: int
    needed: int

    def __str__(self) -> str:
        return (f"{self.kam_name} ({self.kam_code}) has {self.approved} approved "
                f"{GROUP_LABELS.get(self.group, self.group).lower()} rater(s); "
                f"{self.needed} needed")


def campaign_kams(session: Session, campaign: Campaign) -> list[Person]:
    """The KAMs a 360° campaign is about (those with a self-rating invitation)."""
    return list(session.scalars(
        select(Person).join(Invitation, Invitation.subject_person_id == Person.id)
        .where(Invitation.campaign_id == campaign.id,
               Invitation.rater_group == RaterGroup.SELF.value)
        .order_by(Person.code)
    ))


def approved_counts(session: Session, campaign: Campaign) -> Counter[tuple[int, str]]:
    """(KAM id, group) → approved nominations."""
    rows = session.execute(
        select(RaterNomination.kam_id, RaterNomination.rater_group)
        .where(RaterNomination.campaign_id == campaign.id,
               RaterNomination.status == NominationStatus.APPROVED)
    ).all()
    return Counter((kam_id, group) for kam_id, group in rows)


def shortfalls(session: Session, campaign: Campaign) -> list[Shortfall]:
    """Every (KAM, group) short of the campaign's minimum, by KAM code then group."""
    if not campaign.raters_nominated:
        return []
    minimums = campaign.nomination_minimums or {}
    counts = approved_counts(session, campaign)
    return [
        Shortfall(kam.code, kam.name, group, counts[(kam.id, group)], minimums[group])
        for kam in campaign_kams(session, campaign)
        for group in NOMINATED_GROUPS
        if minimums.get(group, 0) > counts[(kam.id, group)]
    ]


def chosen_by_of(nomination: RaterNomination) -> ChosenBy:
    """``manager`` for a rater the manager added himself (approved at once by the person who
    proposed him), else ``kam``: the KAM nominated him and his manager approved."""
    if nomination.decided_by is not None and nomination.decided_by == nomination.proposed_by:
        return ChosenBy.MANAGER
    return ChosenBy.KAM


def invite_approved(session: Session, campaign: Campaign) -> int:
    """An invitation for every approved nomination not invited yet; returns how many."""
    nominations = session.scalars(
        select(RaterNomination)
        .where(RaterNomination.campaign_id == campaign.id,
               RaterNomination.status == NominationStatus.APPROVED)
        .options(selectinload(RaterNomination.kam), selectinload(RaterNomination.rater))
        .order_by(RaterNomination.kam_id, RaterNomination.rater_id)
    ).all()
    existing = set(session.execute(
        select(Invitation.subject_person_id, Invitation.person_id)
        .where(Invitation.campaign_id == campaign.id)
    ).all())
    languages = dict(session.execute(
        select(Invitation.subject_person_id, Invitation.language)
        .where(Invitation.campaign_id == campaign.id,
               Invitation.rater_group == RaterGroup.SELF.value)
    ).all())
    added = 0
    for nomination in nominations:
        if (nomination.kam_id, nomination.rater_id) in existing:
            continue
        invitee = person_invitee(nomination.kam, nomination.rater, nomination.rater_group,
                                 languages.get(nomination.kam_id, "en"),
                                 chosen_by_of(nomination))
        session.add(Invitation(campaign=campaign, **invitee.__dict__))
        added += 1
    session.flush()
    return added
