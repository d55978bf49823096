"""A file with bad rows is refused whole: every bad row listed (line, column), nothing written."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamscore.models import Fact, Person

PEOPLE_HEADER = "code,name,email,role,base_salary,manager,start_date,end_date\n"


def test_every_bad_row_is_listed_and_good_rows_are_not_written(rejected, count):
    text = (
        PEOPLE_HEADER
        + "E1,Ann Good,ann@example.com,kam,50000,,2026-01-01,\n"  # line 2: good
        + "E2,Bob,not-an-email,kam,,,,\n"  # 3
        + "E3,,c@example.com,wizard,,,,\n"  # 4: two problems
        + "E4,Dan,d@example.com,kam,12.345,,,\n"  # 5: three decimals
        + "E5,Eve,e@example.com,kam,,,2026-05-01,2026-04-01\n"  # 6: ends before start
        + "E6,Fay,f@example.com,kam,,E404,2026-13-01,\n"  # 7: bad date (manager not checked yet)
        + "E7,Gus,g@example.com,kam,abc,,,\n"  # 8
        + "E1,Ann Again,a2@example.com,kam,,,,\n"  # 9: duplicate code
        + "E8,Hal,h@example.com,kam,,E404,,\n"  # 10: unknown manager
        + "E9 X,Ida,i@example.com,kam,,,,\n"  # 11: space in code
    )
    errors = rejected("people", text)
    assert set(errors) == {
        (3, "email"),
        (4, "name"),
        (4, "role"),
        (5, "base_salary"),
        (6, "end_date"),
        (7, "start_date"),
        (8, "base_salary"),
        (9, ""),
        (10, "manager"),
        (11, "code"),
    }
    assert "line 2" in errors[(9, "")]
    assert errors[(10, "manager")] == "unknown person 'E404'"
    assert "must be one of: kam, manager" in errors[(4, "role")]
    assert count(Person) == 0


def test_unknown_references_name_the_column(org, rejected, count):
    facts_before = count(Fact)
    text = (
        "period,name,account,person,team,product,value,unit\n"
        "2026-Q2,net_sales,A001,,,ONC-101,1,EUR\n"
        "2026-Q2,net_sales,A999,,,ONC-101,1,EUR\n"
        "2031-Q9,net_sales,A001,,,,1,EUR\n"
        "2099-Q1,net_sales,A001,,,,1,EUR\n"
        "2026-Q2,net_sales,,E0000,,,1,EUR\n"
        "2026-Q2,net_sales,,,T-WEST,,1,EUR\n"
        "2026-Q2,net_sales,A002,,,NOPE,1,EUR\n"
    )
    errors = rejected("facts", text)
    assert errors == {
        (3, "account"): "unknown account 'A999'",
        (4, "period"): "unknown period '2031-Q9'",
        (5, "period"): "unknown period '2099-Q1'",
        (6, "person"): "unknown person 'E0000'",
        (7, "team"): "unknown team 'T-WEST'",
        (8, "product"): "unknown product 'NOPE'",
    }
    assert count(Fact) == facts_before


def test_a_reference_may_point_to_a_row_later_in_the_same_file(run_import, db):
    report = run_import(
        "people",
        "code,name,role,manager\nK1,Kim,kam,M1\nM1,Max,manager,\n",
    )
    assert report.tables["person"].created == 2
    with db.session() as session:
        from sqlalchemy import select

        kim = session.scalar(select(Person).where(Person.code == "K1"))
        assert kim.manager.code == "M1"


def test_a_chain_of_managers_may_not_loop(run_import, rejected):
    run_import("people", "code,name,role,manager\nA,Ann,manager,\nB,Bob,kam,A\n")
    errors = rejected("people", "code,name,role,manager\nA,Ann,manager,B\n")
    assert "loops" in errors[(2, "manager")]


def test_header_problems_are_reported_on_line_1(rejected):
    errors = rejected("accounts", "code,name,type,colour,code\nA1,X,hospital,red,A1\n")
    assert set(errors) == {(1, "colour"), (1, "code"), (1, "segment")}
    assert errors[(1, "segment")] == "required column is missing"
    assert "appears twice" in errors[(1, "code")]


def test_files_that_are_not_csv_text(rejected):
    assert rejected("people", b"") == {
        (1, ""): "the file is empty: the first line must name the columns"
    }
    binary = rejected("people", b"code,name\n\x89PNG\x00\x00")
    assert list(binary) == [(2, "")] and "binary" in binary[(2, "")]
    latin1 = rejected("people", "code,name,role\nE1,Jos\xe9,kam\n".encode("latin-1"))
    assert list(latin1) == [(2, "")] and "UTF-8" in latin1[(2, "")]


def test_a_nul_character_in_a_cell_refuses_the_file_at_its_line(rejected, count):
    # PostgreSQL cannot store text holding NUL: the reader refuses it before any row is loaded
    text = PEOPLE_HEADER + "E1,Ann,a@example.com,kam,,,,\n" + "E2,Bo\x00b,b@example.com,kam,,,,\n"
    assert rejected("people", text) == {
        (3, ""): "this is not a CSV text file (it contains binary data)"}
    assert count(Person) == 0


def test_line_numbers_count_quoted_line_breaks_and_skip_blank_lines(rejected):
    text = 'code,name,role\nE1,"Anna\nMaria",kam\n\nE2,Bob,boss\nE3,Cy\n'
    errors = rejected("people", text)
    assert set(errors) == {(5, "role"), (6, "")}
    assert errors[(6, "")] == "expected 3 fields as in the header, found 2"


def test_utf8_bom_and_semicolons_are_accepted(run_import, db):
    text = "\ufeffcode;name;role\nE1;Åsa Öberg;msl\n"
    report = run_import("people", text.encode("utf-8"))
    assert report.tables["person"].created == 1


GOOD_ROW = "P{n},Person {n},p{n}@example.com,kam,1000,,2026-01-01,\n"
BAD_ROWS = [
    ("P{n},,p{n}@example.com,kam,,,,\n", "name"),
    ("P{n},Person,nope,kam,,,,\n", "email"),
    ("P{n},Person,p{n}@example.com,chief,,,,\n", "role"),
    ("P{n},Person,p{n}@example.com,kam,-5,,,\n", "base_salary"),
    ("P{n},Person,p{n}@example.com,kam,,,31.12.2026,\n", "start_date"),
    ("P{n},Person,p{n}@example.com,kam,,NOBODY,,\n", "manager"),
]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # refused files write nothing
)
@given(st.lists(st.one_of(st.none(), st.sampled_from(BAD_ROWS)), min_size=1, max_size=30))
def test_exactly_the_bad_lines_are_reported(rejected, run_import, count, plan):
    """Whatever mix of good and bad rows, the errors name exactly the bad lines and columns."""
    text = PEOPLE_HEADER
    expected = set()
    for n, bad in enumerate(plan):
        line = n + 2
        if bad is None:
            text += GOOD_ROW.format(n=n)
        else:
            template, column = bad
            text += template.format(n=n)
            expected.add((line, column))
    if not expected:
        report = run_import("people", text, dry_run=True)
        assert report.tables["person"].created == len(plan)
        return
    assert set(rejected("people", text)) == expected
    assert count(Person) == 0
