"""Facts validated column-wise, a chunk at a time: the rules of :class:`FactRow` (same
messages), then the codes resolved to ids through caches that grow with the file (a few
thousand codes, never a row each). Valid rows come out as tuples for the staging table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from kamscore.importing import fields as f
from kamscore.importing.column_checks import ColumnChecker, code_rule, pattern_rule, text_rule
from kamscore.importing.errors import ErrorList
from kamscore.importing.lookup import ids_by_code
from kamscore.models import Account, Fact, Period, Person, Product, Team

SUBJECTS = (("account", Account), ("person", Person), ("team", Team), ("product", Product))

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
NAME_MESSAGE = "lower-case letters, digits and _ (e.g. net_sales), as metrics name it"
NO_SUBJECT = "a fact is about an account, a person or a team: give at least one"
VALUE_OR_CATEGORY = ("give either a value (a number) or a category (a label such as listed), "
                     "exactly one")

#: The staging table's columns, in the order of the tuples :meth:`FactColumns.chunk` makes.
STAGE_COLUMNS = ("line", "period_id", "name", "subject_key", "account_id", "person_id",
                 "team_id", "product_id", "value", "category", "unit", "source")

_RULES = {
    "period": code_rule(f.column_length(Period.code)),
    "name": pattern_rule(f.column_length(Fact.name), NAME_PATTERN, NAME_MESSAGE),
    "account": code_rule(f.column_length(Account.code)),
    "person": code_rule(f.column_length(Person.code)),
    "team": code_rule(f.column_length(Team.code)),
    "product": code_rule(f.column_length(Product.code)),
    "category": text_rule(f.column_length(Fact.category)),
    "unit": text_rule(f.column_length(Fact.unit)),
    "source": text_rule(f.column_length(Fact.source)),
}
_REQUIRED = {"period", "name", "unit"}


class FactColumns:
    """Checks the chunks of one facts file; keeps the code → id caches between chunks."""

    def __init__(self, session: Session, columns: Sequence[str], filename: str,
                 decimal: str, errors: ErrorList) -> None:
        self.session = session
        self.columns = tuple(columns)
        self.decimal = decimal
        self.errors = errors
        self.default_source = filename[: f.column_length(Fact.source)]
        self.ids: dict[str, dict[str, int | None]] = {c: {} for c in ("period", *_SUBJECT_NAMES)}
        self.period_codes: dict[int, str] = {}

    def chunk(self, lines: list[int], cells: list[list[str]]) -> list[tuple[Any, ...]]:
        """The staging tuples of the chunk's valid rows; errors for the others."""
        checker = ColumnChecker(lines, self.errors)
        rows = len(lines)
        empty = [""] * rows
        col = {name: [row[i] for row in cells] for i, name in enumerate(self.columns)}
        get = lambda name: col.get(name, empty)  # noqa: E731
        for name, rule in _RULES.items():
            if name in col or name in _REQUIRED:
                checker.check(name, get(name), rule, required=name in _REQUIRED)
        values = (checker.numbers("value", col["value"], self.decimal) if "value" in col
                  else [None] * rows)
        categories = get("category")
        accounts, people, teams, products = (get(n) for n in _SUBJECT_NAMES)
        for i in range(rows):
            if i in checker.bad:
                continue  # cross-column rules only for rows whose cells are valid
            if not (accounts[i] or people[i] or teams[i]):
                checker.add(i, "account", NO_SUBJECT)
            elif (values[i] is None) == (not categories[i]):
                checker.add(i, "value", VALUE_OR_CATEGORY)
        bad = checker.bad
        good = [i for i in range(rows) if i not in bad]
        period_ids = self._resolve(checker, "period", get("period"), good)
        subject_ids = [self._resolve(checker, n, get(n), good) for n in _SUBJECT_NAMES]
        names, units, sources = get("name"), get("unit"), get("source")
        keys: dict[tuple[str, str, str, str], str] = {}
        staged = []
        for i in good:
            if i in bad:
                continue
            parts = (accounts[i], people[i], teams[i], products[i])
            subject = keys.get(parts)
            if subject is None:
                subject = keys[parts] = Fact.make_subject_key(*parts)
            staged.append((lines[i], period_ids[i], names[i], subject, subject_ids[0][i],
                           subject_ids[1][i], subject_ids[2][i], subject_ids[3][i], values[i],
                           categories[i] or None, units[i], sources[i] or self.default_source))
        return staged

    def _resolve(self, checker: ColumnChecker, column: str, codes: list[str],
                 rows: list[int]) -> list[int | None]:
        """Ids of ``codes`` (None for empty cells); "unknown ..." errors for the others."""
        cache = self.ids[column]
        missing = {codes[i] for i in rows if codes[i] and codes[i] not in cache}
        if missing:
            found = ids_by_code(self.session, _MODELS[column], missing)
            for code in missing:
                cache[code] = found.get(code)
            if column == "period":
                self.period_codes.update({id_: code for code, id_ in found.items()})
        result: list[int | None] = [None] * len(codes)
        for i in rows:
            code = codes[i]
            if code:
                id_ = cache[code]
                if id_ is None:
                    checker.add(i, column, f"unknown {column} '{code}'")
                result[i] = id_
        return result


_SUBJECT_NAMES = tuple(name for name, _ in SUBJECTS)
_MODELS = {"period": Period, **dict(SUBJECTS)}
