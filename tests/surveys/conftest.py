"""Fixtures of the survey tests (owned by the surveys capability; add yours below)."""

from __future__ import annotations

import pytest
from survey_org import OPENS, Org, customer_spec, seed_org

from kamscore.mail.sending import MemoryMailer
from kamscore.surveys.campaigns import create_campaign, open_campaign


@pytest.fixture
def org(session) -> Org:
    """A small organisation (see survey_org.seed_org), committed."""
    return seed_org(session)


@pytest.fixture
def open_customer_campaign(session, org):
    """The shipped customer survey, open, for both accounts."""
    campaign = create_campaign(session, customer_spec())
    open_campaign(session, campaign.code, OPENS)
    session.commit()
    return campaign


@pytest.fixture
def mailer() -> MemoryMailer:
    return MemoryMailer("surveys@corp.example")
