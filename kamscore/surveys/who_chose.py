"""Who chose the people asked about a subject, in plain words (service, read only).

A KAM who picks the people asked about his accounts — or the colleagues who rate him — can
pick friendly ones. Each invitation keeps who chose its respondent (``Invitation.chosen_by``,
copied when it was made), and a subject's results say so where the KAM chose any of them:
"3 of the 5 people asked were chosen by the KAM himself (K0012)"; for a 360° whose raters
were nominated: "4 of the 6 raters asked were nominated by the KAM and approved by his
manager (K0012)".

Anonymity: only *invitations* are counted, over the subject's whole list of people asked
(a 360°'s self-rating left out) — never per rater group, never split by who answered — so
nothing about any one answer can be worked out from it; the invited counts per rater group are
shown beside the results already.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kamscore.metrics.survey_results import GROUP_SELF
from kamscore.models import Account, Assignment, Campaign, ChosenBy, Invitation, Person, SubjectType
from kamscore.texts import ngettext


@dataclass(frozen=True)
class WhoChose:
    """How many of the people asked about one subject were chosen by whom."""

    asked: int  # invitations about the subject (a 360°'s self-rating left out)
    by_kam: int
    by_manager: int
    kams: tuple[str, ...]  # the KAM's code (customer survey: the account's KAMs in the period)
    nominated: bool  # a 360° whose raters the KAM nominated and his manager approved

    @property
    def by_organisation(self) -> int:
        return self.asked - self.by_kam - self.by_manager

    @property
    def sentence(self) -> str | None:
        """The plain words, or None when the KAM chose none of the people asked."""
        if not self.by_kam:
            return None
        codes = ", ".join(self.kams)
        if self.nominated:
            if codes:
                return ngettext(
                    "%(num)s of the %(asked)s raters asked was nominated by the KAM (%(codes)s) "
                    "and approved by his manager.",
                    "%(num)s of the %(asked)s raters asked were nominated by the KAM "
                    "(%(codes)s) and approved by his manager.",
                    self.by_kam, asked=self.asked, codes=codes)
            return ngettext(
                "%(num)s of the %(asked)s raters asked was nominated by the KAM and approved "
                "by his manager.",
                "%(num)s of the %(asked)s raters asked were nominated by the KAM and approved "
                "by his manager.", self.by_kam, asked=self.asked)
        if codes:
            return ngettext(
                "%(num)s of the %(asked)s people asked was chosen by the KAM himself "
                "(%(codes)s).",
                "%(num)s of the %(asked)s people asked were chosen by the KAM himself "
                "(%(codes)s).", self.by_kam, asked=self.asked, codes=codes)
        return ngettext(
            "%(num)s of the %(asked)s people asked was chosen by the KAM himself.",
            "%(num)s of the %(asked)s people asked were chosen by the KAM himself.",
            self.by_kam, asked=self.asked)


def who_chose(session: Session, campaign: Campaign,
              subjects: Sequence[str] | None = None) -> dict[str, WhoChose]:
    """subject code → who chose the people asked about it (every subject if None)."""
    is_360 = campaign.subject_type is SubjectType.KAM
    query = (
        select(Invitation.subject_key, Invitation.chosen_by, func.count())
        .where(Invitation.campaign_id == campaign.id)
        .group_by(Invitation.subject_key, Invitation.chosen_by)
    )
    if is_360:
        query = query.where(Invitation.rater_group != GROUP_SELF)
    if subjects is not None:
        query = query.where(Invitation.subject_key.in_(
            [f"{campaign.subject_type.value}:{code}" for code in subjects]))
    counts: dict[str, Counter[ChosenBy]] = defaultdict(Counter)
    for subject_key, chosen_by, n in session.execute(query):
        counts[subject_key.split(":", 1)[1]][ChosenBy(chosen_by)] += n
    kams = ({code: (code,) for code in counts} if is_360
            else _account_kams(session, campaign, list(counts)))
    nominated = is_360 and campaign.raters_nominated
    return {
        code: WhoChose(sum(c.values()), c[ChosenBy.KAM], c[ChosenBy.MANAGER],
                       kams.get(code, ()), nominated)
        for code, c in sorted(counts.items())
    }


def _account_kams(session: Session, campaign: Campaign,
                  codes: list[str]) -> dict[str, tuple[str, ...]]:
    """account code → the codes of its KAMs during the campaign's period."""
    if not codes:
        return {}
    period = campaign.period
    rows = session.execute(
        select(Account.code, Person.code).distinct()
        .join(Assignment, Assignment.account_id == Account.id)
        .join(Person, Person.id == Assignment.person_id)
        .where(Account.code.in_(codes), Assignment.start_date <= period.end_date,
               or_(Assignment.end_date.is_(None), Assignment.end_date >= period.start_date))
        .order_by(Account.code, Person.code)
    ).all()
    found: dict[str, list[str]] = defaultdict(list)
    for account, person in rows:
        found[account].append(person)
    return {code: tuple(people) for code, people in found.items()}
