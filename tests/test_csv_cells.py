"""Cells of the CSV exports: text that starts like a spreadsheet formula is quoted, numbers
(negative ones included) are written as numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from kamscore.exports.csv_cells import CsvWriter, spreadsheet_cell


@pytest.mark.parametrize(("text", "written"), [
    ("=1+2", "'=1+2"), ("+41 44 123", "'+41 44 123"), ("-12.50", "'-12.50"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("Kam K1", "Kam K1"), ("", ""), ("a=b", "a=b"), ("'quoted", "'quoted"),
])
def test_text_cells_that_start_like_a_formula_are_quoted(text, written):
    assert spreadsheet_cell(text) == written


@pytest.mark.parametrize(("number", "written"), [
    (-12, "-12"), (0, "0"), (-0.1, "-0.1"), (1e-07, "1e-07"), (-1175.5, "-1175.5"),
    (Decimal("-1175.50"), "-1175.50"), (Decimal("+3"), "3"), (Decimal("1.23457e+06"), "1234570"),
    (None, ""), (True, "true"), (False, "false"),
])
def test_numbers_are_written_as_numbers_never_quoted(number, written):
    assert spreadsheet_cell(number) == written


def test_a_row_reads_back_as_written():
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(["name", "payout", "note"])
    writer.writerow(['=HYPERLINK("http://x")', Decimal("-10.00"), "-cmd, with a comma"])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["name", "payout", "note"],
                    ['\'=HYPERLINK("http://x")', "-10.00", "'-cmd, with a comma"]]
    assert buffer.getvalue().endswith("\n") and "\r" not in buffer.getvalue()
