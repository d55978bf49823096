"""A refused import in the reader's language (issue 20, ``kamscore/web/import_report.py``):
the import page's report (headline and errors) and the errors CSV read in Traditional Chinese
for a ``zh-Hant`` user — no English word left but codes and names — and in English, word for
word as the CLI and the API say them, for an English user. A job stored before sentences
(plain English texts) still shows. Both databases."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import update
from untranslated import data_texts, english_left

from kamscore.db.session import get_db
from kamscore.importing import ImportRejected, import_csv, import_kinds
from kamscore.models import BackgroundJob, User

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "import"

#: Assignments: a share that is not a number, one out of range, an unknown account, an
#: unknown person, a row repeating line 2's key, an end before its start.
ASSIGNMENTS = (b"person,account,start_date,end_date,share\n"
               b"E1002,A001,2026-01-01,,1\n"
               b"E1002,A002,2026-01-01,,abc\n"
               b"E1003,NOPE1,2026-01-01,,0.5\n"
               b"E9999,A001,2026-02-01,,0.5\n"
               b"E1002,A001,2026-01-01,,1\n"
               b"E1003,A002,2026-03-01,2026-02-01,0.5\n"
               b"E1004,A002,2026-01-01,,7\n")
#: Facts: line 3 repeats line 2's fact (a key named by a sentence within the sentence).
FACTS = (b"period,name,account,person,team,product,value,category,unit,source\n"
         b"2026-Q1,net_sales,A001,,,ONC-101,1,,EUR,ERP\n"
         b"2026-Q1,net_sales,A001,,,ONC-101,2,,EUR,ERP\n")
#: The codes, names and column names the messages quote (they stay as written).
QUOTED = {"E1002", "E1003", "E9999", "NOPE1", "A001", "A002", "abc", "start_date",
          "end_date", "share",
          "net_sales", "ONC-101", "2026-Q1", "value", "person", "account", "Sales",
          "bad.csv", "dup.csv", "bad.xlsx",
          "account:A001/product:ONC-101"}  # a fact's subject key, as stored


@pytest.fixture
def org(app) -> None:
    """The example organisation but its facts, and the analyst ``ana``."""
    with get_db(app).session() as session:
        for kind in import_kinds():
            if kind != "facts":
                import_csv(session, kind, (EXAMPLES / f"{kind}.csv").read_bytes())
        user = User(username="ana", name="Ana", roles="analyst")
        user.set_password("secret-ana")
        session.add(user)


def reader(app, language: str):
    with get_db(app).session() as session:
        session.execute(update(User).where(User.username == "ana").values(language=language))
    client = app.test_client()
    assert client.post("/sign-in", data={"username": "ana",
                                         "password": "secret-ana"}).status_code == 302
    return client


def refused(client, kind: str, data: bytes, name: str, **options) -> str:
    """The job page's path of a refused check of ``data``."""
    response = client.post("/imports/", data={
        "kind": kind, "file": (io.BytesIO(data), name), "sheet": "", "decimal": "",
        "date_format": "YYYY-MM-DD", **options}, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.location


def report(client, path: str) -> tuple[str, list[str]]:
    """The page's HTML, and the text of each cell of its errors table."""
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = html.split('<table class="import-errors">', 1)[1].split("</table>", 1)[0]
    cells = [unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)]
    return html, cells


