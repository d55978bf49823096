"""The demo KAM reads his pages in Traditional Chinese (issue 20), in the machine's Chromium,
on a 360 px phone and on a desktop, as production serves them (CSRF on): his scorecard, his
plan (which he acknowledges with his password, on the phone), his targets and a statement.
His browser asks for English; his own setting (zh-Hant) decides. Headings are Chinese, dates
read as Taiwan writes them (2026年12月6日) and amounts keep their currency; axe-core finds no
violation, nothing scrolls sideways, the console logs no error, nothing is loaded from
elsewhere. The screenshots docs/images/zh-kam-*.png are taken here."""

from __future__ import annotations

import re

import pytest
from browser_steps import DESKTOP, PHONE, check, console_errors, docs_image, loopback_only
from browser_steps import sign_in as sign_in_through_form
from playwright.sync_api import expect
from served_app import served
from sqlalchemy import select, update

from kamscore.demo import DEMO_PASSWORD
from kamscore.models import Period, PlanAcknowledgment, TargetRound, User

pytestmark = pytest.mark.browser

DEMO = ["demo", "--no-serve", "--size", "0.2", "--year", "2025"]
#: a date as Taiwan writes it, e.g. 2026年12月6日
TAIWAN_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


def _heading(page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


@pytest.mark.parametrize(("device", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_demo_kam_reads_his_pages_in_traditional_chinese(chromium, runner, session,
                                                             database_url, tmp_path, device,
                                                             name):
    result = runner.invoke(args=DEMO)
    assert result.exit_code == 0, result.output
    session.execute(update(User).where(User.username == "kam").values(language="zh-Hant"))
    session.commit()
    round_code = session.scalar(select(TargetRound.code))
    session.rollback()  # SQLite: hold no lock while the served app writes
    suffix = "" if device is PHONE else "-desktop"

    with served(database_url, str(tmp_path / "instance")) as base:
        context = chromium.new_context(**device, locale="en-GB")
        page = context.new_page()
        foreign = loopback_only(page)
        errors = console_errors(page)
        sign_in_through_form(page, base, "kam", DEMO_PASSWORD, "/me/scorecard")
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")

        # his scorecard: the estimate of the open quarter and his statements
        _heading(page, "我的計分卡")
        expect(page.get_by_role("heading", name="本期至今")).to_be_visible()
        expect(page.get_by_role("heading", name="歷期表現")).to_be_visible()
        expect(page.locator(".estimate__badge").first).to_have_text("估算")
        expect(page.locator("p.big").first).to_contain_text("€")
        history = page.get_by_role("table", name="您的各期獎金明細")
        expect(history).to_contain_text("已發放")
        check(page, errors)
        page.screenshot(path=docs_image(f"zh-kam-scorecard{suffix}.png"), full_page=True)
        statement = history.get_by_role("link").first.get_attribute("href")

        # his plan in plain words, in Chinese, with Taiwan dates; he acknowledges it
        page.goto(base + "/plans/mine")
        _heading(page, "我的獎勵方案")
        waiting = page.get_by_role("table", name="您的方案及確認狀態").locator("tr").filter(
            has_text="尚未確認")
        waiting.first.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("的獎勵方案")
        version_id, period = page.url.rstrip("/").rsplit("/", 2)[1:]
        document = page.locator(".plan-document")
        for heading in ("適用對象", "您的目標獎金", "方案的獎勵項目", "上限與進位"):
            expect(document).to_contain_text(heading)
        assert TAIWAN_DATE.search(document.inner_text())
        shown = document.inner_text()
        check(page, errors)
        page.get_by_label("您的密碼").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="確認我的獎勵方案").click()
        expect(page.locator(".flashes")).to_contain_text("您的方案已確認")
        notice = page.locator("p.notice")
        expect(notice).to_contain_text("您已於")
        assert TAIWAN_DATE.search(notice.inner_text())
        check(page, errors)
        page.screenshot(path=docs_image(f"zh-kam-plan{suffix}.png"), full_page=True)
        kept = session.scalar(select(PlanAcknowledgment.document).join(Period).where(
            Period.code == period, PlanAcknowledgment.ruleset_version_id == int(version_id),
            PlanAcknowledgment.acknowledged_by == "kam"))
        session.rollback()
        assert kept.strip() == shown.strip()  # the zh-Hant text he was shown is kept

        # his targets: the open round, its deadline as a Taiwan date
        page.goto(base + "/targets/mine/")
        _heading(page, "我的目標")
        entry = page.locator("main li").first
        expect(entry).to_contain_text("提案截止")
        assert TAIWAN_DATE.search(entry.inner_text())
        check(page, errors)
        page.goto(f"{base}/targets/mine/{round_code}")
        expect(page.get_by_role("heading", name="您過去各期").first).to_be_visible()
        expect(page.locator(".target-figures").first).to_contain_text("由上而下")
        expect(page.locator(".target-figures").first).to_contain_text("€")
        expect(page.locator("p.lead")).to_contain_text("由上而下提出。在")
        check(page, errors)
        page.screenshot(path=docs_image(f"zh-kam-targets{suffix}.png"), full_page=True)

        # a statement of his, from the scorecard (the page of the scoring pages)
        page.goto(base + statement)
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
        expect(page.get_by_role("navigation", name="主選單")).to_contain_text("我的計分卡")
        expect(page.locator("main")).to_contain_text("€")
        check(page, errors)
        page.screenshot(path=docs_image(f"zh-kam-statement{suffix}.png"), full_page=True)
        assert foreign == []
        context.close()
