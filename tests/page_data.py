"""Whether a page shows data: what tells a page's empty states apart (tests' helper).

An empty state is an element marked ``class="empty-state"`` (the convention for "nothing
here yet" messages, docs/architecture.md), one of the usual empty-state phrases, a table
without a row, or a ``<main>`` without text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

EMPTY_PHRASES = re.compile(
    r"\bno data\b|\bnothing (?:to show|yet)\b|\bNo [\w ]{1,40} yet\b|\bdatabase is empty\b"
    r"|\bno results\b|\bnot found\b",
    re.IGNORECASE)


class PageData(HTMLParser):
    """What tells a page's empty states apart: marked elements and tables' body rows."""

    def __init__(self) -> None:
        super().__init__()
        self.empty_marks: list[str] = []
        self.tables: list[int] = []  # body rows per table
        self._in_main = self._in_thead = False
        self.main_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "main":
            self._in_main = True
        if "empty-state" in (found.get("class") or "").split():
            self.empty_marks.append(f"<{tag} class={found.get('class')!r}>")
        if tag == "table":
            self.tables.append(0)
        elif tag == "thead":
            self._in_thead = True
        elif tag == "tr" and self.tables and not self._in_thead:
            self.tables[-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_thead = False
        elif tag == "main":
            self._in_main = False

    def handle_data(self, data: str) -> None:
        if self._in_main:
            self.main_text.append(data)


def lacks_data(html: str) -> list[str]:
    """Why a page looks empty (nothing: it shows data)."""
    page = PageData()
    page.feed(html)
    text = " ".join(" ".join(page.main_text).split())
    problems = [f"empty state {mark}" for mark in page.empty_marks]
    problems += [f"says {m.group(0)!r}" for m in EMPTY_PHRASES.finditer(text)]
    problems += [f"table {i + 1} has no row" for i, rows in enumerate(page.tables) if not rows]
    if not text:
        problems.append("no content in <main>")
    return problems
