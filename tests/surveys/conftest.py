"""Fixtures of the survey tests (owned by the surveys capability; add yours below)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flagged_campaign import flagged  # noqa: F401 - a closed campaign with flagged responses
from sent_mail import memory_mailer
from smtp_server import SmtpServer, running_smtp_server
from survey_org import OPENS, Org, customer_spec, seed_org

from kamscore.mail.sending import Mailer
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
def mailer() -> Mailer:
    return memory_mailer("surveys@corp.example")


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[SmtpServer]:
    """A small SMTP server on loopback (smtp_server.py)."""
    with running_smtp_server() as server:
        yield server
