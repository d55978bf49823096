"""Whole questionnaires submitted at once: answers collected outside the answering pages.

Answers taken on paper, by an interviewer on the phone, or generated for the demo arrive
complete. ``submit_completed`` stores many of them in one go, with the same checks and the
same result as a respondent clicking through the pages (``answering.answer_page``): each
invitation must be answerable at the moment of its submission (campaign open, not used),
each page's answers are checked as that page would check them — in order, so conditions
(``show_if``) see the earlier pages — and a submission stores a ``SurveyResponse`` with its
``SurveyAnswer`` rows, a ``SurveySubmission`` and the invitation's new status, and deletes
any draft. Only the writing is batched (a few multi-row statements instead of a flush per
page), which is what makes thousands of questionnaires cheap.

Anonymity: responses are inserted in a random order, so neither the database's row order
nor the answers' ids reveal which invitation a response came from.

Runs in the caller's transaction; the caller commits (an ``IntegrityError`` at commit means
a concurrent submission of one of the invitations: ``AlreadySubmitted``).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, selectinload

from kamscore.models import (
    Campaign,
    Invitation,
    InvitationStatus,
    SurveyAnswer,
    SurveyDraft,
    SurveyResponse,
    SurveySubmission,
)
from kamscore.surveys.answering import (
    AlreadySubmitted,
    LinkCheck,
    LinkState,
    NotAnswerable,
    link_check,
)
from kamscore.surveys.answers import InvalidAnswers, answer_rows, check_page
from kamscore.surveys.catalog import definition_of
from kamscore.surveys.definition import SurveyDefinition
from kamscore.surveys.response_quality import BatchFlags

#: Invitations read per query and rows written per statement.
BATCH = 500


@dataclass(frozen=True)
class CompletedQuestionnaire:
    """Every answer of one invitation (values as in ``kamscore.surveys.definition``)."""

    invitation_id: int
    answers: Mapping[str, Any]
    submitted_at: dt.datetime  # timezone-aware
    #: Whole seconds the respondent took (an interviewer's or a paper form's record), if
    #: known; speeders are flagged from it as in the answering pages.
    duration_seconds: int | None = None


def complete_answers(definition: SurveyDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """A whole questionnaire's answers checked page by page, as ``answer_page`` checks them.

    Raises ``InvalidAnswers`` for a value no page would take, a required answer missing, or
    an answer to a question that is not shown (given the earlier answers).
    """
    clean: dict[str, Any] = {}
    remaining = dict(answers)
    for section in definition.sections:
        if not section.is_shown(clean):
            continue
        items = {item for q in section.questions for item in q.answer_items()}
        page = {item: remaining.pop(item) for item in list(remaining) if item in items}
        clean.update(check_page(section, page, clean))
    if remaining:
        raise InvalidAnswers({item: "not asked" for item in remaining})
    return clean


def submit_completed(session: Session, completed: Sequence[CompletedQuestionnaire]) -> int:
    """Submit whole questionnaires (see the module docstring); returns how many.

    All or nothing: one that cannot be submitted (``NotAnswerable``, ``AlreadySubmitted``,
    ``InvalidAnswers``) raises before anything is written.
    """
    ids = [c.invitation_id for c in completed]
    if len(set(ids)) != len(ids):
        raise AlreadySubmitted()
    invitations = _locked_invitations(session, ids)
    durations: dict[int, list[int]] = {}
    for questionnaire in completed:
        invitation = invitations.get(questionnaire.invitation_id)
        if invitation is not None and questionnaire.duration_seconds is not None:
            if questionnaire.duration_seconds < 0:
                raise InvalidAnswers({"duration_seconds": "negative"})
            durations.setdefault(invitation.campaign_id, []).append(
                questionnaire.duration_seconds)
    quality = BatchFlags(session, sorted({i.campaign_id for i in invitations.values()}),
                         durations)
    responses: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    for questionnaire in completed:
        invitation = invitations.get(questionnaire.invitation_id)
        if invitation is None:
            raise NotAnswerable(LinkCheck(LinkState.UNKNOWN))
        check = link_check(invitation, questionnaire.submitted_at)
        if check.state is LinkState.USED:
            raise AlreadySubmitted()
        if check.state is not LinkState.OK:
            raise NotAnswerable(check)
        campaign = invitation.campaign
        definition = definition_of(campaign.survey_version)
        clean = complete_answers(definition, questionnaire.answers)
        rows = answer_rows(definition, clean)
        flags = quality.flags(campaign, definition, invitation.subject_account_id,
                              invitation.subject_person_id, clean, rows,
                              questionnaire.duration_seconds)
        response_id = uuid.uuid4().hex
        responses.append(dict(
            id=response_id, campaign_id=campaign.id, subject_type=invitation.subject_type,
            subject_account_id=invitation.subject_account_id,
            subject_person_id=invitation.subject_person_id,
            rater_group=invitation.rater_group, anonymous=campaign.anonymous,
            submitted_on=questionnaire.submitted_at.astimezone(
                ZoneInfo(campaign.timezone)).date(),
            invitation_id=None if campaign.anonymous else invitation.id,
            **flags.columns(campaign.exclude_speeders),
        ))
        answers += [dict(response_id=response_id, item=item, number=number, text=text)
                    for item, number, text in rows]
    random.SystemRandom().shuffle(responses)
    order = {r["id"]: i for i, r in enumerate(responses)}
    answers.sort(key=lambda row: order[row["response_id"]])
    _insert(session, SurveyResponse, responses)
    _insert(session, SurveyAnswer, answers)
    _insert(session, SurveySubmission, [{"invitation_id": i} for i in ids])
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        session.execute(delete(SurveyDraft).where(SurveyDraft.invitation_id.in_(chunk)))
        session.execute(update(Invitation).where(Invitation.id.in_(chunk))
                        .values(status=InvitationStatus.SUBMITTED))
    session.flush()
    return len(completed)


def _locked_invitations(session: Session, ids: Sequence[int]) -> dict[int, Invitation]:
    """The invitations, locked (PostgreSQL) against a concurrent page save or submission."""
    found: dict[int, Invitation] = {}
    for start in range(0, len(ids), BATCH):
        query = (select(Invitation).where(Invitation.id.in_(ids[start:start + BATCH]))
                 .options(selectinload(Invitation.campaign).selectinload(Campaign.survey_version))
                 .with_for_update(of=Invitation)
                 .execution_options(populate_existing=True))
        found.update((i.id, i) for i in session.scalars(query))
    return found


def _insert(session: Session, model: type, rows: list[dict[str, Any]]) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start:start + BATCH])
