"""Whole numbers that reach the database from outside: ids in URLs, numbers in requests.

Primary keys, versions and counts are INTEGER columns: PostgreSQL's ``int4`` refuses anything
above ``2**31 - 1`` (a ``DataError``), and SQLite cannot even bind a Python int beyond 64
bits (an ``OverflowError``). Either way a number nobody could have been given would answer
500. So every ``<int:...>`` in a URL rule of the app matches only ``0..MAX_ID``: ``init_app``
makes Flask's ``int`` converter this bounded one before any blueprint is registered, and a
larger id in a URL answers 404 like any other unknown id. Request fields that name a stored
number validate against the same ``MAX_ID``.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

#: The largest value an INTEGER column holds on both backends (PostgreSQL's int4).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """Flask's ``int`` converter whose ``max`` is ``MAX_ID`` unless a rule asks for less."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        bound = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)


def init_app(app: Flask) -> None:
    """Bound every ``<int:...>`` URL variable of ``app`` (call before registering routes)."""
    app.url_map.converters["int"] = IdConverter
