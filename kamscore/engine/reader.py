"""Typed reading of ruleset YAML data that records a problem instead of raising.

The ruleset builder asks a ``Reader`` for "the mapping at this path with these keys", "a
percentage here", "one of these words there". Each getter returns the value, or ``None``
after recording a ``Problem`` (file, line, key path, what was expected) on the
``YamlSource``, so validation carries on and reports every problem at once.

Numbers may be written as plain numbers or percentages: ``60%`` reads as 0.6 (exactly as the
decimal text says, not via float arithmetic on the binary value).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kamscore.content.yaml_source import KeyPath, YamlSource

_PERCENT = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%\s*$")
_POINTS = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*pts?\s*$")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: A language tag as a translated text names it: ``en``, ``zh-Hant``, ``pt-BR``.
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class _Absent:
    """Stands for a required key that is missing (already reported by ``Reader.mapping``):
    every getter returns None for it without a second message."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Quantity:
    """A number read from YAML: its value, the unit its spelling gave it (``ratio`` for
    ``60%``, ``points`` for ``5 pts``, None for a plain number) and the text as written."""

    value: float
    unit: str | None
    written: str


def parse_quantity(raw: Any) -> Quantity | None:
    """``0.6``, ``60%``, ``5 pts`` -> Quantity; None if ``raw`` is not a number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        if not math.isfinite(float(raw)):
            return None
        return Quantity(float(raw), None, _show(raw))
    if isinstance(raw, str):
        match = _PERCENT.match(raw)
        if match:
            return Quantity(float(Decimal(match.group(1)) / 100), "ratio", raw.strip())
        match = _POINTS.match(raw)
        if match:
            return Quantity(float(Decimal(match.group(1))), "points", raw.strip())
    return None


def _show(raw: Any) -> str:
    return f"{raw:g}" if isinstance(raw, float) else str(raw)


def describe(value: Any) -> str:
    """How a YAML value is named in messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def suggestion(word: str, choices: Iterable[str]) -> str:
    """``; did you mean 'x'?`` when a choice is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def one_of(choices: Collection[str]) -> str:
    items = [repr(c) for c in choices]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


class Reader:
    def __init__(self, source: YamlSource) -> None:
        self.source = source

    def problem(self, path: KeyPath, message: str) -> None:
        self.source.problem(path, message)

    def translated(self, path: KeyPath, value: Any, default: str) -> tuple[str, dict[str, str]]:
        """A text a person reads (a title): a plain string, or its translations by language
        (``{en: Sales attainment, zh-Hant: 銷售達成率}``, ``en`` required). Returns the English
        text and the translations ({} for a plain string); ``default`` after a problem."""
        if isinstance(value, str):
            return value, {}
        if isinstance(value, dict) and value and all(
                isinstance(k, str) and LANGUAGE_TAG.match(k) and isinstance(v, str)
                for k, v in value.items()):
            if "en" not in value:
                self.problem(path, "translations need the English text too: add `en:`")
                return default, {}
            return value["en"], dict(value)
        self.problem(path, "expected a text, or its translations by language like "
                           f"{{en: Sales, zh-Hant: 銷售}}, found {describe(value)}")
        return default, {}

    def mapping(self, path: KeyPath, value: Any, *, required: Collection[str] = (),
                optional: Collection[str] = (), what: str = "a mapping") -> dict[str, Any] | None:
        """``value`` as a dict whose keys are all known; problems for unknown or missing keys
        (an unknown key gets a "did you mean")."""
        if value is ABSENT:
            return None
        if not isinstance(value, dict):
            self.problem(path, f"expected {what}, found {describe(value)}")
            return None
        allowed = [*required, *optional]
        for key in value:
            if key not in allowed:
                self.problem((*path, str(key)),
                             f"unknown key {key!r}{suggestion(str(key), allowed)} "
                             f"(expected {one_of(allowed)})")
        result = {str(k): v for k, v in value.items() if k in allowed}
        for key in required:
            if key not in value:
                self.problem(path, f"missing required key {key!r}")
                result[key] = ABSENT
        return result

    def sequence(self, path: KeyPath, value: Any, *, what: str = "a list",
                 allow_empty: bool = False) -> list[Any] | None:
        if value is ABSENT:
            return None
        if not isinstance(value, list):
            self.problem(path, f"expected {what}, found {describe(value)}")
            return None
        if not value and not allow_empty:
            self.problem(path, f"expected {what}, found an empty list")
            return None
        return value

    def text(self, path: KeyPath, value: Any, *, what: str = "a text") -> str | None:
        if value is ABSENT:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(path, f"expected {what}, found {describe(value)}")
            return None
        if isinstance(value, int | float):
            return _show(value)
        if not value.strip():
            self.problem(path, f"expected {what}, found an empty text")
            return None
        return value

    def identifier(self, path: KeyPath, value: Any, *, what: str = "an id") -> str | None:
        if value is ABSENT:
            return None
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problem(path, f"expected {what}: lowercase letters, digits and '_', starting "
                               f"with a letter, at most 40 characters; found {describe(value)}")
            return None
        return value

    def choice(self, path: KeyPath, value: Any, choices: Collection[str]) -> str | None:
        if value is ABSENT:
            return None
        if value not in choices:
            hint = suggestion(str(value), choices) if isinstance(value, str) else ""
            self.problem(path, f"expected {one_of(choices)}, found {describe(value)}{hint}")
            return None
        return str(value)

    def boolean(self, path: KeyPath, value: Any) -> bool | None:
        if value is ABSENT:
            return None
        if not isinstance(value, bool):
            self.problem(path, f"expected true or false, found {describe(value)}")
            return None
        return value

    def quantity(self, path: KeyPath, value: Any, *, what: str = "a number") -> Quantity | None:
        if value is ABSENT:
            return None
        quantity = parse_quantity(value)
        if quantity is None:
            self.problem(path, f"expected {what} (like 0.8, 80% or 5 pts), found "
                               f"{describe(value)}")
        return quantity

    def number(self, path: KeyPath, value: Any, *, what: str = "a number",
               minimum: float | None = None, maximum: float | None = None,
               percent: bool = True) -> float | None:
        if value is ABSENT:
            return None
        """A plain number or (when ``percent``) a percentage; no ``pts``; within bounds."""
        quantity = parse_quantity(value)
        if quantity is None or quantity.unit == "points" or (
            quantity.unit == "ratio" and not percent
        ):
            spelled = " (like 1.5 or 150%)" if percent else ""
            self.problem(path, f"expected {what}{spelled}, found {describe(value)}")
            return None
        number = quantity.value
        if minimum is not None and maximum is not None and not minimum <= number <= maximum:
            self.problem(path, f"expected {what} between {minimum:g} and {maximum:g}, found "
                               f"{quantity.written}")
            return None
        if minimum is not None and number < minimum:
            self.problem(path, f"expected {what} of at least {minimum:g}, found "
                               f"{quantity.written}")
            return None
        if maximum is not None and number > maximum:
            self.problem(path, f"expected {what} of at most {maximum:g}, found "
                               f"{quantity.written}")
            return None
        return number

    def integer(self, path: KeyPath, value: Any, *, minimum: int = 0,
                what: str = "a whole number") -> int | None:
        if value is ABSENT:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.problem(path, f"expected {what} of at least {minimum}, found "
                               f"{describe(value)}")
            return None
        return value

    def decimal(self, path: KeyPath, value: Any, *, what: str) -> Decimal | None:
        if value is ABSENT:
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            number = Decimal(str(value))
        except InvalidOperation:
            self.problem(path, f"expected {what}, found {describe(value)}")
            return None
        if not number.is_finite():
            self.problem(path, f"expected {what}, found {describe(value)}")
            return None
        return number
