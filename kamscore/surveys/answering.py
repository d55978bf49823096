"""Answering a survey: following a link, pages saved one by one, and the final submission.

While a respondent is answering, his answers are a ``SurveyDraft`` linked to his invitation,
so he can leave and come back with the same link. Submitting copies the shown answers into a
``SurveyResponse`` that keeps only what the statistics need — campaign, subject, rater group,
the date — and, for anonymous campaigns, no reference to the invitation; then the draft is
deleted and a ``SurveySubmission`` records that the invitation was used. All of it happens in
one transaction, and the submission's primary key makes a second response for the same
invitation impossible, however many requests race for it.

The caller commits (and treats an ``IntegrityError`` at commit as ``AlreadySubmitted``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kamscore.models import (
    Campaign,
    CampaignStatus,
    Invitation,
    InvitationStatus,
    SurveyAnswer,
    SurveyDraft,
    SurveyResponse,
    SurveySubmission,
)
from kamscore.surveys.answers import (
    answer_rows,
    check_page,
    first_incomplete_section,
    shown_answers,
)
from kamscore.surveys.campaigns import offered_languages
from kamscore.surveys.catalog import definition_of
from kamscore.surveys.definition import Section, SurveyDefinition, Text
from kamscore.surveys.i18n import pick_language
from kamscore.surveys.response_quality import flags_for, whole_seconds
from kamscore.surveys.tokens import invitation_for_token


class LinkState(enum.StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"  # no such token
    USED = "used"  # the invitation has been answered
    CLOSED = "closed"  # campaign closed, or its closing time passed
    NOT_OPEN = "not_open"  # campaign still a draft / before its opening time


@dataclass(frozen=True)
class LinkCheck:
    state: LinkState
    invitation_id: int | None = None
    language: str = "en"
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    timezone: str = "UTC"


class AlreadySubmitted(Exception):
    """The invitation was used (possibly a moment ago by a concurrent request)."""


class NotAnswerable(Exception):
    def __init__(self, check: LinkCheck) -> None:
        super().__init__(check.state.value)
        self.check = check


def follow_link(session: Session, token: str, now: dt.datetime) -> LinkCheck:
    """What a link token leads to (``UNKNOWN`` for a token that matches nothing)."""
    invitation = invitation_for_token(session, token)
    if invitation is None:
        return LinkCheck(LinkState.UNKNOWN)
    return _check(invitation, now)


def check_invitation(session: Session, invitation_id: int, now: dt.datetime) -> LinkCheck:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        return LinkCheck(LinkState.UNKNOWN)
    return _check(invitation, now)


def link_check(invitation: Invitation, now: dt.datetime) -> LinkCheck:
    """Whether ``invitation`` can be answered at ``now`` (its campaign open, not yet used)."""
    return _check(invitation, now)


def _check(invitation: Invitation, now: dt.datetime) -> LinkCheck:
    campaign = invitation.campaign
    definition = definition_of(campaign.survey_version)
    common = {"invitation_id": invitation.id, "opens_at": campaign.opens_at,
              "closes_at": campaign.closes_at, "timezone": campaign.timezone,
              "language": pick_language(invitation.language,
                                        offered_languages(campaign, definition.languages))}
    if invitation.status is InvitationStatus.SUBMITTED:
        return LinkCheck(LinkState.USED, **common)
    if campaign.status is CampaignStatus.CLOSED or now >= campaign.closes_at:
        return LinkCheck(LinkState.CLOSED, **common)
    if campaign.status is CampaignStatus.DRAFT or now < campaign.opens_at:
        return LinkCheck(LinkState.NOT_OPEN, **common)
    return LinkCheck(LinkState.OK, **common)


def thanks_text(session: Session, invitation_id: int) -> Text | None:
    """The definition's own thank-you text for an invitation's survey, if it has one."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        return None
    return definition_of(invitation.campaign.survey_version).thanks


