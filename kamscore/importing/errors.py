"""What a rejected import reports: every bad row, with its line and column.

Each reason is a :class:`~kamscore.sentences.Sentence` (the checks write
``N_("unknown person '%(code)s'", code=...)``), so that it can be stored with an import's
job and read later in its reader's language; its English text (``RowError.message``) is what
the CLI and the API print.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kamscore.sentences import N_, Sentence

#: ``{"<line>": {"<column>": [reasons]}}``: a reason is an English text (the API) or a
#: stored sentence (``Sentence.as_dict``, an import's job); ``"_row"`` for no single column.
ByLine = Mapping[str, Mapping[str, list[Any]]]


@dataclass(frozen=True, order=True)
class RowError:
    """One problem in a CSV file.

    ``line`` is the line number in the file as an editor shows it (the header is line 1; a row
    with a quoted line break is reported at its first line). ``column`` is the CSV column's
    name, or ``""`` when the problem is not about one column (an unreadable file).
    """

    line: int
    column: str
    sentence: Sentence

    @property
    def message(self) -> str:
        """The reason in English."""
        return str(self.sentence)

    def format(self, filename: str, layout: SheetLayout | None = None) -> str:
        """``FILE:LINE: column: reason`` (the column is left out when there is none); for a
        sheet ``FILE: sheet NAME, row N, column C (name): reason``, as Excel names cells."""
        if layout is not None:
            return f"{filename}: {layout.where(self.line, self.column)}: {self.message}"
        where = f"{filename}:{self.line}:"
        return (
            f"{where} {self.column}: {self.message}" if self.column else f"{where} {self.message}"
        )


@dataclass(frozen=True)
class SheetLayout:
    """Where a workbook's errors are: the sheet's name and each column's letter."""

    sheet: str
    letters: dict[str, str]

    def where(self, line: int, column: str) -> Sentence:
        """``sheet NAME, row N, column C (name)``, as Excel names a cell."""
        letter = self.letters.get(column)
        if letter:
            return N_("sheet %(sheet)s, row %(row)s, column %(letter)s (%(column)s)",
                      sheet=self.sheet, row=line, letter=letter, column=column)
        if column:
            return N_("sheet %(sheet)s, row %(row)s, %(column)s",
                      sheet=self.sheet, row=line, column=column)
        return N_("sheet %(sheet)s, row %(row)s", sheet=self.sheet, row=line)

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "letters": dict(self.letters)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> SheetLayout | None:
        return None if not data else cls(str(data["sheet"]), dict(data["letters"]))


class ErrorList:
    """Collects row errors while a file is checked, so that all of them are reported at once."""

    def __init__(self) -> None:
        self._errors: list[RowError] = []

    def add(self, line: int, column: str, message: Sentence) -> None:
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
    """The file was refused as a whole; nothing was written. ``errors`` lists every problem;
    ``headline`` says how many (``str()`` of the exception is its English text)."""

    def __init__(self, kind: str, errors: ErrorList | list[RowError],
                 layout: SheetLayout | None = None) -> None:
        self.kind = kind
        self.layout = layout
        self.errors: list[RowError] = sorted(set(errors))
        values = {"kind": kind, "errors": len(self.errors),
                  "lines": len({e.line for e in self.errors})}
        self.headline = (
            N_("%(kind)s import rejected: %(errors)s error(s) on %(lines)s line(s); "
               "nothing was written", **values) if layout is None else
            N_("%(kind)s import rejected: %(errors)s error(s) on %(lines)s row(s); "
               "nothing was written", **values))
        super().__init__(str(self.headline))

    def by_line(self) -> dict[str, dict[str, list[str]]]:
        """``{"<line>": {"<column>": [reasons]}}``, the shape of the API's ``errors``, in
        English. Problems that concern no single column are listed under ``"_row"``."""
        return _grouped(self.errors, lambda sentence: str(sentence))

    def stored(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """:meth:`by_line` with each reason as a stored sentence (``Sentence.as_dict``), to
        be read later in its reader's language."""
        return _grouped(self.errors, Sentence.as_dict)


def _grouped(errors: Iterable[RowError], form: Any) -> dict[str, dict[str, list[Any]]]:
    grouped: dict[str, dict[str, list[Any]]] = {}
    for error in errors:
        column = error.column or "_row"
        grouped.setdefault(str(error.line), {}).setdefault(column, []).append(
            form(error.sentence))
    return grouped


def error_rows(by_line: ByLine) -> list[tuple[int, str, Sentence]]:
    """``(line, column, reason)`` of every error of a :meth:`ImportRejected.by_line` or
    :meth:`ImportRejected.stored`, by line (``column`` is ``""`` for a problem of no single
    column; a reason stored as plain text, before sentences, is a sentence without values)."""
    rows = [(int(line), "" if column == "_row" else column, Sentence.from_dict(reason))
            for line, columns in by_line.items()
            for column, reasons in columns.items() for reason in reasons]
    return sorted(rows)


def english(by_line: ByLine) -> dict[str, dict[str, list[str]]]:
    """Stored errors (:meth:`ImportRejected.stored`, or English texts of old jobs) as the
    API shows them: every reason in English."""
    return {line: {column: [str(Sentence.from_dict(reason)) for reason in reasons]
                   for column, reasons in columns.items()}
            for line, columns in by_line.items()}


def errors_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """Errors as CSV text: ``header``, then ``rows`` (``line, column, reason``, the reason in
    its reader's language)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(header))
    writer.writerows(rows)
    return out.getvalue()
