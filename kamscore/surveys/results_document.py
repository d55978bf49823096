"""A campaign's results as one document for the JSON API (service, read only).

The same rule as the pages and the CSV (``reports``): results exist once a campaign is
closed, and only reportable cells are read (``aggregate_store.campaign_cells``), so a rater
group under the minimum size — or withheld so that it cannot be worked out by subtraction —
has no figure here either: only its verdict. Response *counts* per group are given, as the
pages show them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kamscore.models import CampaignStatus, Invitation, InvitationStatus, SubjectType
from kamscore.surveys.aggregate_store import Minimums, campaign_cells
from kamscore.surveys.aggregation import SUBJECT_CAMPAIGN, Cell, group_verdicts
from kamscore.surveys.campaigns import get_campaign


@dataclass(frozen=True)
class GroupState:
    rater_group: str
    invited: int
    answered: int
    verdict: str | None  # shown | empty | too_small | withheld (None: campaign-wide)


@dataclass(frozen=True)
class SubjectDocument:
    code: str
    groups: list[GroupState]
    cells: list[Cell]


@dataclass
class ResultsDocument:
    code: str
    name: str
    survey: str
    period: str
    status: str
    anonymous: bool
    closes_at: dt.datetime
    min_group: int
    min_group_text: int
    results_available: bool
    groups: list[GroupState] = field(default_factory=list)
    campaign_cells: list[Cell] = field(default_factory=list)
    subjects: list[SubjectDocument] = field(default_factory=list)


def results_document(session: Session, code: str, minimums: Minimums) -> ResultsDocument:
    campaign = get_campaign(session, code)
    used = minimums.for_campaign(campaign)
    closed = campaign.status is CampaignStatus.CLOSED
    counts = session.execute(
        select(Invitation.subject_key, Invitation.rater_group, func.count(),
               func.count().filter(Invitation.status == InvitationStatus.SUBMITTED))
        .where(Invitation.campaign_id == campaign.id)
        .group_by(Invitation.subject_key, Invitation.rater_group)
    ).all()
    overall: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_subject: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for subject_key, group, invited, answered in counts:
        overall[group][0] += invited
        overall[group][1] += answered
        by_subject[subject_key.split(":", 1)[1]][group] = (invited, answered)
    document = ResultsDocument(
        code=campaign.code, name=campaign.name, survey=campaign.survey_version.survey_key,
        period=campaign.period.code, status=campaign.status.value,
        anonymous=campaign.anonymous, closes_at=campaign.closes_at, min_group=used.group,
        min_group_text=used.text, results_available=closed,
        groups=[GroupState(g, i, a, None) for g, (i, a) in sorted(overall.items())],
    )
    if not closed:
        return document
    cells = campaign_cells(session, [campaign], minimums)[campaign.id]
    subject_cells: dict[str, list[Cell]] = defaultdict(list)
    for cell in cells:
        if cell.subject_type == SUBJECT_CAMPAIGN:
            document.campaign_cells.append(cell)
        else:
            subject_cells[cell.subject].append(cell)
    is_360 = campaign.subject_type is SubjectType.KAM
    for subject in sorted(by_subject):
        groups = by_subject[subject]
        verdicts = group_verdicts({g: a for g, (_i, a) in groups.items()}, is_360=is_360,
                                  minimum=used.group)
        document.subjects.append(SubjectDocument(
            subject,
            [GroupState(g, i, a, verdicts[g].value if g in verdicts else None)
             for g, (i, a) in sorted(groups.items())],
            subject_cells.get(subject, []),
        ))
    return document