@dataclass(frozen=True)
class Questionnaire:
    """Everything the answering page needs for the current page."""

    definition: SurveyDefinition
    invitation_id: int
    language: str
    subject_name: str
    rater_group: str
    anonymous: bool
    answers: Mapping[str, Any]  # saved so far (drafts)
    section_index: int  # in definition.sections
    shown: list[int] = field(default_factory=list)  # indexes of the sections shown
    languages: tuple[str, ...] = ("en",)  # the languages the respondent may choose

    @property
    def section(self) -> Section:
        return self.definition.sections[self.section_index]

    @property
    def page_number(self) -> int:
        return self.shown.index(self.section_index) + 1

    @property
    def is_last(self) -> bool:
        return self.section_index == self.shown[-1]

    @property
    def is_first(self) -> bool:
        return self.section_index == self.shown[0]

    def earlier_answers(self) -> dict[str, Any]:
        """Answers of the pages before this one: what decides the questions shown here."""
        items = {i for s in self.definition.sections[:self.section_index]
                 for q in s.questions for i in q.answer_items()}
        return {k: v for k, v in self.answers.items() if k in items}


def questionnaire(session: Session, invitation_id: int, now: dt.datetime,
                  language: str | None = None) -> Questionnaire:
    """The current page of an invitation that can be answered now."""
    invitation, _ = _answerable(session, invitation_id, now)
    return _questionnaire(invitation, invitation.campaign, session.get(SurveyDraft, invitation.id),
                          language)


def open_questionnaire(session: Session, invitation_id: int, now: dt.datetime,
                       language: str | None = None) -> Questionnaire:
    """The current page, as ``questionnaire`` — and, the first time the respondent opens
    it, the instant he started, kept on his draft (it goes with the draft at submission;
    the response keeps only the whole seconds taken). The caller commits."""
    invitation, _ = _answerable(session, invitation_id, now)
    draft = session.get(SurveyDraft, invitation.id)
    current = _questionnaire(invitation, invitation.campaign, draft, language)
    if draft is None:
        session.add(SurveyDraft(invitation_id=invitation.id, answers={}, page=0,
                                language=current.language, updated_at=now, started_at=now))
    elif draft.started_at is None and not draft.answers:
        draft.started_at = now
    return current


def _answerable(session: Session, invitation_id: int, now: dt.datetime,
                lock: bool = False) -> tuple[Invitation, LinkCheck]:
    query = select(Invitation).where(Invitation.id == invitation_id)
    if lock:
        # PostgreSQL: wait for a concurrent save or submission of the same invitation, then
        # see its outcome. (SQLite serialises writers with BEGIN IMMEDIATE anyway.)
        query = query.with_for_update().execution_options(populate_existing=True)
    invitation = session.scalars(query).one_or_none()
    if invitation is None:
        raise NotAnswerable(LinkCheck(LinkState.UNKNOWN))
    check = _check(invitation, now)
    if check.state is LinkState.USED:
        raise AlreadySubmitted()
    if check.state is not LinkState.OK:
        raise NotAnswerable(check)
    return invitation, check


def _questionnaire(invitation: Invitation, campaign: Campaign, draft: SurveyDraft | None,
                   language: str | None) -> Questionnaire:
    definition = definition_of(campaign.survey_version)
    answers = dict(draft.answers) if draft else {}
    shown = [i for i, s in enumerate(definition.sections) if s.is_shown(answers)]
    index = draft.page if draft else 0
    if index not in shown:
        index = next((i for i in shown if i >= index), shown[-1])
    wanted = language or (draft.language if draft else None) or invitation.language
    subject = invitation.subject_account or invitation.subject_person
    languages = offered_languages(campaign, definition.languages)
    return Questionnaire(
        definition=definition, invitation_id=invitation.id, languages=languages,
        language=pick_language(wanted, languages),
        subject_name=subject.name if subject else "", rater_group=invitation.rater_group,
        anonymous=campaign.anonymous, answers=answers, section_index=index, shown=shown,
    )


class Action(enum.StrEnum):
    NEXT = "next"
    BACK = "back"
    SUBMIT = "submit"


