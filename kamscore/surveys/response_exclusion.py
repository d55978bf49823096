"""Flag counts for survey admins, and excluding flagged responses from scoring.

Survey admins never see single responses: they see how many responses of a campaign, and of
each subject, carry each flag (``quality_report``) — only for groups that reach the minimum
group size, like every survey statistic — and exclude *the responses of a group that carry a
flag*, with a reason (``exclude_flagged``, audit-logged). Excluding the responses of a group
under the minimum size is refused: the group's figures are not shown, so neither is what
excluding would change. A campaign setting (``set_exclude_speeders``) excludes speeders
automatically, those submitted already and those to come.

An excluded response keeps its answers and flags; only ``excluded_for`` (which flag) and
``excluded_reason`` are set, and the statistics and metrics leave it out (``COUNTED``). A
closed campaign's stored results are computed again in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.models import Account, Campaign, CampaignStatus, Person, SurveyResponse
from kamscore.surveys.aggregate_store import Minimums, recompute_campaign
from kamscore.surveys.errors import NotFound, SurveyError
from kamscore.surveys.response_quality import AUTOMATIC_REASON, COUNTED, FLAGS

REASON_LENGTH = 500


class GroupTooSmall(SurveyError):
    """Excluding responses of a group whose figures may not be shown: the request is well
    formed, the group's size (the data as it stands) refuses it — a conflict."""

    status = 409


@dataclass(frozen=True)
class FlagCounts:
    responses: int
    flagged: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


@dataclass(frozen=True)
class SubjectFlags:
    code: str
    name: str
    counts: FlagCounts


@dataclass(frozen=True)
class QualityReport:
    campaign: str
    exclude_speeders: bool
    speeder_seconds: int
    minimum: int
    total: FlagCounts | None  # None when the whole campaign is under the minimum
    subjects: list[SubjectFlags]  # those reaching the minimum, by code
    hidden_subjects: int  # subjects under the minimum (no counts shown)
    campaign_name: str = ""


def _campaign(session: Session, code: str) -> Campaign:
    campaign = session.scalars(select(Campaign).where(Campaign.code == code)).one_or_none()
    if campaign is None:
        raise NotFound(f"no campaign {code!r}", field="campaign")
    return campaign


def _subject_columns() -> tuple:
    return (func.coalesce(Account.code, Person.code), func.coalesce(Account.name, Person.name))


def _counts_query(campaign_id: int):
    flagged = [func.sum(case((getattr(SurveyResponse, f), 1), else_=0)) for f in FLAGS]
    excluded = [func.sum(case((SurveyResponse.excluded_for == f, 1), else_=0)) for f in FLAGS]
    code, name = _subject_columns()
    return (select(code, name, func.count(), *flagged, *excluded)
            .select_from(SurveyResponse)
            .outerjoin(Account, Account.id == SurveyResponse.subject_account_id)
            .outerjoin(Person, Person.id == SurveyResponse.subject_person_id)
            .where(SurveyResponse.campaign_id == campaign_id)
            .group_by(code, name).order_by(code))


def _counts(row: Sequence) -> FlagCounts:
    n = len(FLAGS)
    return FlagCounts(int(row[2]), dict(zip(FLAGS, map(int, row[3:3 + n]), strict=True)),
                      dict(zip(FLAGS, map(int, row[3 + n:3 + 2 * n]), strict=True)))


def quality_report(session: Session, code: str, minimums: Minimums) -> QualityReport:
    """Flag counts of a campaign and of each subject reaching the minimum (one query)."""
    campaign = _campaign(session, code)
    minimum = minimums.for_campaign(campaign).group
    rows = session.execute(_counts_query(campaign.id)).all()
    shown = [SubjectFlags(r[0], r[1], _counts(r)) for r in rows if r[2] >= minimum]
    total = sum(int(r[2]) for r in rows)
    summed = None
    if total >= minimum and total:
        summed = FlagCounts(
            total,
            {f: sum(_counts(r).flagged[f] for r in rows) for f in FLAGS},
            {f: sum(_counts(r).excluded[f] for r in rows) for f in FLAGS})
    return QualityReport(campaign.code, campaign.exclude_speeders, campaign.speeder_seconds,
                         minimum, summed, shown, len(rows) - len(shown), campaign.name)


