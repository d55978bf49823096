"""The surveys capability's ``kamscore_survey_results``: live results of closed campaigns.

Registered among kamscore's default plugins and asked first (``tryfirst``): for a period
with at least one closed campaign it returns the reportable aggregates of the period's
closed campaigns; otherwise None, and the next provider (results imported as facts) answers.

The metrics receive questions and scales (``overall_satisfaction``, ``nps``,
``scale:collaboration``) — matrix rows and multiple-choice options stay in the reports.
What the metric plugins receive is exactly what may be reported: groups under the minimum
size, and groups withheld so that a small group cannot be worked out by subtraction, are
absent — so a metric sees "no data" for them, never zero. When one survey ran in several
campaigns of the period about the same subject, the cells are pooled (n, mean, sd exactly;
histograms added), which combines reported figures only.

Batched: one query for the campaigns, one for their survey versions, one for their stored
aggregates (plus two for closed campaigns not computed yet) — never a query per KAM. The
session is only read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kamscore.hookspecs import hookimpl
from kamscore.metrics.survey_results import SurveyAggregate, SurveyResults
from kamscore.models import (
    Account,
    Campaign,
    CampaignStatus,
    Invitation,
    InvitationStatus,
    Period,
    Person,
)
from kamscore.surveys.aggregate_store import Minimums, campaign_cells
from kamscore.surveys.aggregation import SUBJECT_CAMPAIGN, Cell
from kamscore.surveys.response_exclusion import exclusions
from kamscore.surveys.statistics import Description, pool

SOURCE = "surveys"


@hookimpl(tryfirst=True)
def kamscore_survey_results(session: Session, period: Period,
                            settings: Mapping[str, Any]) -> SurveyResults | None:
    campaigns = session.scalars(
        select(Campaign).where(Campaign.period_id == period.id,
                               Campaign.status == CampaignStatus.CLOSED)
        .options(selectinload(Campaign.survey_version)).order_by(Campaign.id)
        # the states as stored now, even if this session saw the campaigns before
        .execution_options(populate_existing=True)
    ).all()
    if not campaigns:
        return None
    return results_from_cells(
        _by_survey(campaigns, campaign_cells(session, campaigns, Minimums.from_config(settings),
                                             for_metrics=True)),
        _excluded_by_survey(session, campaigns),
        _invitations_by_survey(session, campaigns),
    )


def _invitations_by_survey(session: Session, campaigns: list[Campaign]
                           ) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(survey, subject type, subject) → (invited, answered), for response rates (one
    query). Counts only: who answered is known to survey administrators anyway."""
    survey_of = {c.id: c.survey_version.survey_key for c in campaigns}
    code = func.coalesce(Account.code, Person.code)
    rows = session.execute(
        select(Invitation.campaign_id, Invitation.subject_type, code, func.count(),
               func.count().filter(Invitation.status == InvitationStatus.SUBMITTED))
        .outerjoin(Account, Account.id == Invitation.subject_account_id)
        .outerjoin(Person, Person.id == Invitation.subject_person_id)
        .where(Invitation.campaign_id.in_(list(survey_of)))
        .group_by(Invitation.campaign_id, Invitation.subject_type, code))
    found: dict[tuple[str, str, str], tuple[int, int]] = {}
    for campaign_id, subject_type, subject, invited, answered in rows:
        key = (survey_of[campaign_id], getattr(subject_type, "value", subject_type), subject)
        before = found.get(key, (0, 0))
        found[key] = (before[0] + invited, before[1] + answered)
    return found


def _excluded_by_survey(session: Session, campaigns: list[Campaign]
                        ) -> dict[tuple[str, str, str], dict[str, int]]:
    """(survey, subject type, subject) → flag → responses excluded (one query)."""
    survey_of = {c.id: c.survey_version.survey_key for c in campaigns}
    found: dict[tuple[str, str, str], dict[str, int]] = defaultdict(dict)
    for (campaign_id, subject_type, subject), counts in exclusions(
            session, list(survey_of)).items():
        key = (survey_of[campaign_id], subject_type, subject)
        for flag, count in counts.items():
            found[key][flag] = found[key].get(flag, 0) + count
    return found


def _by_survey(campaigns: list[Campaign], cells: dict[int, list[Cell]]) -> dict[str, list[Cell]]:
    found: dict[str, list[Cell]] = defaultdict(list)
    for campaign in campaigns:
        found[campaign.survey_version.survey_key] += cells.get(campaign.id, [])
    return found


def results_from_cells(cells_by_survey: dict[str, list[Cell]],
                       excluded: dict[tuple[str, str, str], dict[str, int]] | None = None,
                       invitations: dict[tuple[str, str, str], tuple[int, int]] | None = None
                       ) -> SurveyResults:
    """Numeric subject cells → ``SurveyResults``, pooling a subject's cells across campaigns."""
    grouped: dict[tuple[str, str, str, str, str], list[Cell]] = defaultdict(list)
    for survey, cells in cells_by_survey.items():
        for cell in cells:
            if cell.subject_type == SUBJECT_CAMPAIGN or cell.mean is None:
                continue  # whole-campaign figures are for reports; choices have no number
            key = (survey, cell.subject_type, cell.subject, cell.measure, cell.rater_group)
            grouped[key].append(cell)
    return SurveyResults((_aggregate(key, cells) for key, cells in grouped.items()),
                         source=SOURCE, exclusions=excluded, invitations=invitations)


def _aggregate(key: tuple[str, str, str, str, str], cells: list[Cell]) -> SurveyAggregate:
    survey, subject_type, subject, measure, group = key
    first = cells[0]
    if len(cells) == 1:  # the usual case: one campaign per survey and period
        n, mean, sd = first.n, first.mean, first.sd
        histogram = _int_histogram(first.histogram)
    else:
        pooled = pool(Description(c.n, c.mean, c.sd) for c in cells)
        spread_known = all(c.sd is not None or c.n <= 1 for c in cells)
        n, mean, sd = pooled.n, pooled.mean, pooled.sd if spread_known else None
        counts: dict[int, int] = defaultdict(int)
        for cell in cells:
            for value, count in _int_histogram(cell.histogram).items():
                counts[value] += count
        histogram = dict(sorted(counts.items())) if all(c.histogram for c in cells) else {}
    return SurveyAggregate(
        survey=survey, subject_type=subject_type, subject=subject, measure=measure,
        rater_group=group, n=n, mean=mean, sd=sd, scale_min=first.scale_min,
        scale_max=first.scale_max, histogram=MappingProxyType(histogram),
    )


def _int_histogram(histogram: dict[str, Any]) -> dict[int, int]:
    return {int(float(k)): int(v) for k, v in histogram.items()}
