"""A survey's title on the staff pages, in the reader's language (issue 20).

A survey definition carries its title in each of its languages (``title: {en:, zh-Hant:}``);
the staff pages show the one in the page's language, else the English one, with the
title's ``{subject}`` said of all subjects at once ("360° feedback for the KAM").
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from flask_babel import gettext as _

from kamscore.models import SurveyVersion
from kamscore.surveys.catalog import definition_of
from kamscore.web.language import page_language
from kamscore.web.stored_words import GENERIC_SUBJECTS


def title_in_language(titles: Mapping[str, str], kind: str) -> str:
    """The title of ``titles`` (language → text) in the page's language, else in English,
    with its ``{subject}`` filled in for a survey of ``kind``."""
    text = titles.get(page_language()) or titles.get("en") or next(iter(titles.values()), "")
    subject = GENERIC_SUBJECTS.get(kind)
    return text.replace("{subject}", str(subject) if subject is not None else _("the subject"))


def survey_title(version: SurveyVersion) -> str:
    """A stored survey version's title in the page's language."""
    return title_in_language(definition_of(version).title.by_language, version.kind.value)


def init_app(app: Flask) -> None:
    app.add_template_global(survey_title)
    app.add_template_global(title_in_language)
