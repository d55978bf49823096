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
from kamscore.sentences import N_, Sentence

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


#: What a value should be, by default (the readers' ``what``).
A_MAPPING = N_("a mapping")
A_LIST = N_("a list")
A_TEXT = N_("a text")
AN_ID = N_("an id")
A_NUMBER = N_("a number")
A_WHOLE_NUMBER = N_("a whole number")


def describe(value: Any) -> Sentence | str:
    """How a YAML value is named in messages (a sentence: ``str()`` of it is the English)."""
    if value is None:
        return N_("nothing")
    if isinstance(value, bool):
        return N_("%(value)s (yes/no)", value=str(value).lower())
    if isinstance(value, dict):
        return N_("a mapping")
    if isinstance(value, list):
        return N_("a list")
    return repr(value)


def suggestion(word: str, choices: Iterable[str]) -> Sentence | str:
    """``; did you mean 'x'?`` when a choice is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return N_("; did you mean %(choice)s?", choice=repr(close[0])) if close else ""


def one_of(choices: Collection[str]) -> Sentence | str:
    items = [repr(c) for c in choices]
    if len(items) == 1:
        return items[0]
    return N_("%(items)s or %(last)s", items=", ".join(items[:-1]), last=items[-1])


def what_of(what: str | Sentence) -> Sentence:
    """What a value should be (``"a text"``), as a sentence: the catalogue translates it
    when it holds it (the readers' defaults are marked ``N_``), else it reads as written."""
    return what if isinstance(what, Sentence) else Sentence(what)


class Reader:
    def __init__(self, source: YamlSource) -> None:
        self.source = source

    def problem(self, path: KeyPath, message: str | Sentence) -> None:
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
                self.problem(path, N_("translations need the English text too: add `en:`"))
                return default, {}
            return value["en"], dict(value)
        self.problem(path, N_("expected a text, or its translations by language like "
                              "{en: Sales, zh-Hant: 銷售}, found %(found)s",
                              found=describe(value)))
        return default, {}

    def mapping(self, path: KeyPath, value: Any, *, required: Collection[str] = (),
                optional: Collection[str] = (),
                what: str | Sentence = A_MAPPING) -> dict[str, Any] | None:
        """``value`` as a dict whose keys are all known; problems for unknown or missing keys
        (an unknown key gets a "did you mean")."""
        if value is ABSENT:
            return None
        if not isinstance(value, dict):
            self.problem(path, N_("expected %(what)s, found %(found)s", what=what_of(what),
                                  found=describe(value)))
            return None
        allowed = [*required, *optional]
        for key in value:
            if key not in allowed:
                self.problem((*path, str(key)),
                             N_("unknown key %(key)s%(hint)s (expected %(expected)s)",
                                key=repr(key), hint=suggestion(str(key), allowed),
                                expected=one_of(allowed)))
        result = {str(k): v for k, v in value.items() if k in allowed}
        for key in required:
            if key not in value:
                self.problem(path, N_("missing required key %(key)s", key=repr(key)))
                result[key] = ABSENT
        return result

    def sequence(self, path: KeyPath, value: Any, *, what: str | Sentence = A_LIST,
                 allow_empty: bool = False) -> list[Any] | None:
        if value is ABSENT:
            return None
        if not isinstance(value, list):
            self.problem(path, N_("expected %(what)s, found %(found)s", what=what_of(what),
                                  found=describe(value)))
            return None
        if not value and not allow_empty:
            self.problem(path, N_("expected %(what)s, found an empty list",
                                  what=what_of(what)))
            return None
        return value

    def text(self, path: KeyPath, value: Any, *,
             what: str | Sentence = A_TEXT) -> str | None:
        if value is ABSENT:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(path, N_("expected %(what)s, found %(found)s", what=what_of(what),
                                  found=describe(value)))
            return None
        if isinstance(value, int | float):
            return _show(value)
        if not value.strip():
            self.problem(path, N_("expected %(what)s, found an empty text",
                                  what=what_of(what)))
            return None
        return value

    def identifier(self, path: KeyPath, value: Any, *,
                   what: str | Sentence = AN_ID) -> str | None:
        if value is ABSENT:
            return None
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problem(path, N_("expected %(what)s: lowercase letters, digits and '_', "
                                  "starting with a letter, at most 40 characters; found "
                                  "%(found)s", what=what_of(what), found=describe(value)))
            return None
        return value

    def choice(self, path: KeyPath, value: Any, choices: Collection[str]) -> str | None:
        if value is ABSENT:
            return None
        if value not in choices:
            hint = suggestion(str(value), choices) if isinstance(value, str) else ""
            self.problem(path, N_("expected %(what)s, found %(found)s%(hint)s",
                                  what=one_of(choices), found=describe(value), hint=hint))
            return None
        return str(value)

    def boolean(self, path: KeyPath, value: Any) -> bool | None:
        if value is ABSENT:
            return None
        if not isinstance(value, bool):
            self.problem(path, N_("expected true or false, found %(found)s",
                                  found=describe(value)))
            return None
        return value

    def quantity(self, path: KeyPath, value: Any, *,
                 what: str | Sentence = A_NUMBER) -> Quantity | None:
        if value is ABSENT:
            return None
        quantity = parse_quantity(value)
        if quantity is None:
            self.problem(path, N_("expected %(what)s (like 0.8, 80%% or 5 pts), found "
                                  "%(found)s", what=what_of(what), found=describe(value)))
        return quantity

    def number(self, path: KeyPath, value: Any, *, what: str | Sentence = A_NUMBER,
               minimum: float | None = None, maximum: float | None = None,
               percent: bool = True) -> float | None:
        if value is ABSENT:
            return None
        """A plain number or (when ``percent``) a percentage; no ``pts``; within bounds."""
        quantity = parse_quantity(value)
        if quantity is None or quantity.unit == "points" or (
            quantity.unit == "ratio" and not percent
        ):
            if percent:
                self.problem(path, N_("expected %(what)s (like 1.5 or 150%%), found %(found)s",
                                      what=what_of(what), found=describe(value)))
            else:
                self.problem(path, N_("expected %(what)s, found %(found)s", what=what_of(what),
                                      found=describe(value)))
            return None
        number = quantity.value
        if minimum is not None and maximum is not None and not minimum <= number <= maximum:
            self.problem(path, N_("expected %(what)s between %(minimum)s and %(maximum)s, "
                                  "found %(found)s", what=what_of(what),
                                  minimum=f"{minimum:g}", maximum=f"{maximum:g}",
                                  found=quantity.written))
            return None
        if minimum is not None and number < minimum:
            self.problem(path, N_("expected %(what)s of at least %(minimum)s, found %(found)s",
                                  what=what_of(what), minimum=f"{minimum:g}",
                                  found=quantity.written))
            return None
        if maximum is not None and number > maximum:
            self.problem(path, N_("expected %(what)s of at most %(maximum)s, found %(found)s",
                                  what=what_of(what), maximum=f"{maximum:g}",
                                  found=quantity.written))
            return None
        return number

    def integer(self, path: KeyPath, value: Any, *, minimum: int = 0,
                what: str | Sentence = A_WHOLE_NUMBER) -> int | None:
        if value is ABSENT:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.problem(path, N_("expected %(what)s of at least %(minimum)s, found %(found)s",
                                  what=what_of(what), minimum=minimum, found=describe(value)))
            return None
        return value

    def decimal(self, path: KeyPath, value: Any, *, what: str | Sentence) -> Decimal | None:
        if value is ABSENT:
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            number = Decimal(str(value))
        except InvalidOperation:
            self.problem(path, N_("expected %(what)s, found %(found)s", what=what_of(what),
                                  found=describe(value)))
            return None
        if not number.is_finite():
            self.problem(path, N_("expected %(what)s, found %(found)s", what=what_of(what),
                                  found=describe(value)))
            return None
        return number
