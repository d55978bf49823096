"""The column-wise path of the facts import: chunks checked column by column
(:mod:`kamscore.importing.kinds.fact_columns`), staged in bulk, compared and written in SQL
(:mod:`kamscore.importing.fact_stage`). Memory is bounded by the chunk size and the code
caches, whatever the length of the file: nothing is kept per row (repeated keys are found in
SQL).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from kamscore.importing.changes import Counts, Progress
from kamscore.importing.errors import ErrorList
from kamscore.importing.fact_stage import FactStage
from kamscore.importing.kinds.fact_columns import FactColumns


def import_facts(session: Session, chunks: Iterator[tuple[list[int], list[list[str]]]],
                 columns: tuple[str, ...], *, filename: str, decimal: str, dry_run: bool,
                 errors: ErrorList, step: Progress) -> tuple[int, Counts]:
    """Check, stage and (unless ``dry_run`` or there are errors) write a facts file;
    returns the rows read and the counts. The caller raises when ``errors`` is not empty."""
    checker = FactColumns(session, columns, filename, decimal, errors)
    compared = ["value", "category", "unit", *(["source"] if "source" in columns else [])]
    stage = FactStage(session, compared)
    read = 0
    try:
        for lines, cells in chunks:
            read += len(lines)
            staged = checker.chunk(lines, cells)
            if not errors:  # once a row is bad nothing will be written: check, stop staging
                stage.add(staged)
            step(len(lines))
        if errors:
            return read, Counts()
        stage.analyse()
        stage.duplicates(errors, checker.period_codes)
        stage.closed(errors)
        if errors:
            return read, Counts()
        counts = stage.counts()
        if not dry_run:
            step(counts.unchanged)
            for written in stage.write(counts):
                step(written)
        return read, counts
    finally:
        stage.drop()