@dataclass(frozen=True)
class PageOutcome:
    submitted: bool
    section_index: int | None = None  # the page to show next, when not submitted


def answer_page(session: Session, invitation_id: int, section_id: str,
                values: Mapping[str, Any], action: Action, now: dt.datetime,
                language: str | None = None) -> PageOutcome:
    """Save one page (``NEXT``/``SUBMIT``) or step back (``BACK``, nothing saved).

    ``section_id`` is the page the form was made for: a form from another tab or an old
    page is not applied to the current one (``PageOutcome`` then points at the current
    page). Raises ``InvalidAnswers`` for values the form would not have sent,
    ``AlreadySubmitted`` and ``NotAnswerable``.

    Saves of one invitation are serialised: the invitation's row is locked first and the
    draft read afresh, so of two requests for the same page (a double click on "next") the
    second finds the page saved and moves on to the current one, instead of creating a
    second draft.
    """
    invitation, _ = _answerable(session, invitation_id, now, lock=True)
    campaign = invitation.campaign
    draft = session.get(SurveyDraft, invitation.id, populate_existing=True)
    current = _questionnaire(invitation, campaign, draft, language)
    if current.section.id != section_id:
        return PageOutcome(False, current.section_index)
    if draft is None:
        draft = SurveyDraft(invitation_id=invitation.id, answers={}, page=0)
        session.add(draft)
    if action is Action.BACK:
        earlier = [i for i in current.shown if i < current.section_index]
        draft.page = earlier[-1] if earlier else current.section_index
        draft.language = current.language
        draft.updated_at = now
        return PageOutcome(False, draft.page)
    page_items = {i for q in current.section.questions for i in q.answer_items()}
    clean = check_page(current.section, values, current.earlier_answers())
    answers = {k: v for k, v in current.answers.items() if k not in page_items}
    answers.update(clean)
    answers = shown_answers(current.definition, answers)
    shown = [i for i, s in enumerate(current.definition.sections) if s.is_shown(answers)]
    later = [i for i in shown if i > current.section_index]
    draft.answers, draft.language, draft.updated_at = answers, current.language, now
    if invitation.status is not InvitationStatus.STARTED:
        invitation.status = InvitationStatus.STARTED
    if later:
        draft.page = later[0]
        return PageOutcome(False, draft.page)
    missing = first_incomplete_section(current.definition, answers)
    if missing is not None:
        draft.page = missing
        return PageOutcome(False, missing)
    if action is not Action.SUBMIT:
        draft.page = current.section_index
        return PageOutcome(False, draft.page)
    _submit(session, invitation, campaign, current.definition, answers, now,
            whole_seconds(draft.started_at, now))
    return PageOutcome(True)


def _submit(session: Session, invitation: Invitation, campaign: Campaign,
            definition: SurveyDefinition, answers: Mapping[str, Any], now: dt.datetime,
            duration: int | None) -> None:
    rows = answer_rows(definition, answers)
    quality = flags_for(session, campaign, definition, invitation.subject_account_id,
                        invitation.subject_person_id, answers, rows, duration)
    response = SurveyResponse(
        campaign_id=campaign.id, subject_type=invitation.subject_type,
        subject_account_id=invitation.subject_account_id,
        subject_person_id=invitation.subject_person_id, rater_group=invitation.rater_group,
        anonymous=campaign.anonymous,
        submitted_on=now.astimezone(ZoneInfo(campaign.timezone)).date(),
        invitation_id=None if campaign.anonymous else invitation.id,
        **quality.columns(campaign.exclude_speeders),
    )
    response.answers = [SurveyAnswer(item=item, number=number, text=text)
                        for item, number, text in rows]
    session.add(response)
    session.add(SurveySubmission(invitation_id=invitation.id))
    session.execute(delete(SurveyDraft).where(SurveyDraft.invitation_id == invitation.id))
    invitation.status = InvitationStatus.SUBMITTED
    session.flush()
