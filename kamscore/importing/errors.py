"""What a rejected import reports: every bad row, with its line and column."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class RowError:
    """One problem in a CSV file.

    ``line`` is the line number in the file as an editor shows it (the header is line 1; a row
    with a quoted line break is reported at its first line). ``column`` is the CSV column's
    name, or ``""`` when the problem is not about one column (an unreadable file).
    """

    line: int
    column: str
    message: str

    def format(self, filename: str, layout: SheetLayout | None = None) -> str:
        """``FILE:LINE: column: reason`` (the column is left out when there is none); for a
        sheet ``FILE: sheet NAME, row N, column C (name): reason``, as Excel names cells."""
        if layout is not None:
            return f"{filename}: {layout.where(self)}: {self.message}"
        where = f"{filename}:{self.line}:"
        return (
            f"{where} {self.column}: {self.message}" if self.column else f"{where} {self.message}"
        )


@dataclass(frozen=True)
class SheetLayout:
    """Where a workbook's errors are: the sheet's name and each column's letter."""

    sheet: str
    letters: dict[str, str]

    def where(self, error: RowError) -> str:
        place = f"sheet {self.sheet}, row {error.line}"
        letter = self.letters.get(error.column)
        if letter:
            return f"{place}, column {letter} ({error.column})"
        return f"{place}, {error.column}" if error.column else place


class ErrorList:
    """Collects row errors while a file is checked, so that all of them are reported at once."""

    def __init__(self) -> None:
        self._errors: list[RowError] = []

    def add(self, line: int, column: str, message: str) -> None:
        self._errors.append(RowError(line, column, message))

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __len__(self) -> int:
        return len(self._errors)

    def __iter__(self) -> Iterator[RowError]:
        return iter(sorted(set(self._errors)))

    def lines_with_errors(self) -> set[int]:
        return {error.line for error in self._errors}


class ImportRejected(Exception):
    """The file was refused as a whole; nothing was written. ``errors`` lists every problem."""

    def __init__(self, kind: str, errors: ErrorList | list[RowError],
                 layout: SheetLayout | None = None) -> None:
        self.kind = kind
        self.layout = layout
        self.errors: list[RowError] = sorted(set(errors))
        rows = len({e.line for e in self.errors})
        super().__init__(
            f"{kind} import rejected: {len(self.errors)} error(s) on {rows} "
            f"{'line' if layout is None else 'row'}(s); "
            "nothing was written"
        )

    def by_line(self) -> dict[str, dict[str, list[str]]]:
        """``{"<line>": {"<column>": [reasons]}}``, the shape of the API's ``errors``.

        Problems that concern no single column are listed under ``"_row"``.
        """
        grouped: dict[str, dict[str, list[str]]] = {}
        for error in self.errors:
            column = error.column or "_row"
            grouped.setdefault(str(error.line), {}).setdefault(column, []).append(error.message)
        return grouped


def error_rows(by_line: dict[str, dict[str, list[str]]]) -> list[tuple[int, str, str]]:
    """``(line, column, reason)`` of every error of a :meth:`ImportRejected.by_line`, by line
    (``column`` is ``""`` for a problem of no single column)."""
    rows = [(int(line), "" if column == "_row" else column, reason)
            for line, columns in by_line.items()
            for column, reasons in columns.items() for reason in reasons]
    return sorted(rows)


def errors_csv(by_line: dict[str, dict[str, list[str]]]) -> str:
    """Every error as CSV text: ``line,column,error``, by line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["line", "column", "error"])
    writer.writerows(error_rows(by_line))
    return out.getvalue()
