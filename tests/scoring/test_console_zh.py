"""The comp team's console read in Traditional Chinese (issue 20): the same figures in every
language (a statement, the payroll file), the payroll header and sheet names in the reader's
language, ruleset titles with translations, and the engine's words through the web's tables.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from flask_babel import force_locale
from sqlalchemy import update

from kamscore.content.bundled import bundled_dir
from kamscore.demo import DEMO_PASSWORD
from kamscore.engine.catalogue import catalogue_of
from kamscore.engine.loader import check_ruleset
from kamscore.exports.payroll import HEADER
from kamscore.models import User
from kamscore.scoring.lifecycle import parse_source
from kamscore.scoring.periods import close_period
from kamscore.scoring.runs import run_score
from kamscore.web.engine_words import engine_reason, param_label, segment
from kamscore.web.stored_words import word

MONEY = re.compile(r"€[\d,]+\.\d\d")


def _client(app, session, username: str, language: str):
    session.execute(update(User).where(User.username == username).values(language=language))
    session.commit()
    client = app.test_client()
    answer = client.post("/sign-in", data={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 302
    return client


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_statement_reads_the_same_amounts_in_english_and_in_chinese(app, demo, session, pm):
    run = run_score(session, pm, period="2025-Q4", ruleset="standard", user="analyst")
    session.commit()
    pages = {}
    for language in ("en", "zh-Hant"):
        client = _client(app, session, "analyst", language)
        answer = client.get(f"/scoring/runs/{run.id}/statements/E00006")
        assert answer.status_code == 200
        pages[language] = _main(answer.get_data(as_text=True))
    english, chinese = pages["en"], pages["zh-Hant"]
    assert "Your results, measure by measure" in english and "Sales attainment" in english
    assert "您的各項成果" in chinese and "銷售達成率" in chinese
    assert "Sales attainment" not in chinese
    amounts = MONEY.findall(english)
    assert len(amounts) > 10 and MONEY.findall(chinese) == amounts
    day = run.created_at.date()
    assert f"{day.year}年{day.month}月{day.day}日" in chinese


def test_the_payroll_file_has_the_readers_header_and_the_same_cells(app, demo, session, pm):
    run = run_score(session, pm, period="2025-Q4", ruleset="standard", user="analyst")
    session.commit()
    close_period(session, "2025-Q4", user="approver")
    session.commit()
    files = {}
    for language in ("en", "zh-Hant"):
        client = _client(app, session, "approver", language)
        text = client.get(f"/scoring/runs/{run.id}/payroll.csv").get_data(as_text=True)
        workbook = openpyxl.load_workbook(io.BytesIO(
            client.get(f"/scoring/runs/{run.id}/payroll.xlsx").data))
        files[language] = (list(csv.reader(io.StringIO(text))), workbook)
    (en_rows, en_book), (zh_rows, zh_book) = files["en"], files["zh-Hant"]
    assert tuple(en_rows[0]) == HEADER
    assert zh_rows[0][:3] == ["期間", "執行", "規則集"] and zh_rows[0][7] == "獎金"
    assert en_rows[1:] == zh_rows[1:] and len(en_rows) > 5  # the same codes and amounts
    assert en_book.sheetnames == ["Payroll", "Sign-off"]
    assert zh_book.sheetnames == ["薪資", "簽核"]
    en_cells = list(en_book["Payroll"].iter_rows(min_row=2, values_only=True))
    assert en_cells == list(zh_book["薪資"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in en_book["Sign-off"].iter_rows(values_only=True)] == [
        r[1] for r in zh_book["簽核"].iter_rows(values_only=True)]


def test_a_ruleset_title_may_carry_its_translations(pm):
    source = (bundled_dir("rulesets") / "standard.yaml").read_text(encoding="utf-8")
    ruleset = parse_source(source, "standard.yaml", pm)
    sales = next(c for c in ruleset.components if c.id == "sales")
    assert (sales.title, sales.titles["zh-Hant"]) == ("Sales attainment", "銷售達成率")
    assert ruleset.titles == {"en": "Standard KAM plan", "zh-Hant": "標準 KAM 方案"}
    assert ruleset.variants[0].titles["zh-Hant"] == "開發中客戶"
    plain = source.replace("title: {en: Sales attainment, zh-Hant: 銷售達成率}",
                           "title: Sales attainment")
    assert next(c for c in parse_source(plain, "s.yaml", pm).components
                if c.id == "sales").titles == {}


@pytest.mark.parametrize(("written", "problem"), [
    ("{zh-Hant: 銷售達成率}", "add `en:`"),
    ("{en: Sales, zh-Hant: [a]}", "expected a text, or its translations"),
    ("{en: Sales, Not a tag: x}", "expected a text, or its translations"),
])
def test_a_title_without_english_or_with_a_wrong_entry_is_refused(pm, written, problem):
    source = (bundled_dir("rulesets") / "standard.yaml").read_text(encoding="utf-8").replace(
        "title: {en: Sales attainment, zh-Hant: 銷售達成率}", f"title: {written}")
    metrics, functions = catalogue_of(pm)
    problems = check_ruleset(source, "standard.yaml", metrics, functions)
    assert any(p.path == "components[0].title" and problem in p.message for p in problems), [
        str(p) for p in problems]


def test_the_engines_words_are_shown_in_the_readers_language(app):
    with app.test_request_context(), force_locale("zh_Hant"):
        assert word("complete") == "完成" and word("published", "state") == "已發布"
        assert word("earnings", "pay") == "收入" and word("correction") == "更正（差額）"
        assert segment("below threshold") == "低於門檻"
        assert segment("target to cap") == "目標至上限"
        assert segment("at or above excellence") == "達到或超過卓越"
        assert segment("tier 2 (0.6 to below 0.75)") == "第 2 級（0.6 至未滿 0.75）"
        assert segment("a label the ruleset wrote") == "a label the ruleset wrote"
        assert engine_reason("no data for csat (missing: hold)") == "csat 無資料（缺漏時：暫緩）"
        assert engine_reason("2 responses (2 speeders)") == "2 份回答（2 作答過快者）"
        assert param_label("curve · point 2 (target) · pays") == "曲線 · 點 2（目標） · 發放"
    with app.test_request_context(), force_locale("en"):
        assert segment("below threshold") == "below threshold"
        assert engine_reason("no data for csat (missing: hold)") == (
            "no data for csat (missing: hold)")
