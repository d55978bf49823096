"""The import page on both databases: an analyst checks a file, reads the report and imports
exactly that file; a refused file shows its errors by line and downloads them all as CSV; a
file that changed since its check is refused; large files are background jobs whose page
shows their progress; templates download; nobody else may import."""

from __future__ import annotations

import csv
import io
import re
import time
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from kamscore.background.imports import run_import_job
from kamscore.background.progress import ProgressTracker
from kamscore.background.queue import get_queue
from kamscore.background.uploads import checked_path, upload_path, uploads_dir
from kamscore.db.session import get_db
from kamscore.importing import import_csv, import_kinds
from kamscore.models import AuditEvent, BackgroundJob, Fact, JobState, User

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "import"
FACTS = (EXAMPLES / "facts.csv").read_bytes()


@pytest.fixture
def org(app) -> None:
    """The example organisation but its facts; users ``ana`` (analyst), ``vic`` (viewer)."""
    with get_db(app).session() as session:
        for kind in import_kinds():
            if kind != "facts":
                import_csv(session, kind, (EXAMPLES / f"{kind}.csv").read_bytes())
        for name, role in (("ana", "analyst"), ("vic", "viewer"), ("adm", "admin")):
            user = User(username=name, name=name.title(), roles=role)
            user.set_password(f"secret-{name}")
            session.add(user)


def sign_in(client, username: str) -> None:
    response = client.post("/sign-in", data={"username": username,
                                             "password": f"secret-{username}"})
    assert response.status_code == 302, response.get_data(as_text=True)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    body = response.get_data(as_text=True)
    inline = re.sub(r"</?(strong|em|a|span|code)\b[^>]*>", "", body)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline)))


