"""The former recompute of a campaign's aggregates — per-row loading into records, the
per-subject pure-Python aggregation (``reference_aggregation``) and Core ``executemany`` of
dicts (``COPY`` on PostgreSQL, as before) — kept to be timed beside the current one in
``benchmarks/survey_results.py``. Not used by the application.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import reference_aggregation
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kamscore.db.bulk_copy import copy_rows
from kamscore.models import Account, Campaign, Person, SurveyAggregate, SurveyAnswer, SurveyResponse
from kamscore.surveys.aggregate_store import (
    INSERT_BATCH,
    MARKER_GROUP,
    MARKER_MEASURE,
    Minimums,
    response_counts,
)
from kamscore.surveys.aggregation import SUBJECT_CAMPAIGN, ResponseRecord
from kamscore.surveys.catalog import definition_of
from kamscore.surveys.measures import StoredAnswer, measures_of


def load_records(session: Session, campaign_ids: Sequence[int]
                 ) -> dict[int, list[ResponseRecord]]:
    """Every response of the campaigns, with its subject's code and its answers (2 queries)."""
    answers: dict[str, dict[str, StoredAnswer]] = defaultdict(dict)
    rows = session.execute(
        select(SurveyAnswer.response_id, SurveyAnswer.item, SurveyAnswer.number,
               SurveyAnswer.text)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.campaign_id.in_(campaign_ids))
        .execution_options(yield_per=10_000)
    )
    for response_id, item, number, text in rows:
        answers[response_id][item] = (number, text)
    records: dict[int, list[ResponseRecord]] = defaultdict(list)
    responses = session.execute(
        select(SurveyResponse.id, SurveyResponse.campaign_id, SurveyResponse.rater_group,
               Account.code, Person.code)
        .outerjoin(Account, Account.id == SurveyResponse.subject_account_id)
        .outerjoin(Person, Person.id == SurveyResponse.subject_person_id)
        .where(SurveyResponse.campaign_id.in_(campaign_ids))
        .order_by(SurveyResponse.id)
    )
    for response_id, campaign_id, group, account_code, person_code in responses:
        records[campaign_id].append(
            ResponseRecord(account_code or person_code, group, answers.pop(response_id, {}))
        )
    return records


def compute(campaign: Campaign, records: list[ResponseRecord], minimums: Minimums
            ) -> reference_aggregation.CampaignAggregates:
    return reference_aggregation.aggregate(
        measures_of(definition_of(campaign.survey_version)), records,
        subject_type=campaign.subject_type.value, campaign_code=campaign.code,
        minimum=minimums.for_campaign(campaign).group)


def recompute_campaign(session: Session, campaign: Campaign, minimums: Minimums,
                       now: dt.datetime) -> int:
    """The former ``aggregate_store.recompute_campaign``."""
    records = load_records(session, [campaign.id]).get(campaign.id, [])
    result = compute(campaign, records, minimums)
    invited, answered = response_counts(session, [campaign.id]).get(campaign.id, (0, 0))
    used = minimums.for_campaign(campaign)
    session.execute(delete(SurveyAggregate).where(SurveyAggregate.campaign_id == campaign.id))
    rows: list[dict[str, Any]] = [dict(
        campaign_id=campaign.id, subject_type=c.subject_type, subject_code=c.subject,
        measure=c.measure, rater_group=c.rater_group, n=c.n, mean=c.mean, sd=c.sd,
        scale_min=c.scale_min, scale_max=c.scale_max, histogram=c.histogram,
        details=c.details, computed_at=now) for c in result.cells]
    rows.append(dict(
        campaign_id=campaign.id, subject_type=SUBJECT_CAMPAIGN, subject_code=campaign.code,
        measure=MARKER_MEASURE, rater_group=MARKER_GROUP, n=result.responses, mean=None,
        sd=None, scale_min=None, scale_max=None, histogram={},
        details={"invited": invited, "answered": answered,
                 "response_rate": answered / invited if invited else None,
                 "min_group": used.group, "min_group_text": used.text,
                 "subjects": len(result.subjects)},
        computed_at=now))
    table = SurveyAggregate.__table__
    if session.get_bind().dialect.name == "postgresql":
        copy_rows(session, table.name, list(rows[0]),
                  ([json.dumps(v) if isinstance(v, dict) else v for v in row.values()]
                   for row in rows))
    else:
        for start in range(0, len(rows), INSERT_BATCH):
            session.execute(insert(table), rows[start:start + INSERT_BATCH])
    session.flush()
    return len(result.cells)
