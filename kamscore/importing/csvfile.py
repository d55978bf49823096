"""Reading an uploaded CSV file into rows that remember their line numbers.

The whole file is decoded first (UTF-8, with or without the byte-order mark spreadsheet
programs write), so that a file that is not text is refused with the line where it breaks.
Commas separate fields; a header that contains semicolons and no comma (the export format of
spreadsheets in many European locales) switches to semicolons.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass
from typing import BinaryIO

from kamscore.importing.errors import ErrorList


@dataclass(frozen=True)
class CsvRow:
    """One data row: its first line in the file and its non-empty cells by column name."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class CsvFile:
    columns: tuple[str, ...]  # as in the header, normalised (stripped, lower case)
    rows: list[CsvRow]


def read_bytes(source: bytes | BinaryIO) -> bytes:
    return source if isinstance(source, bytes) else source.read()


def parse_csv(
    data: bytes,
    *,
    known: Collection[str],
    required: Collection[str],
    errors: ErrorList,
) -> CsvFile | None:
    """Split ``data`` into rows, checking the header against the columns of the kind.

    Unknown, duplicate and missing columns are errors on line 1; rows with the wrong number of
    cells are errors on their line. Cells are stripped; empty cells are left out of
    ``CsvRow.values``, so a row schema sees them as not given. Returns None when the file
    cannot be read at all (the reason is in ``errors``).
    """
    text = _decode(data, errors)
    if text is None:
        return None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        errors.add(1, "", f"the header is not valid CSV: {exc}")
        return None
    if not header or not any(cell.strip() for cell in header):
        errors.add(1, "", "the file is empty: the first line must name the columns")
        return None
    columns = tuple(cell.strip().lower() for cell in header)
    if not _check_header(columns, known, required, errors):
        return None

    rows: list[CsvRow] = []
    width = len(columns)
    previous_end = reader.line_num
    try:
        for cells in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            if len(cells) != width:
                errors.add(
                    line, "", f"expected {width} fields as in the header, found {len(cells)}"
                )
                continue
            values = {}
            for column, cell in zip(columns, cells, strict=True):
                cell = cell.strip()
                if cell:
                    values[column] = cell
            rows.append(CsvRow(line, values))
    except csv.Error as exc:
        errors.add(previous_end + 1, "", f"not valid CSV: {exc}")
        return None
    return CsvFile(columns, rows)


def _decode(data: bytes, errors: ErrorList) -> str | None:
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        errors.add(line, "", "this is not a CSV text file (it contains binary data)")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.add(line, "", "the file is not UTF-8 text; save the CSV as UTF-8")
        return None


def _check_header(
    columns: tuple[str, ...], known: Collection[str], required: Collection[str], errors: ErrorList
) -> bool:
    ok = True
    seen: set[str] = set()
    for column in columns:
        if not column:
            errors.add(1, "", "a column has no name")
            ok = False
        elif column in seen:
            errors.add(1, column, "the column appears twice")
            ok = False
        elif column not in known:
            errors.add(1, column, f"unknown column; the columns are: {', '.join(known)}")
            ok = False
        seen.add(column)
    for column in required:
        if column not in seen:
            errors.add(1, column, "required column is missing")
            ok = False
    return ok
