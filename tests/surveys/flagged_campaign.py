"""A closed customer campaign with flagged responses (the response-quality tests)."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from results_org import DURING, close, invitations_of, open_new_campaign, respond, seed_results_org

from kamscore.surveys.answering import open_questionnaire

SEQUENCE = [1, 2, 3, 4, 5, 4, 3]  # no period shorter than 7: seven different respondents


def varied(i: int):
    return lambda item: SEQUENCE[(i + len(item)) % 7]


def answer(session, invitation, level, seconds: int) -> None:
    open_questionnaire(session, invitation.id, DURING - dt.timedelta(seconds=seconds))
    session.commit()
    respond(session, invitation, level, now=DURING)


@pytest.fixture
def flagged(session):
    """A closed customer campaign: A001 has 7 responses (2 speeders, 1 straight-liner),
    A002 has 2 (under the minimum of 3)."""
    seed_results_org(session)
    campaign = open_new_campaign(session, "CS-Q", "customer_satisfaction")
    a001 = invitations_of(session, campaign, subject_key="account:A001")
    a002 = invitations_of(session, campaign, subject_key="account:A002")
    for i, invitation in enumerate(a001):
        if i < 2:
            answer(session, invitation, varied(i), seconds=5)
        elif i == 2:
            answer(session, invitation, 1, seconds=600)  # one value everywhere
        else:
            answer(session, invitation, varied(i), seconds=600)
    for i, invitation in enumerate(a002):
        answer(session, invitation, varied(i), seconds=5)
    close(session, campaign)
    return campaign


#: A plan paying on CSAT alone (at least 3 responses), for the score runs of these tests.
CSAT_PLAN = textwrap.dedent("""\
    name: csat_plan
    version: 1
    title: CSAT plan
    period: quarter
    currency: EUR
    rounding: {step: 0.01, mode: half_even}
    eligibility: {roles: [kam], min_days: 30, prorate: true}
    target_incentive: {amount: 1000}
    components:
      - id: csat
        title: Customer satisfaction
        metric: csat
        weight: 100
        params: {min_responses: 3}
        missing: zero
        curve:
          points:
            - {at: 0%, pays: 0, label: threshold}
            - {at: 100%, pays: 100%, label: target}
    """)
