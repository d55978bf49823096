"""20 concurrent submissions of the same invitation through gunicorn store one response."""

from __future__ import annotations

import threading
import urllib.parse

import pytest
from live_server import Browser, gunicorn_server
from sqlalchemy import func, select
from survey_org import CUSTOMER_PAGES, live_campaign, token_for

from kamscore.models import SurveyAnswer, SurveyResponse, SurveySubmission

# gunicorn under twenty concurrent requests: never beside the other server tests
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]
CONCURRENT = 20
TIMEOUT = 60  # seconds: bounded waits, a stuck server fails the test


def test_twenty_concurrent_submits_store_exactly_one_response(session, org, database_url,
                                                              tmp_path):
    campaign = live_campaign(session)
    token = token_for(session, campaign, email="ann@stmary.example")
    with gunicorn_server(database_url, tmp_path / "instance", workers=2, threads=10) as base:
        first = Browser(base)
        status, url, html = first.get(f"/s/{token}")
        assert status == 200 and token not in url
        path = urllib.parse.urlparse(url).path
        for values in CUSTOMER_PAGES[:-1]:
            status, url, html = first.post(path, {**Browser.form_fields(html), **values,
                                                  "action": "next"})
            assert status == 200, html
        assert "Page 4 of 4" in html

        # 20 browsers holding the same link, all on the last page, submit at once
        browsers = [Browser(base) for _ in range(CONCURRENT)]
        pages = []
        for browser in browsers:
            status, _, html = browser.get(f"/s/{token}")
            assert status == 200 and "Page 4 of 4" in html
            pages.append(Browser.form_fields(html))
        barrier = threading.Barrier(CONCURRENT)
        outcomes: list[tuple[int, str, str]] = []
        lock = threading.Lock()

        def submit(browser: Browser, fields: dict[str, str]) -> None:
            barrier.wait(timeout=TIMEOUT)
            outcome = browser.post(path, {**fields, **CUSTOMER_PAGES[-1], "action": "submit"})
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=submit, args=pair)
                   for pair in zip(browsers, pages, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=2 * TIMEOUT)
        assert len(outcomes) == CONCURRENT
        # nobody gets a server error; everyone ends on the thank-you page or is told the
        # link was used
        assert all(status in (200, 410) for status, _, _ in outcomes), [o[:2] for o in outcomes]
        assert all("Thank you" in html or "already been answered" in html
                   for _, _, html in outcomes)
        status, _, html = Browser(base).get(f"/s/{token}")
        assert status == 410 and "already been answered" in html

    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    assert session.scalar(select(func.count()).select_from(SurveySubmission)) == 1
    response = session.scalars(select(SurveyResponse)).one()
    assert session.scalar(select(func.count()).select_from(SurveyAnswer).where(
        SurveyAnswer.response_id == response.id)) == len(response.answers) > 10
