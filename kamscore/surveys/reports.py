"""What the survey administrators' pages and CSV export show (service layer, read only).

- ``campaign_overview``: every campaign with its live response rate (two queries);
- ``campaign_results``: a campaign's response rates by rater group, its whole-campaign
  statistics and a page of subjects with their headline figures;
- ``subject_results``: one account's or KAM's statistics by rater group, the status of each
  group (shown, too small, withheld), the self-rating apart, how far each shown 360° rater
  group agrees (``rater_agreement``), the free-text comments where there are enough of
  them, and who chose the people asked (``who_chose``);
- ``aggregates_csv``: the reportable aggregates of a closed campaign as CSV.

Results exist only once a campaign is closed, and only reportable cells are ever read (see
``aggregation``); response *counts* are shown live. Comments are listed only for a subject's
whole top group ("all" / "others") and only when it has at least the text minimum of them,
in alphabetical order (never the order of submission); the KAM's own comments are shown
apart. No comment list is made for rater groups or across subjects, because two lists could
be compared to find one person's comment.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kamscore.exports.csv_cells import CsvWriter
from kamscore.metrics.survey_results import GROUP_SELF
from kamscore.models import (
    Account,
    Campaign,
    CampaignStatus,
    Invitation,
    InvitationStatus,
    Person,
    SubjectType,
    SurveyAnswer,
    SurveyResponse,
)
from kamscore.surveys.aggregate_store import Minimums, campaign_cells, response_counts
from kamscore.surveys.aggregation import SUBJECT_CAMPAIGN, Cell, group_verdicts, top_group
from kamscore.surveys.campaign_admin import ReminderRound, reminders_sent
from kamscore.surveys.campaigns import get_campaign
from kamscore.surveys.catalog import definition_of
from kamscore.surveys.definition import NOT_APPLICABLE, SurveyDefinition, in_general
from kamscore.surveys.disclosure import Verdict
from kamscore.surveys.errors import Conflict
from kamscore.surveys.measures import NPS, RATING, SCALE, Measure, comment_questions, measures_of
from kamscore.surveys.rater_agreement import AGREEMENT_MEASURE
from kamscore.surveys.results_document import Agreement, agreement_of
from kamscore.surveys.who_chose import WhoChose, who_chose


@dataclass(frozen=True)
class CampaignRow:
    code: str
    name: str
    survey: str
    survey_title: str
    kind: str
    period: str
    status: str
    anonymous: bool
    opens_at: dt.datetime
    closes_at: dt.datetime
    timezone: str
    invited: int
    answered: int
    #: The survey's title in each language of its definition (``{subject}`` unfilled).
    titles: Mapping[str, str] = field(default_factory=dict)

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.invited if self.invited else None

    @property
    def closed(self) -> bool:
        return self.status == CampaignStatus.CLOSED.value

    @property
    def is_360(self) -> bool:
        return self.kind == "internal_360"


def _row(campaign: Campaign, counts: tuple[int, int]) -> CampaignRow:
    version = campaign.survey_version
    return CampaignRow(
        code=campaign.code, name=campaign.name, survey=version.survey_key,
        survey_title=in_general(version.title, version.kind.value), kind=version.kind.value,
        period=campaign.period.code,
        status=campaign.status.value, anonymous=campaign.anonymous, opens_at=campaign.opens_at,
        closes_at=campaign.closes_at, timezone=campaign.timezone, invited=counts[0],
        answered=counts[1], titles=dict(definition_of(version).title.by_language),
    )


def campaign_overview(session: Session) -> list[CampaignRow]:
    """Every campaign, newest first, with invited / answered counts as of now."""
    campaigns = session.scalars(
        select(Campaign).options(selectinload(Campaign.survey_version),
                                 selectinload(Campaign.period))
        .order_by(Campaign.opens_at.desc(), Campaign.code)
    ).all()
    counts = response_counts(session, [c.id for c in campaigns])
    return [_row(c, counts.get(c.id, (0, 0))) for c in campaigns]


@dataclass(frozen=True)
class GroupStatus:
    """A rater group's response counts and whether its results may be shown."""

    group: str
    invited: int
    answered: int
    verdict: Verdict | None = None  # None: not decided (campaign-wide counts)

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.invited if self.invited else None


