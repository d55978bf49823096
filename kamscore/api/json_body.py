"""JSON request bodies read within limits: the parser behind the API's ``@blp.arguments``.

Read with ``json.loads`` alone, a hostile body answers 500: nested 100,000 deep it raises
``RecursionError``; a number of 5,000 digits, ``ValueError`` (Python's limit on converting
digits to an int); ``1e999`` becomes infinity; and a NUL character in a string reaches
PostgreSQL, which cannot store or compare text holding one. ``ApiParser`` reads JSON
bodies with ``read_json``, which refuses each of these as bad input (400) before any schema
sees the body:

- arrays and objects nested deeper than ``MAX_DEPTH`` (counted before anything is decoded);
- a number written with more than ``MAX_NUMBER_LENGTH`` characters, one beyond the range of a
  float, ``NaN`` and ``Infinity``;
- a NUL character in a key or a string.

``errors`` names the field as the API's other refusals of a body's value do:
``{"weights": {"sales": ["..."]}}`` (a list item by its index), and so does the message.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Request
from flask_smorest import abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from kamscore.content.yaml_source import KeyPath, format_path

MAX_DEPTH = 32
MAX_NUMBER_LENGTH = 100
NUL = "\x00"

#: A JSON string, or a bracket outside strings.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class _Refused:
    """Stands in for a number the body may not hold, until its field is known."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _int(text: str) -> int | _Refused:
    if len(text) > MAX_NUMBER_LENGTH:
        return _too_long(text)
    return int(text)


def _float(text: str) -> float | _Refused:
    if len(text) > MAX_NUMBER_LENGTH:
        return _too_long(text)
    value = float(text)
    if not math.isfinite(value):
        return _Refused(f"The number {text} is out of range.")
    return value


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a number JSON allows.")


def _too_long(text: str) -> _Refused:
    return _Refused(f"A number written with {len(text)} characters; at most "
                    f"{MAX_NUMBER_LENGTH} are allowed.")


def nesting_depth_exceeds(text: str, limit: int) -> bool:
    """Whether arrays and objects in the JSON ``text`` nest deeper than ``limit``."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def read_json(data: bytes) -> Any:
    """Decode a JSON body within the limits above (400 naming the field when it breaks one).

    A body that is not JSON at all raises ``json.JSONDecodeError`` (or
    ``UnicodeDecodeError``), which webargs answers with its own 400.
    """
    text = data.decode("utf-8")
    if nesting_depth_exceeds(text, MAX_DEPTH):
        reason = f"Arrays and objects are nested deeper than {MAX_DEPTH} levels."
        abort(400, message=f"Invalid JSON body: {reason}", errors={"json": [reason]})
    value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    found = sorted(_refusals(value), key=lambda item: [str(part) for part in item[0]])
    if found:
        path, reason = found[0]
        where = format_path(path) if path else "the body"
        message = (f"Invalid JSON body: {where}: {reason}" if len(found) == 1
                   else "Invalid JSON body: see errors.")
        abort(400, message=message, errors=_by_field(found))
    return value


def _refusals(value: Any) -> list[tuple[KeyPath, str]]:
    """The refused numbers and NUL characters in ``value``, with their key paths."""
    found: list[tuple[KeyPath, str]] = []
    stack: list[tuple[KeyPath, Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                if NUL in key:
                    found.append(((*path, key), "A key must not contain NUL characters (\\x00)."))
                else:
                    stack.append(((*path, key), item))
        elif isinstance(node, list):
            stack.extend(((*path, index), item) for index, item in enumerate(node))
        elif isinstance(node, _Refused):
            found.append((path, node.reason))
        elif isinstance(node, str) and NUL in node:
            found.append((path, "Must not contain NUL characters (\\x00)."))
    return found


def _by_field(found: list[tuple[KeyPath, str]]) -> Any:
    """``{"weights": {"sales": [reason]}}`` (``{"json": [reasons]}`` for the body itself),
    the shape of the API's other errors that name a field of the body."""
    if any(not path for path, _ in found):
        return {"json": [reason for _, reason in found]}
    errors: dict[str | int, Any] = {}
    for path, reason in found:
        place = errors
        for part in path[:-1]:
            place = place.setdefault(part, {})
        place.setdefault(path[-1], []).append(reason)
    return errors


class ApiParser(FlaskParser):
    """webargs' Flask parser, reading JSON bodies with ``read_json``."""

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return core.missing
        return read_json(req.get_data(cache=True))
