"""The survey administrator's pages in Traditional Chinese (issue 20), in the machine's
Chromium on a desktop and a 360 px phone: the demo survey administrator ("surveys"), whose
language is zh-Hant and time zone Asia/Taipei, reads the campaign list, a campaign's manage
page and its response-quality page in Chinese — headings, survey titles from the survey
definitions, states, and dates written as Taiwan writes them (``2025年10月1日``). Every page:
axe-core finds no violation, nothing scrolls sideways, the console stays clean. The desktop
run takes the screenshot docs/translations.md shows (``zh-campaigns.png``)."""

from __future__ import annotations

import re

import pytest
from browser_steps import DESKTOP, PHONE, check, console_errors, docs_image, loopback_only
from browser_steps import sign_in as sign_in_through_form
from playwright.sync_api import expect
from served_app import served
from sqlalchemy import update

from kamscore.demo import DEMO_PASSWORD, DemoSpec, build_demo
from kamscore.models import User

pytestmark = pytest.mark.browser

#: a date as CLDR writes it for zh_Hant (Taiwan): year, month and day with their characters
TAIWAN_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_survey_admin_reads_his_campaign_pages_in_traditional_chinese(
        chromium, session, database_url, tmp_path, device):
    build_demo(session, DemoSpec(size=0.2, seed=42, year=2025))
    session.execute(update(User).where(User.username == "surveys")
                    .values(language="zh-Hant", timezone="Asia/Taipei"))
    session.commit()
    with served(database_url, str(tmp_path / "instance")) as base:
        context = chromium.new_context(**device, locale="en-GB")
        page = context.new_page()
        foreign = loopback_only(page)
        errors = console_errors(page)
        sign_in_through_form(page, base, "surveys", DEMO_PASSWORD, "/campaigns/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")

        # the list: Chinese headings, the survey's own Chinese title, states, Taiwan dates
        expect(page.get_by_role("heading", level=1)).to_have_text("調查活動")
        table = page.get_by_role("table", name="調查活動，最新的在前")
        expect(table.get_by_role("columnheader", name="回覆率")).to_be_visible()
        expect(table).to_contain_text("我們作為您的合作夥伴表現如何？")
        expect(table).to_contain_text("KAM的360度回饋")
        expect(table).to_contain_text("已關閉")
        assert TAIWAN_DATE.search(table.inner_text()), table.inner_text()[:300]
        assert "How are we doing" not in table.inner_text()
        check(page, errors)
        if device is DESKTOP:
            page.screenshot(path=docs_image("zh-campaigns.png"), full_page=True)

        # a campaign's manage page: its facts, steps and completion in Chinese
        page.get_by_role("link", name=re.compile("^管理")).first.click()
        page.wait_for_url(re.compile(r"/campaigns/manage/[^/]+$"))
        expect(page.get_by_role("heading", name="步驟", exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name="依評分者群組的完成率")).to_be_visible()
        facts = page.locator("dl.facts")
        expect(facts).to_contain_text("問卷")
        expect(facts).to_contain_text("已邀請")
        assert TAIWAN_DATE.search(facts.inner_text()), facts.inner_text()
        check(page, errors)

        # its response quality: the rules, the flags and the forms in Chinese
        page.get_by_role("link", name="回覆品質").click()
        page.wait_for_url(re.compile(r"/quality$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("回覆品質")
        expect(page.get_by_role("heading", name="排除被標記的回覆")).to_be_visible()
        expect(page.get_by_label("回覆對象")).to_contain_text("整個調查活動")
        expect(page.get_by_role("button", name="排除於計分之外")).to_be_visible()
        check(page, errors)
        assert foreign == []
