"""The column-wise path of the facts import: chunks checked column by column
(:mod:`kamscore.importing.kinds.fact_columns`), then written in one of three ways:

- straight into ``fact`` when the file's periods have no fact yet
  (:mod:`kamscore.importing.fact_direct`);
- on SQLite, a re-import or an update upserted into ``fact`` chunk by chunk
  (:mod:`kamscore.importing.fact_in_place`);
- otherwise (PostgreSQL's re-imports, every dry run, and whatever the two above give way on:
  closed periods, repeated keys) staged in bulk, compared and written in SQL
  (:mod:`kamscore.importing.fact_stage`), which also finds each error line by line.

Memory is bounded by the chunk size and the code caches, whatever the length of the file:
nothing is kept per row but, on SQLite's in-place path, an 8-byte hash of each key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from itertools import chain
from typing import Any

from sqlalchemy.orm import Session

from kamscore.db.gc_pause import gc_paused
from kamscore.importing.changes import Counts, Progress
from kamscore.importing.errors import ErrorList
from kamscore.importing.fact_direct import FirstImport
from kamscore.importing.fact_in_place import InPlaceUpdate
from kamscore.importing.fact_stage import FactStage
from kamscore.importing.kinds.fact_columns import FactColumns

#: A first import on PostgreSQL loads the codes of tables up to this size at once (a few MB)
#: and then keeps its ``COPY`` open: the server stores while the next chunks are checked.
LOAD_CODES_MAX = 100_000

Chunks = Iterator[tuple[list[int], list[list[str]]]]
Writer = FirstImport | InPlaceUpdate


def import_facts(session: Session, open_chunks: Callable[[], Chunks],
                 columns: tuple[str, ...], *, filename: str, decimal: str, dry_run: bool,
                 errors: ErrorList, step: Progress) -> tuple[int, Counts]:
    """Check, stage and (unless ``dry_run`` or there are errors) write a facts file;
    returns the rows read and the counts. ``open_chunks`` reads the file from its start
    (called again when a first import written straight into ``fact`` gives way to the
    staged path: :mod:`kamscore.importing.fact_direct`). The caller raises when ``errors``
    is not empty."""
    with gc_paused():  # ~15 objects a row, freed chunk by chunk (no cycles): 0.3 s a 200k file
        return _import(session, open_chunks, columns, filename=filename, decimal=decimal,
                       dry_run=dry_run, errors=errors, step=step)


def _import(session: Session, open_chunks: Callable[[], Chunks], columns: tuple[str, ...], *,
            filename: str, decimal: str, dry_run: bool, errors: ErrorList,
            step: Progress) -> tuple[int, Counts]:
    checker = FactColumns(session, columns, filename, decimal, errors)
    reading = _Reading(checker, errors, step)
    checked = reading.checked(open_chunks())
    if not dry_run:
        writer: Writer = FirstImport(session)
        refused = _write(writer, checked, checker, errors, step)
        if refused is None and writer.finish():  # every chunk read and written
            return reading.read, writer.counts
        if not writer.postgres and writer.gave_way == "stored" and not errors:
            # SQLite: a re-import or an update (of some periods), written in place
            checked = _again(writer, refused, checked, reading, open_chunks)
            writer = InPlaceUpdate(session, compared_columns(checker))
            refused = _write(writer, checked, checker, errors, step)
            if refused is None and writer.finish():
                return reading.read, writer.counts
        checked = _again(writer, refused, checked, reading, open_chunks)
    return _staged(session, checker, reading, checked, errors, step, dry_run=dry_run)


def _again(writer: Writer, refused: list[tuple[Any, ...]] | None,
           checked: Iterator[list[tuple[Any, ...]]], reading: _Reading,
           open_chunks: Callable[[], Chunks]) -> Iterator[list[tuple[Any, ...]]]:
    """Undo what ``writer`` wrote; the checked chunks for the next way: the file read again
    from its start when rows had been written (and no row is bad), else the rest of this
    reading from the chunk refused (only checks once a row is bad)."""
    wrote = writer.rows or refused is None
    writer.abandon()
    if wrote and not reading.errors:
        reading.read = 0
        return reading.checked(open_chunks())
    return chain([refused] if refused is not None else [], checked)


def _write(writer: Writer, checked: Iterator[list[tuple[Any, ...]]], checker: FactColumns,
           errors: ErrorList, step: Progress) -> list[tuple[Any, ...]] | None:
    """Write the chunks with ``writer`` until one is refused (returned) or a row of the file
    is bad (that chunk returned); None when every chunk was written."""
    keep_open = False
    try:
        for rows in checked:
            if errors or not writer.write(rows, keep_open=keep_open):
                return rows
            step(len(rows))
            if writer.postgres and not keep_open:  # a second chunk: load every code
                keep_open = checker.load_codes(LOAD_CODES_MAX)
    except BaseException:  # end an open COPY, or the caller's rollback would wait on it
        with suppress(Exception):
            writer.abandon()
        raise
    return None


def compared_columns(checker: FactColumns) -> list[str]:
    """The columns of a stored fact an import compares and updates: those of the file."""
    return ["value", "category", "unit", *(["source"] if "source" in checker.columns
                                           else [])]


def _staged(session: Session, checker: FactColumns, reading: _Reading,
            checked: Iterator[list[tuple[Any, ...]]], errors: ErrorList, step: Progress, *,
            dry_run: bool) -> tuple[int, Counts]:
    stage = FactStage(session, compared_columns(checker))
    keep_open = False
    codes_loaded = not stage.postgres
    try:
        for rows in checked:
            if not errors:  # once a row is bad nothing will be written: check, stop staging
                stage.add(rows, keep_open=keep_open)
                if not codes_loaded:  # every code cached: the server stores as we check
                    codes_loaded = True
                    keep_open = checker.load_codes(LOAD_CODES_MAX)
        stage.end_adding()
        if errors:
            return reading.read, Counts()
        stage.analyse()
        stage.duplicates(errors, checker.period_codes)
        stage.closed(errors)
        if errors:
            return reading.read, Counts()
        counts = stage.counts()
        if not dry_run:
            step(counts.unchanged)
            for written in stage.write(counts):
                step(written)
        return reading.read, counts
    finally:
        stage.drop()


class _Reading:
    """The file's chunks checked (the rows read counted, a progress step per row)."""

    def __init__(self, checker: FactColumns, errors: ErrorList, step: Progress) -> None:
        self.checker = checker
        self.errors = errors
        self.step = step
        self.read = 0

    def checked(self, chunks: Chunks) -> Iterator[list[tuple[Any, ...]]]:
        """The staging tuples of each chunk (none once a row of the file is bad)."""
        for lines, cells in chunks:
            self.read += len(lines)
            rows = self.checker.chunk(lines, cells)
            self.step(len(lines))
            yield rows
