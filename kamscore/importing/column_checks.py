"""Validating a chunk of a file column by column, with the same rules and the same messages
as the row schemas (``kamscore.importing.fields``).

Codes and short texts repeat: a file of 200,000 facts names 4 periods, 5 fact names and a few
thousand accounts. So each rule runs once per *distinct* value of a column, and its verdict is
copied to the lines that hold the value: validation costs a set and a dict look-up per cell
instead of a schema load per row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from kamscore.importing.cell_formats import CellError, number_text
from kamscore.importing.errors import ErrorList
from kamscore.importing.fields import (
    CODE_MESSAGE,
    CODE_PATTERN,
    FINITE_MESSAGE,
    NUMBER_MESSAGE,
    REQUIRED,
    too_long,
)
from kamscore.sentences import Sentence

_CODE = re.compile(CODE_PATTERN)

#: a rule: the messages for one distinct non-empty value (none: valid)
Rule = Callable[[str], list[Sentence]]


class ColumnChecker:
    """The errors of one chunk: ``lines[i]`` is the file line of row ``i``; ``bad`` holds the
    indexes of rows with at least one cell error (their cross-column rules are skipped, as
    the row schemas skip them)."""

    def __init__(self, lines: Sequence[int], errors: ErrorList) -> None:
        self.lines = lines
        self.errors = errors
        self.bad: set[int] = set()

    def add(self, index: int, column: str, message: Sentence) -> None:
        self.errors.add(self.lines[index], column, message)
        self.bad.add(index)

    def check(self, column: str, values: list[str], rule: Rule, *, required: bool) -> None:
        """Apply ``rule`` to each distinct non-empty value; empty cells are errors when
        ``required``."""
        distinct = set(values)
        failing = {value: messages for value in distinct if value and (messages := rule(value))}
        if not failing and not (required and "" in distinct):
            return
        for index, value in enumerate(values):
            if not value:
                if required:
                    self.add(index, column, REQUIRED)
            elif value in failing:
                for message in failing[value]:
                    self.add(index, column, message)

    def numbers(self, column: str, values: list[str], decimal: str) -> list[float | None]:
        """Each cell as a float (None when empty), as ``fields.number`` loads it."""
        if decimal == ",":
            values = [self._decimal_comma(i, column, v) for i, v in enumerate(values)]
        gaps = "" in values
        try:
            result: list[float | None] = ([float(v) if v else None for v in values] if gaps
                                          else list(map(float, values)))
        except ValueError:
            result = [self._number(i, column, v) for i, v in enumerate(values)]
            gaps = True
        given = [x for x in result if x is not None] if gaps else result
        if math.isfinite(sum(given)):  # type: ignore[arg-type]  # (an inf or a NaN spreads)
            return result
        for index, number in enumerate(result):
            if number is not None and not math.isfinite(number):
                self.add(index, column, FINITE_MESSAGE)
                result[index] = None
        return result

    def _decimal_comma(self, index: int, column: str, value: str) -> str:
        if not value:
            return value
        try:
            return number_text(value, ",")
        except CellError as exc:
            self.add(index, column, exc.sentence)
            return ""

    def _number(self, index: int, column: str, value: str) -> float | None:
        if not value:
            return None
        try:
            return float(value)
        except ValueError:
            self.add(index, column, NUMBER_MESSAGE)
            return None


def code_rule(max_length: int) -> Rule:
    """A natural key, as ``fields.code`` checks it."""
    def rule(value: str) -> list[Sentence]:
        return text_rule(max_length)(value) + ([] if _CODE.match(value) else [CODE_MESSAGE])
    return rule


def text_rule(max_length: int) -> Rule:
    """A text no longer than the model's column, as ``fields.text`` checks it."""
    message = too_long(max_length)
    return lambda value: [message] if len(value) > max_length else []


def pattern_rule(max_length: int, pattern: str, message: Sentence) -> Rule:
    compiled = re.compile(pattern)
    def rule(value: str) -> list[Sentence]:
        return text_rule(max_length)(value) + ([] if compiled.match(value) else [message])
    return rule
