"""The comp team's console in Traditional Chinese (issue 20), in the machine's Chromium, on the
demo organisation as production serves it: the analyst, whose language is zh-Hant, runs
2025-Q4 from the browser and reads the run page and a statement in Chinese — headings, the
plan's own titles (``title: {en: …, zh-Hant: …}`` in rulesets/standard.yaml), dates as Taiwan
writes them (2026年12月6日) and the amounts of the run, to the cent.

Desktop and a 360 px phone; axe-core finds no violation, nothing scrolls sideways, the console
logs no error. The screenshots are those of docs/translations.md (docs/images/zh-console-*.png).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from babel.dates import format_datetime
from browser_steps import DESKTOP, PHONE, check, console_errors, sign_in
from playwright.sync_api import Page, expect
from served_app import served
from sqlalchemy import select, update

from kamscore.demo import DEMO_PASSWORD
from kamscore.models import ScoreLine, ScoreRun, User
from tests.browser_steps import docs_image

pytestmark = pytest.mark.browser


def new_page(chromium, device, base: str) -> tuple[Page, list[str]]:
    page = chromium.new_context(**device).new_page()
    errors = console_errors(page)
    sign_in(page, base, "analyst", DEMO_PASSWORD, "/scoring/")
    return page, errors


def taiwan_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def euros(amount: Decimal) -> str:
    return f"€{amount:,.2f}"


def test_the_analyst_runs_a_period_and_reads_it_in_traditional_chinese(
        chromium, demo, session, database_url, tmp_path):
    session.execute(update(User).where(User.username == "analyst").values(language="zh-Hant"))
    session.commit()
    with served(database_url, str(tmp_path / "instance"), TASK_QUEUE_IMMEDIATE=True) as base:
        page, errors = new_page(chromium, DESKTOP, base)
        expect(page.get_by_role("heading", level=1)).to_have_text("評分執行")
        check(page, errors)
        page.get_by_role("link", name="執行某一期").click()
        page.get_by_label("期間").select_option("2025-Q4")
        page.get_by_label("已發布的規則集").select_option("standard")
        expect(page.get_by_label("已發布的規則集")).to_contain_text(
            "standard 第 1 版：標準 KAM 方案")
        check(page, errors)
        page.get_by_role("button", name="執行本期").click()
        page.wait_for_url(re.compile(r"/scoring/runs/\d+$"))
        run_id = int(page.url.rsplit("/", 1)[1])

        session.rollback()
        run = session.get(ScoreRun, run_id)
        made = taiwan_day(run.created_at.date())
        # the part of the day as CLDR names it (上午, 下午, 晚上…), in UTC as the page shows it
        noon = format_datetime(run.created_at.replace(tzinfo=None), "B", tzinfo=dt.UTC,
                               locale="zh_Hant")
        total = Decimal(str(run.total_payout)).quantize(Decimal("0.01"))
        payout = Decimal(str(session.scalar(
            select(ScoreLine.payout).where(ScoreLine.run_id == run_id,
                                           ScoreLine.kam_code == "E00006")))).quantize(
            Decimal("0.01"))
        session.rollback()  # SQLite: hold no lock while the server answers

        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"第 {run_id} 次執行：standard v1，2025-Q4")
        for heading in ("您可以做什麼", "獎金分布", "成本", "未發放", "KAM 人數"):
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        facts = page.locator("dl.facts")
        expect(facts).to_contain_text(f"{made} {noon}")
        expect(facts).to_contain_text(euros(total))
        expect(page.get_by_role("table", name="依方案變體")).to_contain_text("開發中客戶")
        expect(page.get_by_role("table", name="依方案變體")).to_contain_text("依原方案")
        check(page, errors)
        page.screenshot(path=docs_image("zh-console-run.png"), full_page=True)

        page.goto(f"{base}/scoring/runs/{run_id}/statements/E00006")
        expect(page.get_by_role("heading", level=1)).to_contain_text("2025-Q4 獎金明細")
        for heading in ("您的各項成果", "從分數到獎金", "本次薪資發放給您的項目", "可重現性"):
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        slip = page.get_by_role("table", name=re.compile("每項指標"))
        expect(slip).to_contain_text("銷售達成率")
        expect(slip).to_contain_text("顧客滿意度")
        expect(page.locator("dl.slip-head")).to_contain_text(f"建立於 {made}")
        expect(page.locator("dl.slip-head")).to_contain_text(euros(payout))
        expect(page.get_by_role("button", name="列印此獎金明細")).to_be_visible()
        assert "e+0" not in page.content()
        check(page, errors)
        page.screenshot(path=docs_image("zh-console-statement.png"), full_page=True)
        page.context.close()

        page, errors = new_page(chromium, PHONE, base)
        for path in (f"/scoring/runs/{run_id}", f"/scoring/runs/{run_id}/statements/E00006",
                     "/scoring/runs/new", "/scoring/rulesets", "/scoring/whatif"):
            page.goto(base + path)
            expect(page.locator("html")).to_have_attribute("lang", re.compile("^zh"))
            check(page, errors)
        page.goto(f"{base}/scoring/runs/{run_id}/statements/E00006")
        expect(page.locator("dl.slip-head")).to_contain_text(euros(payout))
        page.screenshot(path=docs_image("zh-console-statement-phone.png"), full_page=True)
        page.context.close()
