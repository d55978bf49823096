"""Facts validated column-wise, a chunk at a time: the rules of :class:`FactRow` (same
messages), then the codes resolved to ids through caches that grow with the file (a few
thousand codes, never a row each). Valid rows come out as tuples for the staging table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kamscore.importing import fields as f
from kamscore.importing.base import UNKNOWN_CODE
from kamscore.importing.column_checks import ColumnChecker, code_rule, pattern_rule, text_rule
from kamscore.importing.errors import ErrorList
from kamscore.importing.lookup import ids_by_code
from kamscore.models import Account, Fact, Period, Person, Product, Team
from kamscore.sentences import N_, Sentence

SUBJECTS = (("account", Account), ("person", Person), ("team", Team), ("product", Product))

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
NAME_MESSAGE = N_("lower-case letters, digits and _ (e.g. net_sales), as metrics name it")
NO_SUBJECT = N_("a fact is about an account, a person or a team: give at least one")
VALUE_OR_CATEGORY = N_("give either a value (a number) or a category (a label such as "
                       "listed), exactly one")


def fact_key(name: str, subject: str, period: str) -> Sentence:
    """A fact named by its key (a row that repeats one)."""
    return N_("fact %(name)s of %(subject)s in %(period)s", name=name, subject=subject,
              period=period)

#: The staging table's columns, in the order of the tuples :meth:`FactColumns.chunk` makes.
STAGE_COLUMNS = ("line", "period_id", "name", "subject_key", "account_id", "person_id",
                 "team_id", "product_id", "item", "value", "category", "unit", "source")

_RULES = {
    "period": code_rule(f.column_length(Period.code)),
    "name": pattern_rule(f.column_length(Fact.name), NAME_PATTERN, NAME_MESSAGE),
    "account": code_rule(f.column_length(Account.code)),
    "person": code_rule(f.column_length(Person.code)),
    "team": code_rule(f.column_length(Team.code)),
    "product": code_rule(f.column_length(Product.code)),
    "item": text_rule(f.column_length(Fact.item)),  # a transaction (order, deal): in the key
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
        self.complete: set[str] = set()  # columns whose caches hold every code of the table

    def load_codes(self, most: int) -> bool:
        """Put every code of the period and subject tables that have at most ``most`` rows in
        the caches, so that checking further chunks asks the database nothing about them (a
        first import keeps a ``COPY`` open from chunk to chunk: ``fact_direct``); whether
        every column's cache is complete."""
        for column, model in _MODELS.items():
            if column in self.complete or self.session.scalar(
                    select(func.count()).select_from(model)) > most:
                continue
            found: dict[str, int] = dict(self.session.execute(select(model.code, model.id)).all())
            self.ids[column].update(found)
            if column == "period":
                self.period_codes.update({id_: code for code, id_ in found.items()})
            self.complete.add(column)
        return len(self.complete) == len(_MODELS)

    def chunk(self, lines: list[int], cells: list[list[str]]) -> list[tuple[Any, ...]]:
        """The staging tuples of the chunk, or none when a row of it (or of the file so far)
        is bad: then only errors are collected, as nothing will be written."""
        checker = ColumnChecker(lines, self.errors)
        rows = len(lines)
        empty = [""] * rows
        transposed = zip(*cells, strict=True)
        col = {name: stripped(list(values))
               for name, values in zip(self.columns, transposed, strict=False)}
        get = lambda name: col.get(name, empty)  # noqa: E731
        for name, rule in _RULES.items():
            if name in col or name in _REQUIRED:
                checker.check(name, get(name), rule, required=name in _REQUIRED)
        values = (checker.numbers("value", col["value"], self.decimal) if "value" in col
                  else [None] * rows)
        categories = get("category")
        accounts, people, teams, products = (get(n) for n in _SUBJECT_NAMES)
        # the cross-column rules, row by row only when a column scan (at C speed) shows a
        # row may break them: a column with no empty cell gives every row a subject; values
        # in every row and no category anywhere give every row exactly one of them
        if "" in accounts and "" in people and "" in teams:
            for i in [i for i, (a, p, t) in enumerate(zip(accounts, people, teams,
                                                            strict=True)) if not (a or p or t)]:
                if i not in checker.bad:  # cross-column rules only for rows with valid cells
                    checker.add(i, "account", NO_SUBJECT)
        if None in values or any(categories):
            for i in [i for i, (v, c) in enumerate(zip(values, categories, strict=True))
                      if (v is None) == (not c)]:
                if i not in checker.bad:
                    checker.add(i, "value", VALUE_OR_CATEGORY)
        good = [i for i in range(rows) if i not in checker.bad] if checker.bad else range(rows)
        period_ids = self._resolve(checker, "period", get("period"), good)
        subject_ids = [self._resolve(checker, n, get(n), good) for n in _SUBJECT_NAMES]
        if self.errors:
            return []
        items = get("item")
        present = tuple(c is not empty for c in (accounts, people, teams, products, items))
        given = [c for c in (accounts, people, teams, products, items) if c is not empty]
        keys = {parts: _subject_key(parts, present)  # a key per distinct subject
                for parts in set(zip(*given, strict=True))}
        subjects = list(map(keys.__getitem__, zip(*given, strict=True)))
        sources = get("source")
        if "source" not in col or "" in set(sources):
            sources = [source or self.default_source for source in sources]
        return list(zip(lines, period_ids, get("name"), subjects, *subject_ids,
                        [i or None for i in items], values,
                        [c or None for c in categories], get("unit"), sources, strict=True))

    def _resolve(self, checker: ColumnChecker, column: str, codes: list[str],
                 rows: Sequence[int]) -> list[int | None]:
        """Ids of ``codes`` (None for empty cells); "unknown ..." errors for the others."""
        cache = self.ids[column]
        distinct = set(codes)
        distinct.discard("")
        missing = {code for code in distinct if code not in cache}
        if missing and column in self.complete:  # not in the table: unknown
            cache.update(dict.fromkeys(missing))
            missing = set()
        if missing and not isinstance(rows, range):  # only the codes of the good rows
            missing = {codes[i] for i in rows if codes[i] in missing}
        if missing:
            found = ids_by_code(self.session, _MODELS[column], missing)
            for code in missing:
                cache[code] = found.get(code)
            if column == "period":
                self.period_codes.update({id_: code for code, id_ in found.items()})
        if isinstance(rows, range) and all(cache[c] is not None for c in distinct):
            return list(map(cache.get, codes))  # the common case: all known ("" → None)
        result: list[int | None] = [None] * len(codes)
        for i in rows:
            code = codes[i]
            if code:
                id_ = cache[code]
                if id_ is None:
                    checker.add(i, column, UNKNOWN_CODE[column](code))
                result[i] = id_
        return result


def stripped(values: list[str]) -> list[str]:
    """The cells without surrounding spaces (stripped once per distinct value, and only when
    the column has whitespace at all: one search over it joined, at C speed)."""
    if not _SPACE.search("".join(values)):
        return values
    distinct = {value: value.strip() for value in set(values)}
    if all(key == value for key, value in distinct.items()):
        return values
    return [distinct[value] for value in values]

_SUBJECT_NAMES = tuple(name for name, _ in SUBJECTS)
_MODELS = {"period": Period, **dict(SUBJECTS)}


_SPACE = re.compile(r"\s")


def _subject_key(parts: tuple[str, ...], present: tuple[bool, ...]) -> str:
    """The subject key of the codes ``parts`` of the subject columns that are ``present``
    (account, person, team, product, item; the others are empty)."""
    codes = iter(parts)
    return Fact.make_subject_key(*(next(codes) if here else "" for here in present))
