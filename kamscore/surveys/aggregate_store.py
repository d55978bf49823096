"""Survey aggregates in the database: computing them after close, storing, reading back.

A closed campaign's aggregates are computed by the scheduler when it closes the campaign
(its ``recompute_aggregates`` job catches up any that are missing, stale, or made with
minimum group sizes that have since changed) and stored as ``SurveyAggregate`` rows: only
cells that may be reported, plus one marker row per campaign (subject type ``campaign``,
measure ``responses``) holding the response counts and the minimum group sizes used. A campaign
without its marker has not been computed yet; readers then compute it in memory
(``campaign_cells``) without writing.

Loading is batched: one query for the responses of any number of campaigns, one for their
answers — never a query per subject.

Results are computed only for *closed* campaigns: a report that changed while answers came
in would let anyone who watched it before and after one person answered read that answer.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from kamscore.db.bulk_copy import copy_columns
from kamscore.db.column_reads import fetch_columns, fetch_rows, object_array
from kamscore.db.gc_pause import gc_paused
from kamscore.models import (
    Account,
    Campaign,
    CampaignStatus,
    Invitation,
    InvitationStatus,
    Person,
    SurveyAggregate,
    SurveyAnswer,
    SurveyResponse,
)
from kamscore.surveys.aggregation import (
    SUBJECT_CAMPAIGN,
    CampaignAggregates,
    Cell,
    ResponseRecord,
    aggregate_table,
)
from kamscore.surveys.catalog import definition_of
from kamscore.surveys.cell_columns import CellColumns
from kamscore.surveys.errors import Conflict
from kamscore.surveys.measures import Measure, StoredAnswer, measures_of
from kamscore.surveys.rater_agreement import AGREEMENT_MEASURE
from kamscore.surveys.response_quality import COUNTED
from kamscore.surveys.response_table import ResponseTable

log = logging.getLogger(__name__)

MARKER_MEASURE = "responses"
INSERT_BATCH = 5_000
#: SQLite's page cache while aggregates are inserted, KiB (at most; 740,000 rows use ~250 MB).
SQLITE_CACHE_KIB = 256_000
MARKER_GROUP = "all"


@dataclass(frozen=True)
class Minimums:
    """Smallest reportable groups: numbers (``group``) and free-text comments (``text``)."""

    group: int = 3
    text: int = 5

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Minimums:
        return cls(int(config.get("SURVEY_MIN_GROUP", 3)),
                   int(config.get("SURVEY_MIN_GROUP_TEXT", 5)))

    def for_campaign(self, campaign: Campaign) -> Minimums:
        """Anonymous campaigns use the minimums; named answers are shown whatever the size."""
        return self if campaign.anonymous else Minimums(1, 1)


@dataclass(frozen=True)
class CampaignAnswers:
    """One campaign's responses (subject code and rater group, in arrival order) and their
    answers (the response's position, item, number, text), as read."""

    subjects: list[str]
    groups: list[str]
    response: np.ndarray
    item: np.ndarray
    number: np.ndarray
    text: np.ndarray

    def __len__(self) -> int:
        return len(self.subjects)

    def table(self, measures: Sequence[Measure]) -> ResponseTable:
        return ResponseTable.from_answers(measures, self.subjects, self.groups, self.response,
                                          self.item, self.number, self.text)


def load_answers(session: Session, campaign_ids: Sequence[int]) -> dict[int, CampaignAnswers]:
    """Every response of the campaigns, with its subject's code, and every answer: one
    Core select of the needed columns each, read from the cursor into arrays."""
    if not campaign_ids:
        return {}
    with gc_paused():  # a million rows of tuples, no cycles among them
        return _load_answers(session, campaign_ids)


def _load_answers(session: Session, campaign_ids: Sequence[int]) -> dict[int, CampaignAnswers]:
    responses = fetch_rows(session, (
        select(SurveyResponse.id, SurveyResponse.campaign_id, SurveyResponse.rater_group,
               Account.code, Person.code)
        .outerjoin(Account, Account.id == SurveyResponse.subject_account_id)
        .outerjoin(Person, Person.id == SurveyResponse.subject_person_id)
        .where(SurveyResponse.campaign_id.in_(campaign_ids), COUNTED)  # not excluded
        .order_by(SurveyResponse.id)))
    position: dict[Any, int] = {}
    subjects: dict[int, list[str]] = {c: [] for c in campaign_ids}
    groups: dict[int, list[str]] = {c: [] for c in campaign_ids}
    for response_id, campaign_id, group, account_code, person_code in responses:
        position[response_id] = len(subjects[campaign_id])
        subjects[campaign_id].append(account_code or person_code)
        groups[campaign_id].append(group)
    several = len(campaign_ids) > 1  # else no campaign column to read
    response, item, number, text, *campaign = fetch_columns(session, (
        select(SurveyAnswer.response_id, SurveyAnswer.item, SurveyAnswer.number,
               SurveyAnswer.text, *([SurveyResponse.campaign_id] if several else []))
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.campaign_id.in_(campaign_ids), COUNTED)), 5 if several else 4)
    rows = np.fromiter(map(position.__getitem__, response), dtype=np.int64,
                       count=len(response))
    numbers = np.array(number, dtype=float)  # NULL → NaN
    items, texts = object_array(item), object_array(text)
    found = {}
    for campaign_id in campaign_ids:
        mine = np.asarray(campaign[0], dtype=np.int64) == campaign_id if several \
            else slice(None)
        found[campaign_id] = CampaignAnswers(subjects[campaign_id], groups[campaign_id],
                                             rows[mine], items[mine], numbers[mine], texts[mine])
    return found


