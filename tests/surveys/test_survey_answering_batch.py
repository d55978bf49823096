"""Whole questionnaires submitted at once (``answering_batch``): the same checks and the same
stored result as answering page by page, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from survey_org import CLOSES, NOW, OPENS

from kamscore.models import (
    Invitation,
    InvitationStatus,
    SurveyDraft,
    SurveyResponse,
    SurveySubmission,
)
from kamscore.surveys.answering import (
    Action,
    AlreadySubmitted,
    LinkState,
    NotAnswerable,
    answer_page,
)
from kamscore.surveys.answering_batch import (
    CompletedQuestionnaire,
    complete_answers,
    submit_completed,
)
from kamscore.surveys.answers import InvalidAnswers
from kamscore.surveys.catalog import definition_of

#: The shipped customer survey answered completely, page by page (service values).
PAGES = [
    ("overall", {"overall_satisfaction": 4, "nps": 5}),
    ("relationship", {"relationship.trust": 5, "relationship.understanding": 4,
                      "relationship.responsiveness": 3, "relationship.communication": 4,
                      "relationship.partnership": 2}),
    ("value", {"contact_frequency": "monthly", "services.medical_information": 4,
               "services.education": "na", "commitments_kept": "yes"}),
    ("comments", {"improve": "Faster answers"}),
]
ANSWERS = {item: value for _, page in PAGES for item, value in page.items()}


def invitations(session, campaign) -> list[Invitation]:
    return list(session.scalars(select(Invitation).where(Invitation.campaign_id == campaign.id)
                                .order_by(Invitation.id)))


def stored(session, response: SurveyResponse) -> set[tuple]:
    return {(a.item, a.number, a.text) for a in response.answers}


def test_a_batch_stores_what_the_pages_store(session, open_customer_campaign):
    first, second, third = invitations(session, open_customer_campaign)[:3]
    for section, values in PAGES:
        action = Action.SUBMIT if section == "comments" else Action.NEXT
        answer_page(session, first.id, section, values, action, NOW)
    # the third respondent had begun in the browser: his draft goes when the batch submits
    answer_page(session, third.id, "overall", PAGES[0][1], Action.NEXT, NOW)
    assert submit_completed(session, [
        CompletedQuestionnaire(second.id, ANSWERS, NOW),
        CompletedQuestionnaire(third.id, ANSWERS, NOW + dt.timedelta(days=1)),
    ]) == 2
    session.commit()
    session.expire_all()

    responses = session.scalars(select(SurveyResponse)).all()
    assert len(responses) == 3
    assert len({frozenset(stored(session, r)) for r in responses}) == 1  # the same rows
    assert all(r.anonymous and r.invitation_id is None for r in responses)
    assert sorted(r.submitted_on for r in responses) == [dt.date(2026, 3, 10)] * 2 + [
        dt.date(2026, 3, 11)]
    assert {i.status for i in (first, second, third)} == {InvitationStatus.SUBMITTED}
    assert session.scalar(select(func.count()).select_from(SurveySubmission)) == 3
    assert session.scalars(select(SurveyDraft)).all() == []


@pytest.mark.parametrize(("change", "problem"), [
    ({"nps": 11}, "nps"),  # off the scale
    ({"overall_satisfaction": None}, "overall_satisfaction"),  # required, missing
    ({"nps": 10}, "improve"),  # "improve" is asked only of detractors (nps <= 6)
    ({"no_such_question": 1}, "no_such_question"),
    ({"contact_frequency": "hourly"}, "contact_frequency"),
])
def test_answers_no_page_would_take_are_refused(session, open_customer_campaign, change,
                                                problem):
    definition = definition_of(open_customer_campaign.survey_version)
    answers = {k: v for k, v in (ANSWERS | change).items() if v is not None}
    with pytest.raises(InvalidAnswers) as refused:
        complete_answers(definition, answers)
    assert problem in refused.value.problems
    good, bad = invitations(session, open_customer_campaign)[:2]
    with pytest.raises(InvalidAnswers):
        submit_completed(session, [CompletedQuestionnaire(good.id, ANSWERS, NOW),
                                   CompletedQuestionnaire(bad.id, answers, NOW)])
    session.rollback()
    assert session.scalars(select(SurveyResponse)).all() == []  # all or nothing


def test_only_answerable_invitations_are_submitted(session, open_customer_campaign):
    first, second = invitations(session, open_customer_campaign)[:2]
    for moment, state in ((OPENS - dt.timedelta(minutes=1), LinkState.NOT_OPEN),
                          (CLOSES, LinkState.CLOSED)):
        with pytest.raises(NotAnswerable) as refused:
            submit_completed(session, [CompletedQuestionnaire(first.id, ANSWERS, moment)])
        assert refused.value.check.state is state
    with pytest.raises(NotAnswerable):
        submit_completed(session, [CompletedQuestionnaire(10**9, ANSWERS, NOW)])
    with pytest.raises(AlreadySubmitted):  # the same invitation twice in one batch
        submit_completed(session, [CompletedQuestionnaire(first.id, ANSWERS, NOW)] * 2)

    submit_completed(session, [CompletedQuestionnaire(first.id, ANSWERS, NOW)])
    session.commit()
    with pytest.raises(AlreadySubmitted):
        submit_completed(session, [CompletedQuestionnaire(first.id, ANSWERS, NOW),
                                   CompletedQuestionnaire(second.id, ANSWERS, NOW)])
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
