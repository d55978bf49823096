"""A refused import as its page and its errors CSV show it: the job's stored sentences in
the reader's language (issue 20).

The checks of :mod:`kamscore.importing` write every reason as a sentence, and the import's
job stores them (``{"id": template, "values": {...}}``; a job stored before sentences holds
English texts, shown as they are). Here they are translated for the reader; a value named
``kind`` is an import kind's code, shown by its word (``stored_words.IMPORT_KINDS``). The
API shows the same job in English (``kamscore.api.jobs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from kamscore.importing.errors import SheetLayout, error_rows, errors_csv
from kamscore.models import BackgroundJob, JobState
from kamscore.sentences import Sentence
from kamscore.texts import translated
from kamscore.web.stored_words import word


def shown(stored: Mapping[str, Any] | str | Sentence) -> str:
    """A stored sentence (or an old job's English text) in the reader's language."""
    sentence = stored if isinstance(stored, Sentence) else Sentence.from_dict(stored)
    if "kind" in sentence.values and isinstance(sentence.values["kind"], str):
        sentence = Sentence(sentence.template, {
            **sentence.values, "kind": word(sentence.values["kind"], "import_kind")})
    return translated(sentence)


def headline(job: BackgroundJob) -> str:
    """Why a job failed, in the reader's language (its English text for an old job)."""
    error = job.error or {}
    stored = error.get("sentence") or error.get("message")
    return "" if stored is None else shown(stored)


def layout_of(job: BackgroundJob) -> SheetLayout | None:
    """The sheet and column letters of a refused workbook (None for a CSV file)."""
    return SheetLayout.from_dict((job.error or {}).get("layout"))


def error_lines(job: BackgroundJob) -> list[tuple[int, str, str, str]]:
    """``(line, column, letter, reason)`` of every error of a refused file, by line: the
    reason in the reader's language, ``letter`` the column's in a workbook (else "")."""
    if job.state is not JobState.FAILED or not job.error:
        return []
    letters = layout.letters if (layout := layout_of(job)) else {}
    return [(line, column, letters.get(column, ""), shown(reason))
            for line, column, reason in error_rows(job.error.get("errors") or {})]


def errors_file(job: BackgroundJob) -> str:
    """Every error of a refused file as CSV, in the reader's language: line, column and
    reason; for a workbook also where the cell is (sheet, row, column letter)."""
    layout = layout_of(job)
    stored = error_rows(job.error.get("errors") or {})
    if layout is None:
        return errors_csv((_("line"), _("column"), _("error")),
                          ((line, column, shown(reason)) for line, column, reason in stored))
    return errors_csv((_("row"), _("column"), _("error"), _("where")),
                      ((line, column, shown(reason), shown(layout.where(line, column)))
                       for line, column, reason in stored))
