"""``kamscore import``: compiler-style error lines, exit status, dry run, progress bar."""

from __future__ import annotations

from kamscore.models import Fact, Person


def test_import_prints_counts_per_table(runner, examples, count):
    result = runner.invoke(args=["import", "people", str(examples / "people.csv")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{examples / 'people.csv'}: 8 row(s) imported",
        "  person: 8 created, 0 updated, 0 unchanged, 0 deleted",
    ]
    assert count(Person) == 8
    again = runner.invoke(args=["import", "people", str(examples / "people.csv")])
    assert "0 created, 0 updated, 8 unchanged, 0 deleted" in again.stdout


def test_errors_are_file_line_column_reason_and_exit_non_zero(runner, tmp_path, count):
    bad = tmp_path / "people.csv"
    bad.write_text("code,name,role,email\nE1,Ann,kam,ann@example.com\nE2,,kam,b@x\nE3,Cy,boss,\n")
    result = runner.invoke(args=["import", "people", str(bad)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        f"{bad}:3: email: not a valid e-mail address",
        f"{bad}:3: name: a value is required",
        f"{bad}:4: role: must be one of: kam, manager, msl, market_access, marketing, "
        "health_economics, other",
    ]
    assert lines[3] == (
        f"Error: {bad}: people import rejected: 3 error(s) on 2 line(s); nothing was written"
    )
    assert count(Person) == 0


def test_file_level_errors_have_no_column(runner, tmp_path):
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01")
    result = runner.invoke(args=["import", "facts", str(binary)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{binary}:1: this is not a CSV text file (it contains binary data)"
    )


def test_dry_run_writes_nothing(runner, examples, count):
    result = runner.invoke(args=["import", "--dry-run", "people", str(examples / "people.csv")])
    assert result.exit_code == 0
    assert "8 row(s) checked (dry run: nothing written)" in result.stdout
    assert count(Person) == 0


def test_unknown_kind_lists_the_kinds(runner, examples):
    result = runner.invoke(args=["import", "widgets", str(examples / "people.csv")])
    assert result.exit_code == 2
    assert "'widgets' is not one of" in result.stderr and "product_phases" in result.stderr


def test_large_files_get_a_progress_bar(runner, run_import, tmp_path, count, examples):
    run_import("periods", "code\n2026-Q1\n")
    run_import(
        "accounts",
        "code,name,type,segment\n"
        + "".join(f"A{i},Account {i},hospital,key\n" for i in range(1000)),
    )
    big = tmp_path / "facts.csv"
    big.write_text(
        "period,name,account,value,unit\n"
        + "".join(f"2026-Q1,metric_{i % 6},A{i // 6},{i},count\n" for i in range(6000))
    )
    result = runner.invoke(args=["import", "facts", str(big)])
    assert result.exit_code == 0, result.output
    assert "importing facts" in result.stderr
    assert count(Fact) == 6000
    small = runner.invoke(args=["import", "people", str(examples / "people.csv")])
    assert small.exit_code == 0 and "importing" not in small.stderr