def _subject_filter(session: Session, campaign: Campaign, subject: str | None,
                    minimum: int) -> list:
    """The WHERE clauses of the responses a step applies to; refuses small groups."""
    clauses = [SurveyResponse.campaign_id == campaign.id]
    if subject is None:
        total = session.scalar(select(func.count()).select_from(SurveyResponse)
                               .where(*clauses)) or 0
        if total < minimum:
            raise GroupTooSmall(
                f"campaign {campaign.code} has {total} response(s), fewer than the minimum "
                f"group size of {minimum}: its responses cannot be excluded", field="campaign")
        return clauses
    model = Account if campaign.subject_type.value == "account" else Person
    column = (SurveyResponse.subject_account_id if model is Account
              else SurveyResponse.subject_person_id)
    subject_id = session.scalar(select(model.id).where(model.code == subject))
    if subject_id is None:
        raise NotFound(f"no subject {subject!r} in campaign {campaign.code}", field="subject")
    clauses.append(column == subject_id)
    size = session.scalar(select(func.count()).select_from(SurveyResponse)
                          .where(*clauses)) or 0
    if size < minimum:
        raise GroupTooSmall(
            f"{subject} has {size} response(s) in campaign {campaign.code}, fewer than the "
            f"minimum group size of {minimum}: its responses cannot be excluded",
            field="subject")
    return clauses


def exclude_flagged(session: Session, code: str, flag: str, reason: str, actor: object,
                    minimums: Minimums, now: dt.datetime, subject: str | None = None) -> int:
    """Exclude the responses of a campaign (or of one of its subjects) that carry ``flag``;
    returns how many were excluded now. The caller commits."""
    campaign = _campaign(session, code)
    if flag not in FLAGS:
        raise SurveyError(f"unknown flag {flag!r}; expected one of {', '.join(FLAGS)}",
                          field="flag")
    reason = (reason or "").strip()
    if not reason:
        raise SurveyError("say why the responses are excluded", field="reason")
    if len(reason) > REASON_LENGTH:
        raise SurveyError(f"the reason is longer than {REASON_LENGTH} characters",
                          field="reason")
    clauses = _subject_filter(session, campaign, subject, minimums.for_campaign(campaign).group)
    result = session.execute(
        update(SurveyResponse)
        .where(*clauses, getattr(SurveyResponse, flag).is_(True), COUNTED)
        .values(excluded_for=flag, excluded_reason=reason)
        .execution_options(synchronize_session=False))
    count = result.rowcount or 0
    record(session, actor, "survey.exclude", "campaign", campaign.code, flag=flag,
           subject=subject, excluded=count, reason=reason)
    _refresh(session, campaign, minimums, now)
    return count


def set_exclude_speeders(session: Session, code: str, exclude: bool, actor: object,
                         minimums: Minimums, now: dt.datetime) -> int:
    """Turn the automatic exclusion of speeders on (excluding those submitted already) or
    off (counting again those it had excluded); returns how many responses changed."""
    campaign = _campaign(session, code)
    campaign.exclude_speeders = exclude
    base = update(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id)
    if exclude:
        statement = base.where(SurveyResponse.speeder.is_(True), COUNTED).values(
            excluded_for="speeder", excluded_reason=AUTOMATIC_REASON)
    else:
        statement = base.where(SurveyResponse.excluded_reason == AUTOMATIC_REASON).values(
            excluded_for=None, excluded_reason=None)
    count = session.execute(statement.execution_options(synchronize_session=False)).rowcount
    record(session, actor, "campaign.exclude_speeders", "campaign", campaign.code,
           exclude_speeders=exclude, changed=count or 0)
    _refresh(session, campaign, minimums, now)
    return count or 0


def _refresh(session: Session, campaign: Campaign, minimums: Minimums,
             now: dt.datetime) -> None:
    session.flush()
    if campaign.status is CampaignStatus.CLOSED:
        recompute_campaign(session, campaign, minimums, now)


def exclusions(session: Session, campaign_ids: Sequence[int]
               ) -> dict[tuple[int, str, str], dict[str, int]]:
    """(campaign id, subject type, subject code) → flag → responses excluded (one query)."""
    found: dict[tuple[int, str, str], dict[str, int]] = defaultdict(dict)
    if not campaign_ids:
        return found
    code, _ = _subject_columns()
    rows = session.execute(
        select(SurveyResponse.campaign_id, SurveyResponse.subject_type, code,
               SurveyResponse.excluded_for, func.count())
        .outerjoin(Account, Account.id == SurveyResponse.subject_account_id)
        .outerjoin(Person, Person.id == SurveyResponse.subject_person_id)
        .where(SurveyResponse.campaign_id.in_(campaign_ids), ~COUNTED)
        .group_by(SurveyResponse.campaign_id, SurveyResponse.subject_type, code,
                  SurveyResponse.excluded_for))
    for campaign_id, subject_type, subject, flag, count in rows:
        found[(campaign_id, getattr(subject_type, "value", subject_type), subject)][flag] = count
    return found
