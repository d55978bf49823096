"""Every page of every bundled survey (and of a test survey with every question type) on a
360 px wide phone, in English and Traditional Chinese, and the pages around them (thanks,
used link, opt-out, unknown link): nothing makes the page scroll sideways, no box's content is
wider than the box, and axe-core finds no violation at all — with and without error messages.
Matrix questions become one question (a fieldset with its legend) per row. The machine's
Chromium through Playwright (``loopback_page``)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest
from axe_playwright_python.sync_playwright import Axe
from live_server import real_app, werkzeug_server
from playwright.sync_api import Page, expect
from sqlalchemy import select
from survey_org import live_campaign

from kamscore.content.bundled import bundled_dir
from kamscore.demo.survey_answers import page_answers
from kamscore.models import Invitation
from kamscore.surveys.answering import Action, answer_page, questionnaire
from kamscore.surveys.definition import QUESTION_TYPES, load_definition_file
from kamscore.surveys.tokens import issue_token

pytestmark = pytest.mark.browser

PHONE_WIDTH = 360
BUNDLED = sorted(bundled_dir("surveys").glob("*.yaml"))
#: Every question type, long words and long labels (the bundled surveys have no multiple
#: choice, no single-line text, no 1-7 rating with "not applicable").
EVERY_TYPE = Path(__file__).with_name("definitions") / "every_question_type.yaml"
WALKED = [*BUNDLED, EVERY_TYPE]
#: Who answers each bundled survey in the test organisation (survey_org.seed_org).
RESPONDENT = {"customer": "stakeholder", "internal_360": "person:P01"}


def violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


#: Boxes in the page's content whose own content is wider than they are (a word or a label
#: that does not fit): still inside the screen here, but over it on a narrower phone or with
#: a wider font.
OVERFLOWING = """() => Array.from(document.querySelectorAll('main *'))
  .filter(e => getComputedStyle(e).display !== 'inline' && e.scrollWidth > e.clientWidth + 1
               && getComputedStyle(e).overflowX === 'visible')
  .map(e => `${e.tagName.toLowerCase()}.${e.className} ${e.scrollWidth} > ${e.clientWidth}`)"""


def check(page: Page, where: str) -> None:
    assert scroll_width(page) <= PHONE_WIDTH, f"{where}: {scroll_width(page)} px wide"
    assert page.evaluate(OVERFLOWING) == [], where
    assert violations(page) == [], where


def invitation_of(session, campaign, kind: str) -> Invitation:
    query = select(Invitation).where(Invitation.campaign_id == campaign.id)
    who = RESPONDENT[kind]
    query = (query.where(Invitation.stakeholder_id.is_not(None)) if who == "stakeholder"
             else query.where(Invitation.respondent_key == who))
    return session.scalars(query.order_by(Invitation.id)).first()


@pytest.mark.parametrize("path", WALKED, ids=[p.stem for p in WALKED])
def test_every_page_fits_a_360px_phone_without_accessibility_violations(
        loopback_page, session, org, database_url, tmp_path, path):
    page, foreign = loopback_page
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    definition = load_definition_file(path)
    campaign = live_campaign(session, survey=str(path), code=f"PHONE-{path.stem}"[:40])
    invitation = invitation_of(session, campaign, definition.kind)
    invitation_id = invitation.id
    rng = np.random.default_rng(1)
    seen_types: set[str] = set()
    app = real_app(database_url, tmp_path / "instance")
    with werkzeug_server(app) as base:
        # one link; the respondent reads the first half in English, the rest in Chinese
        token = issue_token(session, session.get(Invitation, invitation_id))
        session.commit()
        page.goto(f"{base}/s/{token}")
        url = page.url
        assert re.search(r"/survey/\d+$", url)

        # the first page sent empty: error summary and messages must fit too
        check(page, "first page")
        page.locator("button.primary").click()  # every walked survey asks something first
        expect(page.locator(".error-summary")).to_be_visible()
        check(page, "first page with errors")

        for number in range(len(definition.sections)):
            now = dt.datetime.now(dt.UTC)
            current = questionnaire(session, invitation_id, now)
            session.rollback()  # SQLite: no transaction held while the server answers
            language = "en" if number < len(definition.sections) / 2 else "zh-Hant"
            page.goto(f"{url}?lang={language}")
            assert page.locator("html").get_attribute("lang") == language
            where = f"{definition.key} page {current.page_number} ({language})"
            check(page, where)
            for question in current.section.shown_questions(current.earlier_answers()):
                seen_types.add(question.type)
                if question.type == "matrix":  # one fieldset with its legend per row
                    rows = page.locator(f"#q-{question.id} fieldset.item")
                    assert rows.count() == len(question.items)
                    assert rows.locator("> legend").count() == len(question.items)
            values = page_answers(current.section, current.earlier_answers(), 0.0, language,
                                  rng)
            action = Action.SUBMIT if current.is_last else Action.NEXT
            answer_page(session, invitation_id, current.section.id, values, action, now,
                        language=language)
            session.commit()
            if current.is_last:
                break

        # the pages around the questionnaire: thanks, the used link, opting out, a bad link
        page.goto(url)
        check(page, "thanks")
        page.goto(f"{base}/s/{token}")
        check(page, "already answered")
        other = session.scalars(select(Invitation).where(
            Invitation.campaign_id == campaign.id, Invitation.id != invitation_id)).first()
        other_token = issue_token(session, other)
        session.commit()
        page.goto(f"{base}/s/{other_token}/opt-out")
        check(page, "opt-out")
        page.locator("button.primary").click()
        expect(page.locator(".message")).to_be_visible()
        check(page, "opted out")
        page.goto(f"{base}/s/{'x' * 43}")
        check(page, "unknown link")
    assert foreign == []
    used = {q.type for q in definition.questions()}
    assert used <= seen_types, f"not shown: {used - seen_types}"
    assert used <= set(QUESTION_TYPES)


def test_the_walk_covers_every_question_type():
    used = {q.type for path in WALKED for q in load_definition_file(path).questions()}
    assert used == set(QUESTION_TYPES)
    assert {q.type for q in load_definition_file(EVERY_TYPE).questions()} == set(QUESTION_TYPES)
