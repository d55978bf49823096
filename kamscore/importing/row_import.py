"""The row-by-row path: each row through its kind's marshmallow schema, then ``prepare`` and
``write``. Used by every kind but facts (files of hundreds or thousands of rows: people,
accounts, plans), whose rows need the whole file (a manager further down, a team's members).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any

from marshmallow import ValidationError, fields
from sqlalchemy.orm import Session

from kamscore.importing.base import ImportContext, Importer, LoadedRow
from kamscore.importing.cell_formats import CellError, CellFormat, date_text, number_text
from kamscore.importing.changes import Counts, Progress, TableChanges
from kamscore.importing.errors import ErrorList
from kamscore.sentences import N_, Sentence

#: Report progress every this many validated rows.
PROGRESS_EVERY = 1_000


def load_rows(importer: Importer, chunks: Iterator[tuple[list[int], list[list[str]]]],
              columns: tuple[str, ...], cell_format: CellFormat, errors: ErrorList,
              step: Progress) -> tuple[list[LoadedRow], int]:
    """Each row through the kind's schema; duplicates of a natural key are errors. Returns
    the valid rows and the number of rows read."""
    schema = importer.schema()
    normalise = _normalisers(schema.fields, cell_format)
    rows: list[LoadedRow] = []
    first_line: dict[Hashable, int] = {}
    read = 0
    for lines, cells in chunks:
        for line, row in zip(lines, cells, strict=True):
            read += 1
            if read % PROGRESS_EVERY == 0:
                step(PROGRESS_EVERY)
            values = {}
            for column, cell in zip(columns, row, strict=True):
                cell = cell.strip()
                if not cell:
                    continue
                convert = normalise.get(column)
                if convert is not None:
                    try:
                        cell = convert(cell)
                    except CellError as exc:
                        errors.add(line, column, exc.sentence)
                        continue
                values[column] = cell
            try:
                data = schema.load(values)
            except ValidationError as exc:
                _add_messages(errors, line, exc.messages)
                continue
            key = importer.key(data)
            if key in first_line:
                errors.add(line, "", N_("%(key)s is already on line %(line)s",
                                        key=importer.describe_key(key), line=first_line[key]))
                continue
            first_line[key] = line
            rows.append(LoadedRow(line, data))
    step(read % PROGRESS_EVERY)
    return rows, read


def prepare_and_count(importer: Importer, session: Session, rows: list[LoadedRow],
                      context: ImportContext) -> tuple[list[TableChanges], dict[str, Counts]]:
    changes = importer.prepare(session, rows, context)
    tables: dict[str, Counts] = {}
    for table_changes in changes:
        counts = tables.setdefault(table_changes.model.__tablename__, Counts())
        for name, value in table_changes.counts.as_dict().items():
            setattr(counts, name, getattr(counts, name) + value)
    return changes, tables


def _normalisers(schema_fields: dict[str, Any], cell_format: CellFormat) -> dict[str, Any]:
    """Per column, what turns a localised cell into the text its field reads."""
    found = {}
    for name, field in schema_fields.items():
        if isinstance(field, fields.Date):
            found[name] = lambda text: date_text(text, cell_format.date_format)
        elif (isinstance(field, fields.Number) and cell_format.decimal == ","):
            found[name] = lambda text: number_text(text, ",")
    return found


def _add_messages(errors: ErrorList, line: int, messages: object, column: str = "") -> None:
    if isinstance(messages, dict):
        for name, inner in messages.items():
            _add_messages(errors, line, inner, "" if name == "_schema" else str(name))
    elif isinstance(messages, list):
        for message in messages:
            _add_messages(errors, line, message, column)
    else:
        errors.add(line, column,
                   messages if isinstance(messages, Sentence) else Sentence(str(messages)))
