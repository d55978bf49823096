"""A file's rows as every reader gives them: a header, then chunks of ``(line, cells)``.

``line`` is where the row is in the file as people see it (the line of a CSV file, the row
number of a sheet); cells are strings (a sheet's typed cells are turned into canonical text
by the XLSX reader). :func:`check_header` finds the columns a kind knows, and a header that
is not on the first row is refused with the row it is on.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from operator import itemgetter

from kamscore.importing.errors import ErrorList
from kamscore.sentences import N_

#: Rows per chunk: validated column-wise and staged together (progress moves a chunk at a time).
CHUNK_ROWS = 2_500

#: Rows searched for a header that is not on the first row.
HEADER_SEARCH_ROWS = 10

Chunk = list[tuple[int, list[str]]]

EMPTY_FILE = N_("the file is empty: the first line must name the columns")


@dataclass
class RawTable:
    header: list[str]
    header_line: int
    chunks: Iterator[Chunk]
    decimal: str = "."  # the decimal mark the file's format implies
    sheet: str | None = None


def check_header(table: RawTable, known: Collection[str], required: Collection[str],
                 errors: ErrorList) -> tuple[str, ...] | None:
    """The normalised column names (stripped, lower case), or None with the reasons."""
    columns = tuple(cell.strip().lower() for cell in table.header)
    line = table.header_line
    if not any(column in known for column in columns):
        found = _header_further_down(table, known)
        if found is not None:
            errors.add(line, "", N_(
                "the column names must be on the first row; they are on line %(line)s: "
                "delete the rows above them", line=found) if table.sheet is None else N_(
                "the column names must be on the first row; they are on row %(line)s: "
                "delete the rows above them", line=found))
            return None
    if not any(columns):
        errors.add(line, "", EMPTY_FILE if table.sheet is None else N_(
            "the sheet '%(sheet)s' is empty: its first row must name the columns",
            sheet=table.sheet))
        return None
    ok = True
    seen: set[str] = set()
    for column in columns:
        if not column:
            errors.add(line, "", N_("a column has no name"))
            ok = False
        elif column in seen:
            errors.add(line, column, N_("the column appears twice"))
            ok = False
        elif column not in known:
            errors.add(line, column, N_("unknown column; the columns are: %(columns)s",
                                        columns=", ".join(known)))
            ok = False
        seen.add(column)
    for column in required:
        if column not in seen:
            errors.add(line, column, N_("required column is missing"))
            ok = False
    return columns if ok else None


def _header_further_down(table: RawTable, known: Collection[str]) -> int | None:
    for line, cells in next(table.chunks, [])[:HEADER_SEARCH_ROWS]:
        names = [cell.strip().lower() for cell in cells if cell.strip()]
        if names and all(name in known for name in names):
            return line
    return None


def fit_rows(table: RawTable, chunk: Chunk, width: int,
             errors: ErrorList) -> tuple[list[int], list[list[str]]]:
    """The chunk's non-blank rows, each ``width`` cells long (not stripped: the checks strip
    each distinct value once).

    A CSV row with another number of fields is an error on its line. A sheet's rows may end
    early (empty cells are not stored); a value to the right of the last named column is an
    error.
    """
    if chunk:
        numbers, cell_rows = map(list, zip(*chunk, strict=True))
        if set(map(len, cell_rows)) == {width}:
            return _full_rows(numbers, cell_rows)
    lines: list[int] = []
    rows: list[list[str]] = []
    for line, cells in chunk:
        if len(cells) != width:
            if not "".join(cells).strip():
                continue  # blank line
            if table.sheet is None:
                errors.add(line, "", N_("expected %(width)s fields as in the header, found "
                                        "%(found)s", width=width, found=len(cells)))
                continue
            if len(cells) > width:
                errors.add(line, "", N_("a value to the right of the last named column"))
                continue
            cells = cells + [""] * (width - len(cells))
        elif not "".join(cells).strip():
            continue
        lines.append(line)
        rows.append(cells)
    return lines, rows


def _full_rows(lines: list[int], rows: list[list[str]]) -> tuple[list[int], list[list[str]]]:
    """:func:`fit_rows` of a chunk whose rows all have the header's width (the common case):
    only rows whose first cell is blank can be blank lines, so only those are joined (and
    when no first cell is, the chunk is kept as it is after two passes at C speed)."""
    firsts = list(map(itemgetter(0), rows))
    if all(firsts) and not any(map(str.isspace, firsts)):
        return lines, rows
    blank = {i for i, cells in enumerate(rows)
             if (not cells[0] or cells[0].isspace()) and not "".join(cells).strip()}
    if not blank:
        return lines, rows
    return ([line for i, line in enumerate(lines) if i not in blank],
            [cells for i, cells in enumerate(rows) if i not in blank])
