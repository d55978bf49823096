"""Finding English left on a page served in Traditional Chinese (issue 20).

A page read in ``zh-Hant`` may show English only in what people wrote or named: person,
account, team and product names, codes, ruleset and survey names, usernames. Everything else
that a person reads — text, and the ``aria-label``, ``title``, ``placeholder`` and ``alt`` a
screen reader speaks — comes from the catalogue.

``english_left(html, allowed)`` returns the texts that still hold an English word once the
``allowed`` strings are taken out. A word is English when it has a lower-case Latin letter
(``Run``, ``payout``); all-capital words and codes pass (``KAM``, ``CSV``, ``E00006``,
``2025-Q4``), and so do the units and symbols CLDR writes (``NT$``, ``%``). Elements marked
``translate="no"`` (the HTML attribute for names and code) are skipped, with ``<script>``,
``<style>``, ``<code>``, ``<pre>`` and ``<kbd>``.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from html.parser import HTMLParser

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.auth.preferences import LANGUAGES

#: A word with a lower-case Latin letter in it (``x`` alone, as in ``2 x 3``, passes).
ENGLISH_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")
#: Lower-case tokens that are not English but notation: units and CLDR's abbreviations.
NOT_ENGLISH = frozenset({"x", "pp", "px", "km", "kg", "mg", "ml"})
SPOKEN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "aria-description")
SKIPPED_ELEMENTS = frozenset({"script", "style", "code", "pre", "kbd", "samp", "svg"})
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                           "meta", "source", "track", "wbr"})


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping: list[str] = []  # the open elements whose content is not read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if self._skipping:
            if tag not in VOID_ELEMENTS:
                self._skipping.append(tag)
            return
        if tag in SKIPPED_ELEMENTS or found.get("translate") == "no":
            if tag not in VOID_ELEMENTS:
                self._skipping.append(tag)
            return
        for name in SPOKEN_ATTRIBUTES:
            if found.get(name):
                self.texts.append(found[name] or "")
        if tag == "input" and found.get("type") in ("submit", "button", "reset"):
            self.texts.append(found.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.texts.append(" ".join(data.split()))


def english_left(html: str, allowed: Iterable[str] = ()) -> list[str]:
    """The texts of ``html`` that hold an English word once the ``allowed`` strings (names,
    codes: longest first, so that "Kam K1" goes before "Kam") are taken out."""
    parser = _Texts()
    parser.feed(html)
    parser.close()
    ordered = sorted({a for a in allowed if a and a.strip()}, key=len, reverse=True)
    left: list[str] = []
    for text in parser.texts:
        rest = text
        for name in ordered:
            if name in rest:
                rest = rest.replace(name, " ")
        words = [w for w in ENGLISH_WORD.findall(rest) if w.lower() not in NOT_ENGLISH]
        if words:
            left.append(text)
    return left


def data_texts(session: Session) -> set[str]:
    """What people wrote or named in the database: the strings a zh-Hant page may show as
    they are."""
    from kamscore.models import (
        Account,
        Campaign,
        Fact,
        Person,
        Product,
        RulesetVersion,
        Stakeholder,
        Team,
        User,
    )

    columns = [Person.name, Person.code, Account.name, Account.code, Team.name, Team.code,
               Product.name, Product.code, User.name, User.username, Stakeholder.name,
               RulesetVersion.name, RulesetVersion.title, RulesetVersion.filename,
               Campaign.name]
    found: set[str] = set()
    for column in columns:
        found.update(v for v in session.scalars(select(column).distinct()) if v)
    found.update(session.scalars(select(Fact.name).distinct()))
    found.update(LANGUAGES.values())  # each language's name in itself, on the switch
    found.update(zoneinfo.available_timezones())  # IANA names: codes
    found.add("kamscore")  # the product's name
    return found
