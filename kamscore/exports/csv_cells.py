"""Spreadsheet-safe CSV cells (OWASP "CSV injection").

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return as a formula; a name or a comment typed by someone else could then call out
or change numbers. Every CSV kamscore writes passes its *text* cells through
:func:`safe_text`, which puts a single quote in front of such a cell. Numbers are written as
numbers (a negative amount stays ``-12.5``): only strings are touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def safe_cell(value: Any) -> Any:
    """A text cell neutralised; any other value (numbers, None) unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]
