"""Reading the first sheet (or a named one) of an XLSX workbook, streamed (openpyxl's
read-only mode), with numbers and dates taken from the cells' types, not from how they are
displayed. A workbook that would unpack to far more than it weighs (a zip bomb) is refused
before any XML is parsed.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from typing import Any, BinaryIO

from kamscore.importing.errors import ErrorList
from kamscore.importing.table import CHUNK_ROWS, Chunk, RawTable
from kamscore.sentences import N_

#: A workbook unpacking to more than this is refused (a 10-million-row sheet is ~1.5 GB).
MAX_UNPACKED_BYTES = 4 * 1024**3
#: ... and so is one whose parts unpack to more than this many times their packed size
#: (sheets of figures compress 5 to 20 times).
MAX_RATIO = 200
_RATIO_FROM_BYTES = 50 * 1024**2


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``: a column as Excel names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_xlsx(stream: BinaryIO, sheet: str | None, errors: ErrorList) -> RawTable | None:
    """The header and a lazy stream of row chunks of one sheet; None (the reason in
    ``errors``) when the workbook cannot be read."""
    if not _safe_zip(stream, errors):
        return None
    from openpyxl import load_workbook  # a few tenths of a second to import: only when used

    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        errors.add(1, "", N_("this XLSX workbook cannot be read (%(reason)s)",
                             reason=f"{type(exc).__name__}: {exc}"))
        return None
    if sheet is None:
        worksheet = workbook.worksheets[0]
    elif sheet in workbook.sheetnames:
        worksheet = workbook[sheet]
    else:
        errors.add(1, "", N_("the workbook has no sheet '%(sheet)s'; its sheets are: %(sheets)s",
                             sheet=sheet, sheets=", ".join(workbook.sheetnames)))
        return None
    rows = _rows(worksheet)
    header = next(rows, (1, []))[1]  # row 1 names the columns (a header further down is refused)
    return RawTable(header=header, header_line=1, chunks=_chunks(rows), sheet=worksheet.title)


def _safe_zip(stream: BinaryIO, errors: ErrorList) -> bool:
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
    except zipfile.BadZipFile:
        errors.add(1, "", N_("this is not an XLSX workbook (it is not a valid zip archive)"))
        return False
    if "xl/workbook.xml" not in names:
        errors.add(1, "", N_("this zip archive is not an XLSX workbook (it has no "
                             "xl/workbook.xml)"))
        return False
    unpacked = sum(part.file_size for part in parts)
    packed = max(sum(part.compress_size for part in parts), 1)
    if unpacked > MAX_UNPACKED_BYTES or (
        unpacked > _RATIO_FROM_BYTES and unpacked / packed > MAX_RATIO
    ):
        errors.add(1, "", N_("this workbook would unpack to %(unpacked)s MB from %(packed)s MB: "
                             "refused as a likely zip bomb", unpacked=f"{unpacked / 1e6:,.0f}",
                             packed=f"{packed / 1e6:,.1f}"))
        return False
    return True


def _rows(worksheet: Any) -> Iterator[tuple[int, list[str]]]:
    """Every row from row 1 (read-only mode pads empty rows and leading empty columns)."""
    for number, values in enumerate(worksheet.iter_rows(values_only=True), 1):
        cells = [_text(value) for value in values]
        while cells and not cells[-1]:
            cells.pop()  # formatted but empty cells at the end of a row
        yield number, cells


def _chunks(rows: Iterator[tuple[int, list[str]]]) -> Iterator[Chunk]:
    chunk: Chunk = []
    for line, cells in rows:
        chunk.append((line, cells))
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _text(value: Any) -> str:
    """A typed cell as the canonical text the row rules read."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
