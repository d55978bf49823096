"""Texts a ruleset writes (titles of the plan, its components, variants, gates, modifiers) in
the reader's language.

A ruleset may give a title as translations, ``title: {en: Sales attainment, zh-Hant: 銷售達成率}``
(docs/rulesets.md); the engine keeps the English title and carries the translations
(``Component.titles``); a run stores the English. The pages look the English up in
``kamscore.scoring.group_labels.version_titles`` and show the reader's language::

    {{ c.title|plan_text(titles) }}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_babel import get_locale

from kamscore.web.engine_words import step
from kamscore.web.stored_words import word

Titles = Mapping[str, Mapping[str, str]]


def reader_language() -> str:
    """The page's language as a ruleset writes it: ``zh-Hant``, ``en``."""
    locale = get_locale()
    if locale is None:
        return "en"
    return str(locale).replace("_", "-")


def pick(translations: Mapping[str, str], fallback: str = "") -> str:
    """The reader's language from ``translations`` (else its base language, else English)."""
    language = reader_language()
    for key in (language, language.split("-")[0], "en"):
        if translations.get(key):
            return translations[key]
    return fallback or next(iter(translations.values()), "")


def plan_text(value: Any, titles: Titles | None = None) -> str:
    """A title the ruleset wrote, in the reader's language: ``value`` itself a mapping of
    translations, or an English title looked up in ``titles``; else a word the services
    name groups with (``Plan as written``, ``No team``), else as written."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return pick(value)
    text = str(value)
    if titles and text in titles:
        return pick(titles[text], text)
    return step(word(text))


def localized_statement(found: dict[str, Any], titles: Titles) -> dict[str, Any]:
    """A stored statement whose component, gate and modifier titles are in the reader's
    language (a copy: the stored one is not changed)."""
    if not titles:
        return found

    def retitled(item: Mapping[str, Any]) -> dict[str, Any]:
        copy = dict(item)
        if isinstance(copy.get("title"), str):
            copy["title"] = plan_text(copy["title"], titles)
        for key in ("gates", "modifiers"):
            if isinstance(copy.get(key), list):
                copy[key] = [retitled(x) for x in copy[key]]
        return copy

    out = dict(found)
    out["components"] = [retitled(c) for c in found.get("components", [])]
    for key in ("gates", "modifiers"):
        out[key] = [retitled(x) for x in found.get(key, [])]
    return out


def init_app(app: Flask) -> None:
    app.add_template_filter(plan_text)
