"""Reading an uploaded CSV file as a stream of rows that remember their line numbers.

UTF-8 text, with or without the byte-order mark spreadsheet programs write; a file that is
not text is refused with the line where it breaks. Commas separate fields; a header that
contains semicolons and no comma (the export format of spreadsheets in many European
locales) switches to semicolons, and such a file writes numbers with a decimal comma.
The file is read in chunks, never whole, so a file of millions of rows takes little memory.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from typing import Any, BinaryIO

from kamscore.importing.errors import ErrorList
from kamscore.importing.table import CHUNK_ROWS, Chunk, RawTable
from kamscore.sentences import N_

NOT_UTF8 = N_("the file is not UTF-8 text; save the CSV as UTF-8")
BINARY = N_("this is not a CSV text file (it contains binary data)")


class _BinaryLine(Exception):
    """A line holds a NUL character (PostgreSQL cannot store it; text files have none)."""


class _NulGuard(io.RawIOBase):
    """The stream, refusing a block with a NUL byte (found at C speed, a block at a time)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        block = self.stream.read(len(buffer))
        if b"\x00" in block:
            raise _BinaryLine
        buffer[: len(block)] = block
        return len(block)


def _not_text(stream: BinaryIO, errors: ErrorList) -> None:
    """The first line that is binary or not UTF-8 (the file read again, line by line)."""
    stream.seek(0)
    for number, raw in enumerate(stream, 1):
        if b"\x00" in raw:
            errors.add(number, "", BINARY)
            return
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            errors.add(number, "", NOT_UTF8)
            return
    errors.add(1, "", NOT_UTF8)


def read_csv(stream: BinaryIO, errors: ErrorList) -> RawTable | None:
    """The header and a lazy stream of row chunks of a CSV file; None (the reason in
    ``errors``) when its first line cannot be read."""
    text = io.TextIOWrapper(_NulGuard(stream), encoding="utf-8-sig", newline="")
    try:
        first_line = text.readline()
    except (UnicodeDecodeError, _BinaryLine):
        _not_text(stream, errors)
        return None
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    lines = itertools.chain([first_line], text)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        errors.add(1, "", N_("the header is not valid CSV: %(reason)s", reason=str(exc)))
        return None
    return RawTable(
        header=[cell.strip() for cell in header or []],
        header_line=1,
        chunks=_chunks(reader, stream, errors),
        decimal="," if delimiter == ";" else ".",
    )


def _chunks(reader: Iterator[list[str]], stream: BinaryIO,
            errors: ErrorList) -> Iterator[Chunk]:
    chunk: Chunk = []
    previous_end = 1
    try:
        for cells in reader:
            line = previous_end + 1
            previous_end = reader.line_num  # type: ignore[attr-defined]
            chunk.append((line, cells))
            if len(chunk) >= CHUNK_ROWS:
                yield chunk
                chunk = []
    except UnicodeDecodeError:
        _not_text(stream, errors)
    except _BinaryLine:
        _not_text(stream, errors)
    except csv.Error as exc:
        errors.add(previous_end + 1, "", N_("not valid CSV: %(reason)s", reason=str(exc)))
    if chunk:
        yield chunk
