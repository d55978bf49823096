"""Two web hosts, one PostgreSQL database (docs/operations.md, "Several web hosts").

Two gunicorn instances, each with two worker processes and an instance folder of its own
holding the same ``config.py`` and the same ``secret_key`` — as two machines behind a load
balancer would have — serve one PostgreSQL database. A respondent's session cookie and CSRF
token signed by one are accepted by the other; one invitation submitted through both at once
is stored once; and guessed survey links are counted across both, so the 429 comes after the
configured number of misses in all, not per host.
"""

from __future__ import annotations

import secrets
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from gunicorn_process import serving
from live_server import Browser
from sqlalchemy import func, select
from survey_org import CUSTOMER_PAGES, live_campaign, token_for

from kamscore.models import SurveyAnswer, SurveyResponse, SurveySubmission, ThrottleCount

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers"),
              pytest.mark.parametrize("backend", ["postgresql"], indirect=True)]

WORKERS = 2  # per host
THREADS = 4  # per worker
ATTEMPTS = 6  # concurrent submissions per host
MISS_LIMIT = 6  # SURVEY_LINK_MISS_LIMIT of both hosts
TIMEOUT = 60  # seconds: bounded waits, a stuck server fails the test
SECRET_KEY = secrets.token_hex(32)

#: The instance folder's config.py, identical on both hosts.
HOST_CONFIG = """\
DATABASE_URL = {url!r}
MAIL_BACKEND = "memory"
SURVEY_LINK_MISS_LIMIT = {limit}
"""


def _instance_folder(path: Path, database_url: str) -> dict[str, str]:
    """One host's instance folder (settings and secret key); the environment naming it."""
    path.mkdir()
    (path / "config.py").write_text(HOST_CONFIG.format(url=database_url, limit=MISS_LIMIT))
    (path / "secret_key").write_text(SECRET_KEY + "\n")
    return {"KAMSCORE_INSTANCE_PATH": str(path)}


@pytest.fixture
def two_hosts(database_url, tmp_path) -> Iterator[tuple[str, str]]:
    """The base URLs of two gunicorn instances on one PostgreSQL database."""
    with ExitStack() as stack:
        a, b = (stack.enter_context(serving(_instance_folder(tmp_path / name, database_url),
                                            workers=WORKERS, threads=THREADS))
                for name in ("host_a", "host_b"))
        yield a, b


def test_one_invitation_submitted_through_both_hosts_is_stored_once(session, org, two_hosts):
    a, b = two_hosts
    campaign = live_campaign(session)
    token = token_for(session, campaign, email="ann@stmary.example")

    # one respondent whose requests the load balancer sends to either host: the session
    # cookie and the CSRF token one host signed are good on the other
    respondent = Browser(a)
    status, url, html = respondent.get(f"/s/{token}")
    assert status == 200 and "Page 1 of 4" in html
    path = urllib.parse.urlparse(url).path
    for page, values in enumerate(CUSTOMER_PAGES[:-1], start=1):
        respondent.base = (a, b)[page % 2]  # page 1 posted to B, page 2 to A, page 3 to B
        status, _, html = respondent.post(path, {**Browser.form_fields(html), **values,
                                                 "action": "next"})
        assert status == 200 and f"Page {page + 1} of 4" in html, html

    # the same link open in ATTEMPTS browsers on each host, all submitting at once
    browsers = [Browser(base) for base in (a, b) for _ in range(ATTEMPTS)]
    forms = []
    for browser in browsers:
        status, _, html = browser.get(f"/s/{token}")
        assert status == 200 and "Page 4 of 4" in html
        forms.append(Browser.form_fields(html))
    barrier = threading.Barrier(len(browsers))
    outcomes: dict[int, tuple[int, str, str]] = {}

    def submit(index: int) -> None:
        barrier.wait(timeout=TIMEOUT)
        outcomes[index] = browsers[index].post(
            path, {**forms[index], **CUSTOMER_PAGES[-1], "action": "submit"})

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * TIMEOUT)
    assert len(outcomes) == len(browsers)
    # What the app answers today: the submission that won, and any that came after it, end
    # on the thank-you page; one that raced it inside the database is told the link was used.
    # Nobody gets a server error.
    for status, url, html in outcomes.values():
        assert (status == 200 and url.endswith("/thanks") and "Thank you" in html) or (
            status == 410 and "already been answered" in html), (status, url)
    assert any(status == 200 for status, _, _ in outcomes.values())  # the one that won
    for base in (a, b):
        status, _, html = Browser(base).get(f"/s/{token}")
        assert status == 410 and "already been answered" in html

    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SurveySubmission)) == 1
    response = session.scalars(select(SurveyResponse)).one()
    assert session.scalar(select(func.count()).select_from(SurveyAnswer).where(
        SurveyAnswer.response_id == response.id)) == len(response.answers) > 10


def test_guessed_links_are_counted_across_both_hosts(session, org, two_hosts):
    a, b = two_hosts
    campaign = live_campaign(session)
    token = token_for(session, campaign, email="ann@stmary.example")
    for base in (a, b):
        status, _, _ = Browser(base).get(f"/s/{token}")
        assert status == 200  # the link works on both hosts

    # MISS_LIMIT guesses, alternately on A and B: neither host alone sees the limit
    statuses = [Browser((a, b)[i % 2]).get(f"/s/{secrets.token_urlsafe(32)}")[0]
                for i in range(MISS_LIMIT)]
    assert statuses == [404] * (MISS_LIMIT - 1) + [429]
    for base in (a, b):  # from now on both refuse this client, even its valid link
        status, _, _ = Browser(base).get(f"/s/{token}")
        assert status == 429
        status, _, _ = Browser(base).get(f"/s/{secrets.token_urlsafe(32)}")
        assert status == 429

    # one client, counted in one place: both hosts derive the same client key (same secret);
    # a refused request is not counted again
    counts = session.execute(select(ThrottleCount.key, func.sum(ThrottleCount.hits))
                             .where(ThrottleCount.throttle == "survey_link")
                             .group_by(ThrottleCount.key)).all()
    assert [count for _, count in counts] == [MISS_LIMIT]
