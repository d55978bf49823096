"""Cells of the CSV files kamscore writes, safe to open in a spreadsheet.

A spreadsheet program takes a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or with a
tab or carriage return, which some of them skip first) for a formula and runs it: a KAM or
account name imported as ``=HYPERLINK(...)`` would run on the machine of whoever opens a
statements export (OWASP: CSV injection). So every *text* cell that starts so is written with
a single quote in front, which spreadsheets show as text and never evaluate.

Numbers are never touched: a payroll import must read ``-12.50`` as minus twelve and a half.
The type of the value decides, not its look: ``str`` is text; ``int``, ``float`` and
``Decimal`` are numbers, written in full (a float as ``repr``, a decimal without exponent).
Every CSV writer of kamscore writes its rows through ``CsvWriter``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import IO

#: What a cell may hold: text, a number, or nothing (an empty cell).
Cell = str | int | float | Decimal | None

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Cell | object) -> str:
    """The text of one cell: numbers as numbers, ``None`` as an empty cell, a bool as
    ``true``/``false``, and text — anything else is written as its ``str`` — with a quote in
    front when it starts like a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class CsvWriter:
    """``csv.writer`` (``\\n`` line ends) whose rows go through ``spreadsheet_cell``."""

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream, lineterminator="\n")

    def writerow(self, cells: Iterable[Cell | object]) -> None:
        self._writer.writerow([spreadsheet_cell(cell) for cell in cells])