def load_records(session: Session, campaign_ids: Sequence[int]
                 ) -> dict[int, list[ResponseRecord]]:
    """Every response of the campaigns as ``ResponseRecord`` (for callers that want them)."""
    found: dict[int, list[ResponseRecord]] = {}
    for campaign_id, answers in load_answers(session, campaign_ids).items():
        by_response: list[dict[str, StoredAnswer]] = [{} for _ in range(len(answers))]
        for r, i, n, t in zip(answers.response.tolist(), answers.item.tolist(),
                              answers.number.tolist(), answers.text.tolist(), strict=True):
            by_response[r][i] = (None if n != n else n, t)
        found[campaign_id] = [ResponseRecord(s, g, a) for s, g, a in
                              zip(answers.subjects, answers.groups, by_response, strict=True)]
    return found


def compute(campaign: Campaign, answers: CampaignAnswers | None,
            minimums: Minimums) -> CampaignAggregates:
    """The reportable cells of one campaign (pure once the answers are loaded)."""
    measures = measures_of(definition_of(campaign.survey_version))
    table = answers.table(measures) if answers is not None else \
        ResponseTable.from_records(measures, [])
    with gc_paused():  # hundreds of thousands of cells, no cycles among them
        return aggregate_table(measures, table, subject_type=campaign.subject_type.value,
                               campaign_code=campaign.code,
                               minimum=minimums.for_campaign(campaign).group)