def download(client, path: str) -> list[list[str]]:
    response = client.get(path + "/errors.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def rejection(app, kind: str, data: bytes, name: str) -> ImportRejected:
    """What the CLI and the API say of the file (``str()``, ``errors``: in English)."""
    with get_db(app).session() as session, pytest.raises(ImportRejected) as info:
        import_csv(session, kind, data, filename=name, dry_run=True)
    return info.value


def english_messages(app, kind: str, data: bytes, name: str) -> list[str]:
    """Every reason in English, by line."""
    return [error.message for error in rejection(app, kind, data, name).errors]


def xlsx() -> bytes:
    """Facts in a sheet ``Sales``: row 3's value (column G) is a word."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sales"
    sheet.append(["period", "name", "account", "person", "team", "product", "value", "category",
                  "unit", "source"])
    sheet.append(["2026-Q1", "net_sales", "A001", None, None, "ONC-101", 1, None, "EUR", "ERP"])
    sheet.append(["2026-Q1", "net_sales", "A002", None, None, "ONC-101", "abc", None, "EUR",
                  "ERP"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FILES = [("assignments", ASSIGNMENTS, "bad.csv"), ("facts", FACTS, "dup.csv")]


def test_a_zh_hant_reader_reads_every_error_in_chinese(app, org):
    client = reader(app, "zh-Hant")
    with get_db(app).session() as session:
        allowed = data_texts(session) | QUOTED
    for kind, data, name in FILES:
        english = english_messages(app, kind, data, name)
        assert len(english) == (6 if kind == "assignments" else 1)
        path = refused(client, kind, data, name)
        html, cells = report(client, path)
        assert "檔案被拒絕；未寫入任何資料。" in html
        assert english_left(html, allowed) == [], kind
        messages = cells[2::3]
        assert len(messages) == len(english)
        assert all(re.search(r"[\u4e00-\u9fff]", m) for m in messages), messages
        rows = download(client, path)
        assert rows[0] == ["行", "欄位", "錯誤"]
        assert [row[2] for row in rows[1:]] == messages
        assert [cell for row in rows for cell in row if english_left(cell, allowed)] == []
    _, cells = report(client, refused(client, "assignments", ASSIGNMENTS, "bad.csv"))
    messages = set(cells[2::3])
    assert "找不到客戶「NOPE1」" in messages and "找不到人員「E9999」" in messages
    assert "E1002 / A001 / 2026-01-01 已出現在第 2 行" in messages
    assert "不是數字（請使用小數點）" in messages
    assert "必須大於 0 且小於或等於 1。" in messages
    html, _ = report(client, refused(client, "facts", FACTS, "dup.csv"))
    assert "事實資料匯入遭拒：1 行共有 1 個錯誤；未寫入任何資料" in html


def test_a_zh_hant_reader_reads_a_workbooks_errors_by_sheet_and_column_letter(app, org):
    client = reader(app, "zh-Hant")
    with get_db(app).session() as session:
        allowed = data_texts(session) | QUOTED
    path = refused(client, "facts", xlsx(), "bad.xlsx", sheet="Sales")
    html, cells = report(client, path)
    assert english_left(html, allowed) == []
    assert "事實資料匯入遭拒：1 列共有 1 個錯誤；未寫入任何資料" in html
    assert "工作表" in html and ">Sales</span>的錯誤" in html
    assert cells == ["3", "G (value)", "不是數字（請使用小數點）"]
    rows = download(client, path)
    assert rows == [["列", "欄位", "錯誤", "位置"],
                    ["3", "value", "不是數字（請使用小數點）",
                     "工作表 Sales，第 3 列，G 欄（value）"]]


def test_an_english_reader_reads_what_the_cli_and_the_api_say(app, org):
    client = reader(app, "en")
    for kind, data, name in FILES:
        english = english_messages(app, kind, data, name)
        path = refused(client, kind, data, name)
        html, cells = report(client, path)
        assert cells[2::3] == english
        rows = download(client, path)
        assert rows[0] == ["line", "column", "error"]
        assert [row[2] for row in rows[1:]] == english
        job = client.get("/api/v1/jobs/" + path.rsplit("/", 1)[1]).get_json()
        assert [m for line in job["error"]["errors"].values() for ms in line.values()
                for m in ms] == english  # the API: English, as before sentences
    html, _ = report(client, refused(client, "assignments", ASSIGNMENTS, "bad.csv"))
    headline = str(rejection(app, "assignments", ASSIGNMENTS, "bad.csv"))
    assert headline == ("assignments import rejected: 6 error(s) on 6 line(s); nothing was "
                        "written")
    assert headline in html
    path = refused(client, "facts", xlsx(), "bad.xlsx", sheet="Sales")
    assert download(client, path)[1] == ["3", "value", "not a number (use a decimal point)",
                                         "sheet Sales, row 3, column G (value)"]


def test_a_job_stored_before_sentences_still_shows(app, org):
    client = reader(app, "zh-Hant")
    path = refused(client, "assignments", ASSIGNMENTS, "bad.csv")
    with get_db(app).session() as session:
        job = session.get(BackgroundJob, path.rsplit("/", 1)[1])
        assert job.error["sentence"]["id"].startswith("%(kind)s import rejected")
        assert job.error["message"].startswith("assignments import rejected: 6 error(s)")
        assert job.error["errors"]["3"]["share"] == [
            {"id": "not a number (use a decimal point)", "values": {}}]
        job.error = {"code": 422, "message": "assignments import rejected: 1 error(s) on 1 "
                     "line(s); nothing was written",
                     "errors": {"3": {"share": ["not a number (use a decimal point)"]}}}
    _, cells = report(client, path)
    assert cells == ["3", "share", "不是數字（請使用小數點）"]  # the old text is a msgid
    rows = download(client, path)
    assert rows[1] == ["3", "share", "不是數字（請使用小數點）"]
    api = app.test_client()
    api.post("/sign-in", data={"username": "ana", "password": "secret-ana"})
    body = api.get("/api/v1/jobs/" + path.rsplit("/", 1)[1]).get_json()
    assert body["error"]["errors"] == {"3": {"share": ["not a number (use a decimal point)"]}}
    assert body["error"]["message"].startswith("assignments import rejected: 1 error(s)")
