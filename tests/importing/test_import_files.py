"""The files people have: XLSX workbooks, CSV from European spreadsheets, templates, and
files that are not what they claim (one clear message, nothing written), on both databases."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import delete, select

from kamscore.importing import ImportRejected, import_file, import_kinds
from kamscore.importing.templates import template
from kamscore.models import Fact, Period, Person


@pytest.fixture
def reference(run_import, examples):
    """The example organisation without its facts."""
    for kind in import_kinds():
        if kind != "facts":
            run_import(kind, (examples / f"{kind}.csv").read_bytes())


def example_facts(examples) -> tuple[list[str], list[list[str]]]:
    with open(examples / "facts.csv", newline="") as file:
        rows = list(csv.reader(file))
    return rows[0], rows[1:]


def european(header: list[str], rows: list[list[str]]) -> bytes:
    """Semicolons, decimal commas and thousands dots, as Excel writes in Germany."""
    value = header.index("value")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    for row in rows:
        row = list(row)
        if row[value]:
            number = f"{float(row[value]):,.2f}".replace(",", "_").replace(".", ",")
            row[value] = number.replace("_", ".").removesuffix(",00")
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def workbook(header: list[str], rows: list[list[object]], *, title: str = "Sales",
             above: int = 0) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for _ in range(above):
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def typed(header: list[str], rows: list[list[str]]) -> list[list[object]]:
    value = header.index("value")
    return [[float(cell) if i == value and cell else (cell or None) for i, cell in
             enumerate(row)] for row in rows]


def stored_facts(db) -> list[tuple]:
    with db.session() as session:
        return session.execute(
            select(Fact.period_id, Fact.name, Fact.subject_key, Fact.account_id,
                   Fact.person_id, Fact.team_id, Fact.product_id, Fact.value, Fact.category,
                   Fact.unit, Fact.source).order_by(Fact.period_id, Fact.name,
                                                    Fact.subject_key)).all()


def clear_facts(db) -> None:
    with db.session() as session:
        session.execute(delete(Fact))


def test_csv_european_csv_and_xlsx_import_to_identical_rows(reference, run_import, db,
                                                            examples):
    header, rows = example_facts(examples)
    files = {
        "facts.csv": (examples / "facts.csv").read_bytes(),
        "facts-de.csv": european(header, rows),
        "facts.xlsx": workbook(header, typed(header, rows)),
    }
    assert b"255.300,75" in files["facts-de.csv"] and b"0,31" in files["facts-de.csv"]
    stored = {}
    for name, data in files.items():
        report = run_import("facts", data, filename=name)
        assert report.totals.created == len(rows)
        stored[name] = stored_facts(db)
        clear_facts(db)
    assert len(stored["facts.csv"]) == len(rows)
    assert stored["facts-de.csv"] == stored["facts.csv"]
    assert stored["facts.xlsx"] == stored["facts.csv"]


def test_the_decimal_option_and_the_second_sheet(reference, db, examples):
    header, rows = example_facts(examples)
    comma = european(header, rows).decode("utf-8-sig").replace(";", "\t")
    book = Workbook()
    book.active.append(["notes"])
    other = book.create_sheet("Q1")
    for row in [header, *typed(header, rows)]:
        other.append(row)
    out = io.BytesIO()
    book.save(out)
    with db.session() as session:
        report = import_file(session, "facts", out.getvalue(), filename="facts.xlsx",
                             sheet="Q1")
    assert report.totals.created == len(rows)
    with db.session() as session, pytest.raises(ImportRejected) as info:
        import_file(session, "facts", out.getvalue(), filename="facts.xlsx", sheet="Q9")
    assert "no sheet 'Q9'; its sheets are: Sheet, Q1" in info.value.errors[0].message
    assert comma  # a tab file is not a format kamscore reads: only , and ; separate


def test_a_decimal_point_in_a_decimal_comma_file_is_refused_not_guessed(reference, rejected,
                                                                        count):
    text = "period;name;account;value;unit\n2026-Q1;net_sales;A001;1.5;EUR\n"
    assert rejected("facts", text) == {
        (2, "value"): "not a number (this file uses a decimal comma: write 1.234,56 or 0,85)"}
    assert count(Fact) == 0


def test_dates_other_than_iso_need_a_date_format(db, count):
    text = "code;name;role;start_date\nE1;Ann;kam;03/04/2026\nE2;Bo;kam;25.12.2025\n"
    with db.session() as session, pytest.raises(ImportRejected) as info:
        import_file(session, "people", text.encode(), filename="people.csv")
    messages = {(e.line, e.column): e.message for e in info.value.errors}
    assert messages[(2, "start_date")] == (
        "03/04/2026 is not a YYYY-MM-DD date, and day and month are not guessed (it could be "
        "day 3 of month 4 or day 4 of month 3): give --date-format DD/MM/YYYY or MM/DD/YYYY")
    assert "not guessed" in messages[(3, "start_date")]
    assert count(Person) == 0
    with db.session() as session, pytest.raises(ImportRejected) as info:
        import_file(session, "people", text.encode(), filename="people.csv",
                    date_format="DD.MM.YYYY")
    assert [(e.line, e.message) for e in info.value.errors] == [
        (2, "not a date in the format DD.MM.YYYY")]
    with db.session() as session:
        import_file(session, "people", text.replace("03/04/2026", "03.04.2026").encode(),
                    filename="people.csv", date_format="DD.MM.YYYY")
    with db.session() as session:
        starts = dict(session.execute(select(Person.code, Person.start_date)).all())
    assert starts == {"E1": dt.date(2026, 4, 3), "E2": dt.date(2025, 12, 25)}


def test_workbook_dates_come_from_the_cells_type(db):
    data = workbook(["code", "name", "role", "start_date"],
                    [["E1", "Ann", "kam", dt.datetime(2026, 4, 3)]])
    with db.session() as session:
        import_file(session, "people", data, filename="people.xlsx")
    with db.session() as session:
        assert session.scalar(select(Person.start_date)) == dt.date(2026, 4, 3)


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (80 * 1024 * 1024))
    return out.getvalue()


BAD_FILES = {
    "xlsx renamed csv": (
        "people.csv", lambda: workbook(["code", "name", "role"], [["E1", "Ann", "kam"]]),
        "people.csv is named .csv but is an XLSX workbook: name it .xlsx, or save it from "
        "Excel as CSV UTF-8"),
    "csv renamed xlsx": (
        "people.xlsx", lambda: b"code,name,role\nE1,Ann,kam\n",
        "people.xlsx is named .xlsx but is not an Excel workbook (it looks like text): if it "
        "is CSV, name it .csv"),
    "zip bomb": ("people.xlsx", zip_bomb, "refused as a likely zip bomb"),
    "empty sheet": (
        "people.xlsx", lambda: workbook([], []),
        "the sheet 'Sales' is empty: its first row must name the columns"),
    "header on row 3 of a sheet": (
        "people.xlsx", lambda: workbook(["code", "name", "role"], [["E1", "Ann", "kam"]],
                                        above=2),
        "the column names must be on the first row; they are on row 3: delete the rows above "
        "them"),
    "header on line 3 of a CSV": (
        "people.csv", lambda: b"People export\n\ncode,name,role\nE1,Ann,kam\n",
        "the column names must be on the first row; they are on line 3: delete the rows "
        "above them"),
    "old xls": (
        "people.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
        "this is an old Excel 97-2003 workbook (.xls) or another binary Office file: save it "
        "as .xlsx (Excel Workbook) or as CSV UTF-8"),
    "zip that is no workbook": (
        "people.xlsx", lambda: _plain_zip(),
        "this zip archive is not an XLSX workbook (it has no xl/workbook.xml)"),
}


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_file_that_is_not_what_it_claims_gets_one_message_and_nothing_is_written(
        case, db, count):
    filename, make, message = BAD_FILES[case]
    with db.session() as session, pytest.raises(ImportRejected) as info:
        import_file(session, "people", make(), filename=filename)
    assert len(info.value.errors) == 1
    assert message in info.value.errors[0].message
    assert count(Person) == 0


def test_workbook_errors_name_the_sheet_row_and_column_letter(runner, tmp_path, count):
    path = tmp_path / "people.xlsx"
    path.write_bytes(workbook(["code", "name", "role"], [["E1", "Ann", "kam"],
                                                         ["E2", None, "boss"]]))
    result = runner.invoke(args=["import", "people", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}: sheet Sales, row 3, column B (name): a value is required",
        f"{path}: sheet Sales, row 3, column C (role): must be one of: kam, manager, msl, "
        "market_access, marketing, health_economics, other",
        f"Error: {path}: people import rejected: 2 error(s) on 1 row(s); nothing was written",
    ]
    assert count(Person) == 0


def test_templates_are_written_and_import(reference, runner, tmp_path, db):
    result = runner.invoke(args=["import", "template", "facts", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for suffix in ("csv", "xlsx"):
        path = tmp_path / f"facts-template.{suffix}"
        assert path.read_bytes() == template("facts", suffix) or suffix == "xlsx"
        checked = runner.invoke(args=["import", "--dry-run", "facts", str(path)])
        assert checked.exit_code == 0, checked.output
        assert "1 created" in checked.stdout
    assert (tmp_path / "facts-template.csv").read_text().splitlines()[0] == (
        "period,name,account,person,team,product,value,category,item,unit,source")
    unknown = runner.invoke(args=["import", "template", "nothing"])
    assert unknown.exit_code == 2 and "the kinds are" in unknown.output


def test_a_file_changed_since_its_dry_run_is_refused(db, count):
    data = b"code,name,role\nE1,Ann,kam\n"
    with db.session() as session:
        checked = import_file(session, "people", data, filename="p.csv", dry_run=True)
    with db.session() as session, pytest.raises(ImportRejected) as info:
        import_file(session, "people", data + b"E2,Bo,kam\n", filename="p.csv",
                    expected_sha256=checked.sha256)
    assert "changed since its dry run" in info.value.errors[0].message
    assert count(Person) == 0
    with db.session() as session:
        import_file(session, "people", data, filename="p.csv", expected_sha256=checked.sha256)
    assert count(Person) == 1
    assert count(Period) == 0