def workbook(data: bytes) -> bytes:
    """A CSV file's rows as an XLSX workbook (numbers as number cells)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sales"
    for row in csv.reader(io.StringIO(data.decode())):
        sheet.append([float(c) if re.fullmatch(r"-?\d+(\.\d+)?", c) else (c or None)
                      for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str, kind: str = "facts", **options):
    return client.post("/imports/", data={"kind": kind, "file": (io.BytesIO(data), name),
                                          "sheet": "", "decimal": "",
                                          "date_format": "YYYY-MM-DD", **options},
                       content_type="multipart/form-data")


def facts(app) -> int:
    with get_db(app).session() as session:
        return session.scalar(select(func.count()).select_from(Fact))


def test_an_analyst_checks_a_workbook_then_imports_it(app, client, org):
    sign_in(client, "ana")
    page = client.get("/imports/")
    assert 'value="Check the file"' in page.get_data(as_text=True)
    assert "No checks or imports yet" in text(page)
    checked = upload(client, workbook(FACTS), "sales.xlsx", sheet="Sales")
    assert checked.status_code == 303, checked.get_data(as_text=True)
    report = text(client.get(checked.location))
    rows = FACTS.count(b"\n") - 1
    assert "Check of sales.xlsx (facts)" in report and "sheet Sales" in report
    assert f"The file is valid: {rows} rows checked, nothing written yet." in report
    assert f"fact {rows} 0 0 0" in report
    assert 'value="Import it"' in client.get(checked.location).get_data(as_text=True)
    assert facts(app) == 0

    applied = client.post(checked.location + "/apply")
    assert applied.status_code == 303 and applied.location != checked.location
    done = text(client.get(applied.location))
    assert f"Imported: {rows} rows." in done and f"fact {rows} 0 0 0" in done
    assert facts(app) == rows
    with get_db(app).session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "import")
                                .order_by(AuditEvent.id.desc())).first()
        job = session.get(BackgroundJob, applied.location.rsplit("/", 1)[1])
        assert event.actor == "ana" and event.details["filename"] == "sales.xlsx"
        assert event.details["sha256"] == job.params["expected_sha256"]
        assert event.details["tables"]["fact"]["created"] == rows
    # applied once: the check cannot be applied again
    assert "cannot be imported from here any more" in text(client.get(checked.location))
    again = client.post(checked.location + "/apply")
    assert again.status_code == 303 and again.location == checked.location
    assert "was imported already" in text(client.get(again.location))
    assert facts(app) == rows
    listed = text(client.get("/imports/"))
    assert "ana Import of sales.xlsx (facts) imported" in listed
    assert "Check of sales.xlsx (facts) checked" in listed


def test_a_refused_file_shows_its_errors_and_downloads_them_all(app, client, org):
    sign_in(client, "ana")
    lines = FACTS.decode().splitlines()
    bad = [lines[0]] + [f"2026-Q1,net_sales,NOPE{i},,,,{i},,EUR,ERP" for i in range(150)]
    checked = upload(client, ("\n".join(bad) + "\n").encode(), "bad.csv")
    page = text(client.get(checked.location))
    assert "The file was refused; nothing was written." in page
    assert "The first 100 of 150 errors, by line." in page
    assert "2 account unknown account 'NOPE0'" in page
    assert "unknown account 'NOPE99'" in page and "unknown account 'NOPE100'" not in page
    assert 'value="Import it"' not in client.get(checked.location).get_data(as_text=True)
    download = client.get(checked.location + "/errors.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert 'filename="bad-errors.csv"' in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert rows[0] == ["line", "column", "error"] and len(rows) == 151
    assert rows[1] == ["2", "account", "unknown account 'NOPE0'"]
    assert rows[-1] == ["151", "account", "unknown account 'NOPE149'"]
    assert client.post(checked.location + "/apply").status_code == 303
    assert facts(app) == 0


def test_a_file_that_changed_since_its_check_is_refused(app, client, org):
    sign_in(client, "ana")
    checked = upload(client, FACTS, "facts.csv")
    job_id = checked.location.rsplit("/", 1)[1]
    kept = checked_path(uploads_dir(app.config, app.instance_path), job_id)
    kept.write_bytes(FACTS.replace(b"412000", b"999999"))  # changed after the check
    applied = client.post(checked.location + "/apply")
    page = text(client.get(applied.location))
    assert "The file was refused; nothing was written." in page
    assert "the file changed since its dry run: check it again before applying" in page
    assert facts(app) == 0


def test_european_csv_options_reach_the_import(app, client, org):
    sign_in(client, "ana")
    european = (b"period;name;account;value;unit\n"
                b"2026-Q1;net_sales;A001;1.234,56;EUR\n2026-Q1;market_share;A001;0,85;ratio\n"
                )
    checked = upload(client, european, "umsatz.csv", decimal=",")
    page = text(client.get(checked.location))
    assert "The file is valid" in page and "decimal mark “,”" in page
    refused = upload(client, FACTS, "facts.csv", sheet="Sales")
    assert "names a sheet, but facts.csv is CSV" in text(client.get(refused.location))


def test_a_large_file_is_a_background_job_with_progress(app, client, org):
    app.config["IMPORT_INLINE_MAX_BYTES"] = 100
    sign_in(client, "ana")
    queued = upload(client, FACTS, "facts.csv")
    job_id = queued.location.rsplit("/", 1)[1]
    page = client.get(queued.location)
    assert "Waiting for a worker to start" in text(page)
    body = page.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in body  # without JavaScript
    assert f'data-status-url="/api/v1/jobs/{job_id}"' in body
    assert len(get_queue(app).huey) == 1
    # the worker takes it and reports progress half-way
    with get_db(app).session() as session:
        session.get(BackgroundJob, job_id).state = JobState.RUNNING
    now = [time.time() - 2.0]  # it started two seconds ago
    tracker = ProgressTracker(get_queue(app).huey, job_id, rows_total=800, passes=1,
                              clock=lambda: now[0])
    now[0] += 1.0
    tracker(400)
    running = text(client.get(queued.location))
    assert re.search(r"Checking the file… 400 of 800 rows · (1\d\d|200) rows/s · about 2 s left",
                     running), running
    tracker.clear()
    with get_db(app).session() as session:
        session.get(BackgroundJob, job_id).state = JobState.QUEUED
    assert upload_path(uploads_dir(app.config, app.instance_path), job_id).exists()
    assert run_import_job(get_db(app), get_queue(app).huey,
                          uploads_dir(app.config, app.instance_path), job_id) is JobState.DONE
    assert "The file is valid" in text(client.get(queued.location))
    api = client.get(f"/api/v1/jobs/{job_id}").json  # what imports.js polls, by session
    assert api["state"] == "done" and api["result"]["sha256"]
    applied = client.post(queued.location + "/apply")
    assert "Waiting for a worker" in text(client.get(applied.location))
    get_queue(app).huey.flush()


def test_templates_download(client, org):
    sign_in(client, "ana")
    home = text(client.get("/imports/"))
    assert "facts template, CSV" not in home  # an aria-label, not text
    response = client.get("/imports/templates/facts.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith("period,name,account,person,team")
    book = client.get("/imports/templates/people.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(book.data)).active
    assert next(sheet.iter_rows(values_only=True))[:2] == ("code", "name")
    assert client.get("/imports/templates/nothing.csv").status_code == 404
    assert client.get("/imports/templates/facts.xls").status_code == 404


def test_only_importers_see_imports(app, client, org):
    sign_in(client, "ana")
    checked = upload(client, FACTS, "facts.csv")
    client.post("/sign-out")
    sign_in(client, "vic")
    assert client.get("/imports/").status_code == 403
    assert client.get(checked.location).status_code == 403
    client.post("/sign-out")
    sign_in(client, "adm")  # an administrator reads every import
    assert "The file is valid" in text(client.get(checked.location))
    assert "ana Check of facts.csv (facts) checked" in text(client.get("/imports/"))
    assert client.get("/imports/jobs/unknown").status_code == 404


def test_bad_form_names_the_field(client, org):
    sign_in(client, "ana")
    response = client.post("/imports/", data={"kind": "facts", "date_format": "YYYY-MM-DD"},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a file to check." in response.get_data(as_text=True)
    response = upload(client, FACTS, "facts.csv", kind="nothing")
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(
        as_text=True)
