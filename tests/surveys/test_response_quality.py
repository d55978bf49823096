"""Response-quality flags computed at submission (speeder, straight-liner, duplicate) and
stored with the response: only whole seconds, never a clock time."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from survey_org import NOW

from kamscore.models import Invitation, SurveyDraft, SurveyResponse
from kamscore.surveys.answering import Action, answer_page, open_questionnaire
from kamscore.surveys.answering_batch import CompletedQuestionnaire, submit_completed
from kamscore.surveys.answers import InvalidAnswers
from kamscore.surveys.catalog import definition_of, find_definition, search_dirs
from kamscore.surveys.definition import load_definition_file
from kamscore.surveys.response_quality import (
    MEDIAN_FROM,
    digest,
    is_speeder,
    median_of,
    straight_lined,
    whole_seconds,
)

RELATIONSHIP = ("trust", "understanding", "responsiveness", "communication", "partnership")


def answers(overall: int = 4, relationship: tuple[int | str, ...] = (5, 4, 3, 4, 2),
            improve: str = "Faster answers") -> dict:
    found = {"overall_satisfaction": overall, "nps": 5,
             "contact_frequency": "monthly", "services.medical_information": 4,
             "services.education": "na", "commitments_kept": "yes", "improve": improve}
    found.update({f"relationship.{row}": value
                  for row, value in zip(RELATIONSHIP, relationship, strict=True)})
    return found


def pages(values: dict) -> list[tuple[str, dict]]:
    sections = {"overall": ("overall_satisfaction", "nps"),
                "relationship": tuple(f"relationship.{r}" for r in RELATIONSHIP),
                "value": ("contact_frequency", "services.medical_information",
                          "services.education", "commitments_kept"),
                "comments": ("improve",)}
    return [(section, {k: values[k] for k in keys if k in values})
            for section, keys in sections.items()]


def invitations_of(session, campaign, account: str | None = None) -> list[Invitation]:
    query = select(Invitation).where(Invitation.campaign_id == campaign.id)
    if account:
        query = query.where(Invitation.subject_key == f"account:{account}")
    return list(session.scalars(query.order_by(Invitation.id)))


def answer_in_browser(session, invitation, values: dict, opened: dt.datetime,
                      submitted: dt.datetime) -> SurveyResponse:
    before = set(session.scalars(select(SurveyResponse.id)))
    open_questionnaire(session, invitation.id, opened)
    session.flush()
    steps = pages(values)
    for section, page in steps[:-1]:
        answer_page(session, invitation.id, section, page, Action.NEXT, opened)
    answer_page(session, invitation.id, steps[-1][0], steps[-1][1], Action.SUBMIT, submitted)
    session.commit()
    (response,) = session.scalars(select(SurveyResponse)
                                  .where(SurveyResponse.id.not_in(before))).all()
    return response


# -- pure rules ---------------------------------------------------------------------------

def test_straight_lining_needs_one_value_on_every_item_of_a_five_item_matrix():
    definition = definition_of_customer()
    assert straight_lined(definition, answers(relationship=(3, 3, 3, 3, 3)))
    assert not straight_lined(definition, answers(relationship=(3, 3, 3, 3, 4)))
    # "not applicable" on one row is not the same value on every item
    assert not straight_lined(definition, answers(relationship=(3, 3, 3, 3, "na")))
    # the two-item services matrix is too small to say anything
    two = answers()
    two["services.education"] = 4
    assert not straight_lined(definition, two)


def test_speeders_by_the_minimum_and_by_a_third_of_the_median():
    assert is_speeder(29, None, 30)
    assert not is_speeder(30, None, 30)
    assert is_speeder(99, 300.0, 30)  # under 100 = a third of 300
    assert not is_speeder(100, 300.0, 30)
    assert not is_speeder(None, 300.0, 30)  # unknown time: never a speeder
    assert median_of([10] * (MEDIAN_FROM - 1)) is None
    assert median_of([100, 200, 300, 400, 500]) == 300


def test_whole_seconds_round_down_and_never_go_negative():
    start = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    assert whole_seconds(start, start + dt.timedelta(seconds=59, milliseconds=999)) == 59
    assert whole_seconds(start, start - dt.timedelta(seconds=5)) == 0
    assert whole_seconds(None, start) is None


def test_the_digest_covers_free_text_and_not_row_order():
    rows = [("a", 1.0, None), ("b", None, "text")]
    assert digest(rows) == digest(list(reversed(rows)))
    assert digest(rows) != digest([("a", 1.0, None), ("b", None, "other text")])


def definition_of_customer():
    return load_definition_file(find_definition("customer_satisfaction", search_dirs()))


# -- in the answering pages ------------------------------------------------------------------

def test_a_response_keeps_whole_seconds_and_its_flags_and_no_clock_time(
        session, open_customer_campaign):
    first, second = invitations_of(session, open_customer_campaign, "A001")[:2]
    quick = answer_in_browser(session, first, answers(relationship=(4,) * 5), NOW,
                              NOW + dt.timedelta(seconds=12, milliseconds=700))
    assert (quick.duration_seconds, quick.speeder, quick.straight_liner, quick.duplicate) == (
        12, True, True, False)
    assert quick.excluded_for is None  # the campaign does not exclude speeders
    # the instant he started lived on the draft only, and the draft is gone
    assert session.get(SurveyDraft, first.id) is None
    clock_columns = [c.name for c in SurveyResponse.__table__.columns
                     if c.type.python_type in (dt.datetime, dt.time)]
    assert clock_columns == []

    same = answer_in_browser(session, second, answers(relationship=(4,) * 5), NOW,
                             NOW + dt.timedelta(minutes=6))
    assert (same.duration_seconds, same.speeder, same.duplicate) == (360, False, True)


def test_opening_again_keeps_the_first_instant(session, open_customer_campaign):
    invitation = invitations_of(session, open_customer_campaign, "A001")[0]
    open_questionnaire(session, invitation.id, NOW)
    session.commit()
    answer_page(session, invitation.id, "overall", {"overall_satisfaction": 4, "nps": 5},
                Action.NEXT, NOW + dt.timedelta(minutes=1))
    open_questionnaire(session, invitation.id, NOW + dt.timedelta(minutes=5))
    session.commit()
    assert session.get(SurveyDraft, invitation.id).started_at == NOW


def test_a_campaign_that_excludes_speeders_excludes_them_at_submission(
        session, open_customer_campaign):
    open_customer_campaign.exclude_speeders = True
    session.commit()
    invitation = invitations_of(session, open_customer_campaign, "A001")[0]
    response = answer_in_browser(session, invitation, answers(), NOW,
                                 NOW + dt.timedelta(seconds=5))
    assert (response.speeder, response.excluded_for) == (True, "speeder")
    assert "automatically" in response.excluded_reason


# -- in batches ---------------------------------------------------------------------------

def test_a_batch_flags_as_the_pages_do_with_the_median_of_the_campaign(
        session, open_customer_campaign):
    a001 = invitations_of(session, open_customer_campaign, "A001")
    a002 = invitations_of(session, open_customer_campaign, "A002")
    assert len(a001) == 3 and len(a002) >= 2
    invited = a001 + a002[:2]
    durations = [600, 620, 640, 660, 150]  # 150 < a third of the median (620)
    given = [answers(overall=1 + i, improve=f"text {i}") for i in range(5)]
    given[1] = dict(given[0])  # the same answers about A001: a duplicate
    given[4] = dict(given[0])  # the same answers about another account: not one
    submit_completed(session, [
        CompletedQuestionnaire(inv.id, given[i], NOW, duration_seconds=durations[i])
        for i, inv in enumerate(invited)])
    session.commit()
    flags = {r.duration_seconds: (r.speeder, r.duplicate)
             for r in session.scalars(select(SurveyResponse))}
    assert [d for d, (speeder, _) in sorted(flags.items()) if speeder] == [150]
    assert [d for d, (_, duplicate) in sorted(flags.items()) if duplicate] in ([600], [620])


def test_a_negative_duration_in_a_batch_writes_nothing(session, open_customer_campaign):
    invitation = invitations_of(session, open_customer_campaign)[0]
    with pytest.raises(InvalidAnswers, match="duration_seconds"):
        submit_completed(session, [CompletedQuestionnaire(invitation.id, answers(), NOW,
                                                          duration_seconds=-1)])
    session.rollback()
    assert session.scalars(select(SurveyResponse)).all() == []


def test_definition_of_the_campaign_has_the_five_item_matrix(session, open_customer_campaign):
    definition = definition_of(open_customer_campaign.survey_version)
    assert straight_lined(definition, answers(relationship=(2,) * 5))