def response_counts(session: Session, campaign_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """campaign id → (invited, answered), from the invitations (one query)."""
    if not campaign_ids:
        return {}
    rows = session.execute(
        select(Invitation.campaign_id, func.count(),
               func.count().filter(Invitation.status == InvitationStatus.SUBMITTED))
        .where(Invitation.campaign_id.in_(campaign_ids)).group_by(Invitation.campaign_id)
    ).all()
    return {campaign_id: (invited, answered) for campaign_id, invited, answered in rows}


def recompute_campaign(session: Session, campaign: Campaign, minimums: Minimums,
                       now: dt.datetime) -> int:
    """Replace a closed campaign's stored aggregates; returns the number of cells stored.

    Runs in the caller's transaction: the old rows go and the new ones come in one commit.
    """
    if campaign.status is not CampaignStatus.CLOSED:
        raise Conflict(f"campaign {campaign.code} is {campaign.status.value}: results are "
                       "computed once it is closed", field="status")
    result = compute(campaign, load_answers(session, [campaign.id]).get(campaign.id), minimums)
    invited, answered = response_counts(session, [campaign.id]).get(campaign.id, (0, 0))
    used = minimums.for_campaign(campaign)
    session.execute(delete(SurveyAggregate).where(SurveyAggregate.campaign_id == campaign.id))
    marker = Cell(SUBJECT_CAMPAIGN, campaign.code, MARKER_MEASURE, MARKER_GROUP,
                  result.responses, None, None, None, None, {},
                  {"invited": invited, "answered": answered,
                   "response_rate": answered / invited if invited else None,
                   "min_group": used.group, "min_group_text": used.text,
                   "subjects": len(result.subjects)})
    with gc_paused():
        store_cells(session, campaign.id, [result.columns, CellColumns.from_cells([marker])],
                    now)
    session.flush()
    log.info("campaign %s: %d aggregate cells from %d responses", campaign.code,
             len(result), result.responses)
    return len(result)


def store_cells(session: Session, campaign_id: int,
                cells: CellColumns | Sequence[CellColumns], now: dt.datetime) -> None:
    """Insert ``cells`` (or several ``CellColumns`` one after the other, not copied into one)
    as aggregate rows, column by column: on PostgreSQL one ``COPY`` of
    text formatted a column at a time (``copy_columns``), elsewhere one DBAPI
    ``executemany`` of tuples, without SQLAlchemy's per-row, per-parameter work.
    The JSON columns are the text ``json.dumps`` writes, as the ORM would store them
    (``CellColumns`` has made it); ``computed_at`` goes through its column type's bind
    processor."""
    parts = [cells] if isinstance(cells, CellColumns) else list(cells)
    size = sum(map(len, parts))
    if not size:
        return
    table = SurveyAggregate.__table__
    connection = session.connection()
    dialect = connection.dialect
    postgres = dialect.name == "postgresql"
    stored = [part.stored() for part in parts]
    for part in stored[1:]:  # fresh lists: the first grows by the others (a marker row)
        for name, values in part.items():
            stored[0][name].extend(values)
    columns: dict[str, list[Any]] = {
        "campaign_id": [campaign_id] * size,
        **stored[0],
        "computed_at": [_bound(table, "computed_at", dialect, now)] * size,
    }
    if postgres:
        copy_columns(session, table.name, columns)
        return
    rows = list(zip(*columns.values(), strict=True))
    sql = str(insert(table).compile(dialect=dialect, column_keys=list(columns)))
    # a page cache big enough for the table's and the index's new pages while they are
    # written (SQLite's default, 2 MB, spills them to the journal and reads them back)
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        for start in range(0, len(rows), INSERT_BATCH):
            connection.exec_driver_sql(sql, rows[start:start + INSERT_BATCH])
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _bound(table: Any, column: str, dialect: Any, value: Any) -> Any:
    process = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return value if process is None else process(value)


def campaigns_to_recompute(session: Session, minimums: Minimums) -> list[Campaign]:
    """Closed campaigns whose stored aggregates are missing, older than the closing, or
    made with other minimum group sizes than ``minimums`` (the settings changed)."""
    marker = (
        select(SurveyAggregate.campaign_id, SurveyAggregate.computed_at,
               SurveyAggregate.details)
        .where(SurveyAggregate.subject_type == SUBJECT_CAMPAIGN,
               SurveyAggregate.measure == MARKER_MEASURE)
        .subquery()
    )
    rows = session.execute(
        select(Campaign, marker.c.computed_at, marker.c.details)
        .outerjoin(marker, marker.c.campaign_id == Campaign.id)
        .where(Campaign.status == CampaignStatus.CLOSED)
        .order_by(Campaign.closed_at, Campaign.id)
    ).all()
    stale = []
    for campaign, computed, details in rows:
        used = minimums.for_campaign(campaign)
        if (computed is None or (campaign.closed_at is not None and computed < campaign.closed_at)
                or (details or {}).get("min_group") != used.group
                or (details or {}).get("min_group_text") != used.text):
            stale.append(campaign)
    return stale


def stored_cells(session: Session, campaign_ids: Sequence[int], *, for_metrics: bool = False
                 ) -> dict[int, list[Cell]]:
    """The stored cells of campaigns that have been computed (marker rows left out).

    ``for_metrics``: only what the metric plugins' interface carries — questions and scales,
    not matrix rows or multiple-choice options (their ids have a dot) nor the rater
    agreement cells, and no figures beyond
    n, mean, sd and histogram. A 360° has about a third as many such cells.
    """
    found: dict[int, list[Cell]] = defaultdict(list)
    if not campaign_ids:
        return found
    a = SurveyAggregate
    query = (
        select(a.campaign_id, a.subject_type, a.subject_code, a.measure, a.rater_group, a.n,
               a.mean, a.sd, a.scale_min, a.scale_max, a.histogram,
               a.n if for_metrics else a.details)
        .where(a.campaign_id.in_(campaign_ids)).order_by(a.id)
        .execution_options(yield_per=10_000)
    )
    if for_metrics:
        query = query.where(~a.measure.contains(".", autoescape=True),
                            a.measure != AGREEMENT_MEASURE)
    rows = session.execute(query)
    for (campaign_id, subject_type, subject, measure, group, n, mean, sd, low, high,
         histogram, figures) in rows:
        if subject_type == SUBJECT_CAMPAIGN and measure == MARKER_MEASURE:
            found.setdefault(campaign_id, [])
            continue
        found[campaign_id].append(Cell(subject_type, subject, measure, group, n, mean, sd, low,
                                       high, histogram, {} if for_metrics else figures))
    return found


def _for_metrics(measure: str) -> bool:
    return "." not in measure and measure != AGREEMENT_MEASURE


def campaign_cells(session: Session, campaigns: Sequence[Campaign], minimums: Minimums, *,
                   for_metrics: bool = False) -> dict[int, list[Cell]]:
    """Cells of closed campaigns: stored where computed, else computed now (not stored).

    ``for_metrics`` as in ``stored_cells``.
    """
    closed = [c for c in campaigns if c.status is CampaignStatus.CLOSED]
    cells = stored_cells(session, [c.id for c in closed], for_metrics=for_metrics)
    missing = [c for c in closed if c.id not in cells]
    if missing:
        answers = load_answers(session, [c.id for c in missing])
        for campaign in missing:
            computed = compute(campaign, answers.get(campaign.id), minimums).cells
            cells[campaign.id] = [c for c in computed if _for_metrics(c.measure)] \
                if for_metrics else computed
    return {c.id: cells[c.id] for c in closed}
