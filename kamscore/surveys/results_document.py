"""A campaign's results as one document for the JSON API (service, read only).

The same rule as the pages and the CSV (``reports``): results exist once a campaign is
closed, and only reportable cells are read (``aggregate_store.campaign_cells``), so a rater
group under the minimum size — or withheld so that it cannot be worked out by subtraction —
has no figure here either: only its verdict. Response *counts* per group are given, as the
pages show them, with the completion rate. A 360°'s subjects carry the agreement of each shown
rater group (``rater_agreement``) apart from their cells. Every subject says who chose the
people asked about it (``who_chose``: invitations counted over the subject, never per group).
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
from kamscore.surveys.rater_agreement import AGREEMENT_MEASURE, READING_FORM
from kamscore.surveys.who_chose import WhoChose, who_chose


@dataclass(frozen=True)
class GroupState:
    rater_group: str
    invited: int
    answered: int
    verdict: str | None  # shown | empty | too_small | withheld (None: campaign-wide)

    @property
    def completion_rate(self) -> float | None:
        return self.answered / self.invited if self.invited else None


@dataclass(frozen=True)
class Agreement:
    """A 360° rater group's agreement figures (from its ``agreement`` cell)."""

    rater_group: str
    raters: int
    items: int
    icc_items: int
    confidence: float
    icc: dict[str, dict[str, float | None]] | None
    icc_reading: str | None
    icc_reading_form: str
    krippendorff_alpha: dict[str, float | None] | None
    alpha_reading: str | None


def agreement_of(cell: Cell) -> Agreement:
    d = cell.details
    alpha = d.get("kripp_alpha")
    return Agreement(
        cell.rater_group, d.get("raters", cell.n), d.get("items", 0), d.get("icc_items", 0),
        d.get("confidence", 0.95), d.get("icc"), d.get("icc_reading"),
        d.get("icc_reading_form", READING_FORM),
        None if alpha is None else {"value": alpha, "low": d.get("kripp_low"),
                                    "high": d.get("kripp_high")},
        d.get("alpha_reading"))


@dataclass(frozen=True)
class SubjectDocument:
    code: str
    groups: list[GroupState]
    cells: list[Cell]
    agreement: list[Agreement] = field(default_factory=list)
    chosen_by: WhoChose | None = None


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
    agreement: dict[str, list[Agreement]] = defaultdict(list)
    for cell in cells:
        if cell.subject_type == SUBJECT_CAMPAIGN:
            document.campaign_cells.append(cell)
        elif cell.measure == AGREEMENT_MEASURE:
            agreement[cell.subject].append(agreement_of(cell))
        else:
            subject_cells[cell.subject].append(cell)
    is_360 = campaign.subject_type is SubjectType.KAM
    chosen = who_chose(session, campaign)
    for subject in sorted(by_subject):
        groups = by_subject[subject]
        verdicts = group_verdicts({g: a for g, (_i, a) in groups.items()}, is_360=is_360,
                                  minimum=used.group)
        document.subjects.append(SubjectDocument(
            subject,
            [GroupState(g, i, a, verdicts[g].value if g in verdicts else None)
             for g, (i, a) in sorted(groups.items())],
            subject_cells.get(subject, []),
            sorted(agreement.get(subject, []), key=lambda a: a.rater_group),
            chosen.get(subject),
        ))
    return document
