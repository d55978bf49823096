"""Response-quality flags, computed when a response is submitted and stored with it.

Three flags resist the usual ways of gaming a survey:

* **speeder** — completed in less than ``campaign.speeder_seconds``, or in less than a third
  of the median completion time of the campaign's responses (once at least
  ``MEDIAN_FROM`` of them are timed);
* **straight-liner** — the same value on every item of a matrix of ``MATRIX_ITEMS`` or more
  items (a "not applicable" or a missing row is not the same value);
* **duplicate** — exactly the same answers, free text included, as an earlier response about
  the same subject in the same campaign.

Privacy: only the completion time in whole seconds is kept, never a clock time. The instant
the questionnaire was first opened lives on the *draft* (linked to the invitation while the
respondent answers) and goes with it at submission; the response gets the difference.

The pure helpers (``straight_lined``, ``digest``, ``is_speeder``) take plain values; the
``flags_for`` and ``BatchFlags`` helpers read what they need from the database.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.models import Campaign, SurveyResponse
from kamscore.surveys.definition import SurveyDefinition

FLAGS = ("speeder", "straight_liner", "duplicate")
FLAG_LABELS = {"speeder": "speeder", "straight_liner": "straight-liner",
               "duplicate": "duplicate"}
#: A matrix needs this many items before answering them all alike is suspicious.
MATRIX_ITEMS = 5
#: Timed responses needed before the median rule applies (a median of two says little).
MEDIAN_FROM = 5
#: The responses the statistics and the metrics count (those not excluded).
COUNTED = SurveyResponse.excluded_for.is_(None)
#: The reason recorded when the campaign setting excludes a speeder.
AUTOMATIC_REASON = "speeder excluded automatically (campaign setting)"


@dataclass(frozen=True)
class Quality:
    """What is stored with one response."""

    duration_seconds: int | None
    speeder: bool
    straight_liner: bool
    duplicate: bool
    answers_digest: str

    def columns(self, exclude_speeders: bool) -> dict[str, Any]:
        """The response's quality columns (``excluded_*`` set when the campaign excludes
        speeders automatically)."""
        excluded = exclude_speeders and self.speeder
        return dict(duration_seconds=self.duration_seconds, speeder=self.speeder,
                    straight_liner=self.straight_liner, duplicate=self.duplicate,
                    answers_digest=self.answers_digest,
                    excluded_for="speeder" if excluded else None,
                    excluded_reason=AUTOMATIC_REASON if excluded else None)


def whole_seconds(started: Any, submitted: Any) -> int | None:
    """Whole seconds between two aware instants (None when the start is unknown)."""
    if started is None:
        return None
    return max(0, int((submitted - started).total_seconds()))


def straight_lined(definition: SurveyDefinition, answers: Mapping[str, Any]) -> bool:
    """Whether some matrix of ``MATRIX_ITEMS`` or more items got one value on every item."""
    for section in definition.sections:
        for question in section.questions:
            if question.type != "matrix" or len(question.items) < MATRIX_ITEMS:
                continue
            values = [answers.get(item) for item in question.answer_items()]
            if all(isinstance(v, int) and not isinstance(v, bool) for v in values) \
                    and len(set(values)) == 1:
                return True
    return False


def digest(rows: Iterable[tuple[str, float | None, str | None]]) -> str:
    """SHA-256 of a response's stored answer rows (order-independent)."""
    plain = sorted([item, number, text] for item, number, text in rows)
    return hashlib.sha256(json.dumps(plain, ensure_ascii=False).encode()).hexdigest()


def is_speeder(duration: int | None, median: float | None, minimum: int) -> bool:
    if duration is None:
        return False
    return duration < minimum or (median is not None and duration < median / 3)


def median_of(durations: Sequence[int]) -> float | None:
    return statistics.median(durations) if len(durations) >= MEDIAN_FROM else None


def _subject_is(account_id: int | None, person_id: int | None) -> Any:
    if account_id is not None:
        return SurveyResponse.subject_account_id == account_id
    return SurveyResponse.subject_person_id == person_id


def flags_for(session: Session, campaign: Campaign, definition: SurveyDefinition,
              account_id: int | None, person_id: int | None, answers: Mapping[str, Any],
              rows: Sequence[tuple[str, float | None, str | None]],
              duration: int | None) -> Quality:
    """The flags of one response about to be stored (two small queries)."""
    durations = list(session.scalars(
        select(SurveyResponse.duration_seconds)
        .where(SurveyResponse.campaign_id == campaign.id,
               SurveyResponse.duration_seconds.is_not(None))))
    answers_digest = digest(rows)
    duplicate = session.scalar(
        select(SurveyResponse.id).where(SurveyResponse.campaign_id == campaign.id,
                                        _subject_is(account_id, person_id),
                                        SurveyResponse.answers_digest == answers_digest)
        .limit(1)) is not None
    return Quality(duration, is_speeder(duration, median_of(durations), campaign.speeder_seconds),
                   straight_lined(definition, answers), duplicate, answers_digest)


class BatchFlags:
    """Flags for many responses submitted at once (``answering_batch``): the campaigns'
    stored durations and digests are read once; the batch's own durations count towards the
    median and its earlier responses towards duplicates."""

    def __init__(self, session: Session, campaign_ids: Sequence[int],
                 batch_durations: Mapping[int, Sequence[int]]) -> None:
        self._durations: dict[int, list[int]] = {c: list(batch_durations.get(c, ()))
                                                 for c in campaign_ids}
        self._seen: set[tuple[int, int | None, int | None, str]] = set()
        self._medians: dict[int, float | None] = {}
        if not campaign_ids:
            return
        rows = session.execute(
            select(SurveyResponse.campaign_id, SurveyResponse.duration_seconds,
                   SurveyResponse.subject_account_id, SurveyResponse.subject_person_id,
                   SurveyResponse.answers_digest)
            .where(SurveyResponse.campaign_id.in_(campaign_ids)))
        for campaign_id, duration, account_id, person_id, answers_digest in rows:
            if duration is not None:
                self._durations[campaign_id].append(duration)
            if answers_digest is not None:
                self._seen.add((campaign_id, account_id, person_id, answers_digest))

    def flags(self, campaign: Campaign, definition: SurveyDefinition, account_id: int | None,
              person_id: int | None, answers: Mapping[str, Any],
              rows: Sequence[tuple[str, float | None, str | None]],
              duration: int | None) -> Quality:
        if campaign.id not in self._medians:
            self._medians[campaign.id] = median_of(self._durations.get(campaign.id, []))
        answers_digest = digest(rows)
        key = (campaign.id, account_id, person_id, answers_digest)
        duplicate = key in self._seen
        self._seen.add(key)
        return Quality(duration,
                       is_speeder(duration, self._medians[campaign.id], campaign.speeder_seconds),
                       straight_lined(definition, answers), duplicate, answers_digest)