@dataclass(frozen=True)
class MeasureCells:
    measure: Measure
    cells: Mapping[str, Cell]  # rater group → cell (reportable ones only)


@dataclass(frozen=True)
class SubjectRow:
    code: str
    name: str
    invited: int
    answered: int
    headline: Mapping[str, Cell]  # measure → its top-group cell


@dataclass
class CampaignResults:
    campaign: CampaignRow
    minimums: Minimums
    groups: list[GroupStatus]
    top: str
    measures: list[MeasureCells] = field(default_factory=list)  # whole campaign
    headline: list[Measure] = field(default_factory=list)
    subjects: list[SubjectRow] = field(default_factory=list)
    page: int = 1
    pages: int = 1
    subject_count: int = 0
    reminders: list[ReminderRound] = field(default_factory=list)


def headline_measures(measures: Sequence[Measure]) -> list[Measure]:
    """Stand-alone rating and NPS questions, then scales: what a subject row shows."""
    return [m for m in measures
            if (m.kind in (RATING, NPS) and "." not in m.id) or m.kind == SCALE]


def campaign_results(session: Session, code: str, minimums: Minimums, *, page: int = 1,
                     per_page: int = 50) -> CampaignResults:
    """Response rates of ``code`` and, once it is closed, its statistics."""
    campaign = get_campaign(session, code)
    row = _row(campaign, response_counts(session, [campaign.id]).get(campaign.id, (0, 0)))
    used = minimums.for_campaign(campaign)
    groups = [GroupStatus(g, i, a) for g, (i, a) in sorted(_group_counts(session, campaign,
                                                                          None).items())]
    is_360 = campaign.subject_type is SubjectType.KAM
    result = CampaignResults(row, used, groups, top_group(is_360),
                             reminders=reminders_sent(session, campaign))
    if not row.closed:
        return result
    measures = measures_of(definition_of(campaign.survey_version))
    cells = campaign_cells(session, [campaign], minimums)[campaign.id]
    by_subject: dict[str, dict[str, dict[str, Cell]]] = defaultdict(lambda: defaultdict(dict))
    whole: dict[str, dict[str, Cell]] = defaultdict(dict)
    for cell in cells:
        if cell.subject_type == SUBJECT_CAMPAIGN:
            whole[cell.measure][cell.rater_group] = cell
        else:
            by_subject[cell.subject][cell.measure][cell.rater_group] = cell
    result.measures = [MeasureCells(m, whole.get(m.id, {})) for m in measures]
    result.headline = headline_measures(measures)
    counts = _subject_counts(session, campaign)
    codes = sorted(counts)
    result.subject_count = len(codes)
    result.pages = max(1, -(-len(codes) // per_page))
    result.page = min(max(page, 1), result.pages)
    chosen = codes[(result.page - 1) * per_page: result.page * per_page]
    names = _subject_names(session, campaign.subject_type, chosen)
    result.subjects = [
        SubjectRow(c, names.get(c, c), counts[c][0], counts[c][1],
                   {m.id: by_subject[c][m.id][result.top] for m in result.headline
                    if result.top in by_subject.get(c, {}).get(m.id, {})})
        for c in chosen
    ]
    return result


@dataclass
class SubjectResults:
    campaign: CampaignRow
    minimums: Minimums
    subject: str
    name: str
    top: str
    groups: list[GroupStatus]
    measures: list[MeasureCells]
    comments: list[tuple[str, list[str]]]  # question → the top group's comments
    own_comments: list[tuple[str, str]]  # question → the KAM's own comment (360°)
    comments_withheld: bool  # there were comments, fewer than the minimum
    agreement: list[Agreement] = field(default_factory=list)  # 360°: per shown rater group
    chosen_by: WhoChose | None = None  # who chose the people asked (invitations only)


def subject_results(session: Session, code: str, subject: str,
                    minimums: Minimums) -> SubjectResults:
    """One subject's statistics by rater group, comments, and the status of each group."""
    campaign = get_campaign(session, code)
    if campaign.status is not CampaignStatus.CLOSED:
        raise Conflict(f"campaign {code} is {campaign.status.value}: results are shown once "
                       "it is closed", field="status")
    is_360 = campaign.subject_type is SubjectType.KAM
    subject_key = f"{campaign.subject_type.value}:{subject}"
    counts = _group_counts(session, campaign, subject_key)
    if not counts:
        raise LookupError(f"campaign {code} has no invitations about {subject!r}")
    used = minimums.for_campaign(campaign)
    verdicts = group_verdicts({g: a for g, (_i, a) in counts.items()}, is_360=is_360,
                              minimum=used.group)
    top = top_group(is_360)
    groups = [GroupStatus(g, i, a, verdicts.get(g)) for g, (i, a) in sorted(counts.items())]
    definition = definition_of(campaign.survey_version)
    cells = [c for c in campaign_cells(session, [campaign], minimums)[campaign.id]
             if c.subject_type != SUBJECT_CAMPAIGN and c.subject == subject]
    by_measure: dict[str, dict[str, Cell]] = defaultdict(dict)
    agreement = []
    for cell in cells:
        if cell.measure == AGREEMENT_MEASURE:
            agreement.append(agreement_of(cell))
        else:
            by_measure[cell.measure][cell.rater_group] = cell
    comments, own, withheld = _comments(session, campaign, subject_key, definition, used)
    name = _subject_names(session, campaign.subject_type, [subject]).get(subject, subject)
    row = _row(campaign, response_counts(session, [campaign.id]).get(campaign.id, (0, 0)))
    return SubjectResults(
        campaign=row, minimums=used, subject=subject, name=name, top=top, groups=groups,
        measures=[MeasureCells(m, by_measure.get(m.id, {})) for m in measures_of(definition)],
        comments=comments, own_comments=own, comments_withheld=withheld,
        agreement=sorted(agreement, key=lambda a: (a.rater_group != top, a.rater_group)),
        chosen_by=who_chose(session, campaign, [subject]).get(subject),
    )


Comments = tuple[list[tuple[str, list[str]]], list[tuple[str, str]], bool]


def _comments(session: Session, campaign: Campaign, subject_key: str,
              definition: SurveyDefinition, minimums: Minimums) -> Comments:
    """(the top group's comments per question, the KAM's own, whether some were withheld)."""
    questions = comment_questions(definition)
    if not questions:
        return [], [], False
    kind, code = subject_key.split(":", 1)
    subject_column = (SurveyResponse.subject_account_id if kind == "account"
                      else SurveyResponse.subject_person_id)
    model = Account if kind == "account" else Person
    rows = session.execute(
        select(SurveyAnswer.item, SurveyAnswer.text, SurveyResponse.rater_group)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(model, model.id == subject_column)
        .where(SurveyResponse.campaign_id == campaign.id, model.code == code,
               SurveyAnswer.item.in_([q for q, _ in questions]),
               SurveyAnswer.text.is_not(None), SurveyAnswer.text != NOT_APPLICABLE)
    ).all()
    labels = dict(questions)
    texts: dict[str, list[str]] = defaultdict(list)
    own: list[tuple[str, str]] = []
    for item, text, group in rows:
        if not text.strip():
            continue
        if campaign.subject_type is SubjectType.KAM and group == GROUP_SELF:
            own.append((labels[item], text))
        else:
            texts[item].append(text)
    shown = [(labels[q], sorted(texts[q], key=str.casefold)) for q, _ in questions
             if len(texts[q]) >= minimums.text]
    withheld = any(0 < len(texts[q]) < minimums.text for q, _ in questions)
    return shown, own, withheld


def _group_counts(session: Session, campaign: Campaign,
                  subject_key: str | None) -> dict[str, tuple[int, int]]:
    """rater group → (invited, answered), for the campaign or one subject of it."""
    query = (
        select(Invitation.rater_group, func.count(),
               func.count().filter(Invitation.status == InvitationStatus.SUBMITTED))
        .where(Invitation.campaign_id == campaign.id).group_by(Invitation.rater_group)
    )
    if subject_key is not None:
        query = query.where(Invitation.subject_key == subject_key)
    return {g: (i, a) for g, i, a in session.execute(query)}


def _subject_counts(session: Session, campaign: Campaign) -> dict[str, tuple[int, int]]:
    """subject code → (invited, answered) in one query."""
    rows = session.execute(
        select(Invitation.subject_key, func.count(),
               func.count().filter(Invitation.status == InvitationStatus.SUBMITTED))
        .where(Invitation.campaign_id == campaign.id).group_by(Invitation.subject_key)
    )
    return {key.split(":", 1)[1]: (i, a) for key, i, a in rows}


def _subject_names(session: Session, subject_type: SubjectType,
                   codes: Sequence[str]) -> dict[str, str]:
    if not codes:
        return {}
    model = Account if subject_type is SubjectType.ACCOUNT else Person
    rows = session.execute(select(model.code, model.name).where(model.code.in_(codes)))
    return {code: name for code, name in rows}


CSV_COLUMNS = (
    "campaign", "survey", "period", "subject_type", "subject", "subject_name", "measure",
    "measure_label", "rater_group", "n", "mean", "sd", "scale_min", "scale_max",
    "top_two_share", "nps", "nps_ci_low", "nps_ci_high", "share", "alpha", "self_gap",
    "histogram",
)


def aggregates_csv(session: Session, code: str, minimums: Minimums) -> str:
    """The reportable aggregates of a closed campaign, one CSV row per cell.

    Only what the pages show: no response, no comment, no group under the minimum size.
    Names and labels that start like a spreadsheet formula are quoted, statistics are
    numbers (``exports.csv_cells``).
    """
    campaign = get_campaign(session, code)
    if campaign.status is not CampaignStatus.CLOSED:
        raise Conflict(f"campaign {code} is {campaign.status.value}: results are exported "
                       "once it is closed", field="status")
    measures = {m.id: m for m in measures_of(definition_of(campaign.survey_version))}
    cells = [c for c in campaign_cells(session, [campaign], minimums)[campaign.id]
             if c.measure != AGREEMENT_MEASURE]  # the API carries agreement, not this CSV
    subjects = {c.subject for c in cells if c.subject_type != SUBJECT_CAMPAIGN}
    names = _subject_names(session, campaign.subject_type, sorted(subjects))
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(CSV_COLUMNS)
    order = {m: i for i, m in enumerate(measures)}
    for cell in sorted(cells, key=lambda c: (c.subject_type != SUBJECT_CAMPAIGN, c.subject,
                                            order.get(c.measure, 0), c.rater_group)):
        d = cell.details
        measure = measures.get(cell.measure)
        writer.writerow([
            campaign.code, campaign.survey_version.survey_key, campaign.period.code,
            cell.subject_type, cell.subject,
            campaign.name if cell.subject_type == SUBJECT_CAMPAIGN else names.get(
                cell.subject, ""),
            cell.measure, measure.label if measure else "", cell.rater_group, cell.n,
            _num(cell.mean), _num(cell.sd), _num(cell.scale_min), _num(cell.scale_max),
            _num(d.get("csat")), _num(d.get("nps")), _num(d.get("nps_ci_low")),
            _num(d.get("nps_ci_high")), _num(d.get("share")), _num(d.get("alpha")),
            _num(d.get("gap")),
            " ".join(f"{k}:{v}" for k, v in cell.histogram.items()),
        ])
    return out.getvalue()


def _num(value: float | int | None) -> float | int | Decimal | None:
    """A statistic as a number for the CSV: whole numbers as they are, others to six
    significant digits (written without an exponent)."""
    if value is None or isinstance(value, int) or not math.isfinite(value):
        return value
    return Decimal(f"{value:.6g}")
