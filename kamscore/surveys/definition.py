"""Survey definitions: what a survey asks, loaded from YAML and validated (pure).

A definition is a tree of frozen dataclasses: ``SurveyDefinition`` → ``Section`` →
``Question`` (→ ``Option`` / ``MatrixItem``), every text a ``Text`` with one string per
language. ``parse_definition`` turns YAML text into a definition or raises ``SourceError``
with *every* problem, each with its file, line and key path (the checks are in
``definition_check``). docs/surveys.md is the reference of the format.

Answers are plain values keyed by *answer item*: the question id, ``question.row`` for a
matrix row; values are ints (rating, NPS, matrix rows), ``"na"`` (not applicable, where
allowed), ``"yes"``/``"no"``, an option id (single choice), a list of option ids (multiple
choice) or a string (free text). Conditions (``show_if``) are evaluated on those values.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Every text must be given in these languages; a definition may add more.
REQUIRED_LANGUAGES = ("en", "zh-Hant")
#: The names languages are offered under on the answering page (in their own language).
LANGUAGE_NAMES = {"en": "English", "zh-Hant": "繁體中文", "zh-Hans": "简体中文", "de": "Deutsch",
                  "fr": "Français", "ja": "日本語", "es": "Español"}

QUESTION_TYPES = (
    "rating", "nps", "single_choice", "multiple_choice", "matrix", "yes_no", "text",
)
#: Rating scales a definition may use, by the name written in YAML.
RATING_SCALES = {"1-5": (1, 5), "1-7": (1, 7), "0-10": (0, 10)}
NPS_RANGE = (0, 10)
NOT_APPLICABLE = "na"
YES, NO = "yes", "no"
#: Placeholders a text may contain; filled in when the page is shown.
PLACEHOLDERS = ("subject",)

#: Condition operators and what they compare.
CONDITION_OPERATORS = ("equals", "not_equals", "in", "at_least", "at_most", "includes", "answered")

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


#: What ``{subject}`` reads as where a text speaks of every subject at once: survey titles
#: in lists, default campaign names, question labels on results pages and in exports.
GENERIC_SUBJECT = {"customer": "the account", "internal_360": "the KAM"}


def in_general(text: str, kind: str) -> str:
    """``text`` with its ``{subject}`` placeholder filled with the generic subject of a
    survey of ``kind`` ("360° feedback for {subject}" → "360° feedback for the KAM")."""
    return text.replace("{subject}", GENERIC_SUBJECT.get(kind, "the subject"))


@dataclass(frozen=True)
class Text:
    """One text in several languages."""

    by_language: Mapping[str, str]

    def get(self, language: str) -> str:
        """The text in ``language``, else in English."""
        return self.by_language.get(language) or self.by_language["en"]

    def render(self, language: str, **values: str) -> str:
        """The text with its placeholders (``{subject}``) filled in."""
        text = self.get(language)
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        return text


@dataclass(frozen=True)
class Condition:
    """``show_if``: true when the answer to ``item`` compares as told."""

    item: str
    operator: str
    value: Any

    def holds(self, answers: Mapping[str, Any]) -> bool:
        answer = answers.get(self.item)
        if self.operator == "answered":
            return (answer not in (None, "", [])) is bool(self.value)
        if answer is None or answer == NOT_APPLICABLE:
            return False
        if self.operator == "equals":
            return answer == self.value
        if self.operator == "not_equals":
            return answer != self.value
        if self.operator == "in":
            return answer in self.value
        if self.operator == "includes":
            return isinstance(answer, list) and self.value in answer
        if not isinstance(answer, int):
            return False
        if self.operator == "at_least":
            return answer >= self.value
        if self.operator == "at_most":
            return answer <= self.value
        raise ValueError(f"unknown condition operator {self.operator!r}")


def all_hold(conditions: Sequence[Condition], answers: Mapping[str, Any]) -> bool:
    return all(condition.holds(answers) for condition in conditions)


@dataclass(frozen=True)
class Option:
    id: str
    text: Text
    value: float | None = None  # a score for statistics, when the option has one


@dataclass(frozen=True)
class MatrixItem:
    id: str
    text: Text
    self_text: Text | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """One question. Fields that do not apply to its ``type`` keep their defaults."""

    id: str
    type: str
    text: Text
    required: bool = False
    help: Text | None = None
    self_text: Text | None = None  # asked instead of ``text`` when the KAM rates himself
    tags: tuple[str, ...] = ()
    show_if: tuple[Condition, ...] = ()
    scale_min: int | None = None  # rating, nps, matrix
    scale_max: int | None = None
    anchors: Mapping[int, Text] = field(default_factory=dict)  # labels of scale points
    allow_na: bool = False  # rating, matrix: offer "not applicable"
    options: tuple[Option, ...] = ()  # single_choice, multiple_choice
    min_choices: int = 0  # multiple_choice
    max_choices: int | None = None
    items: tuple[MatrixItem, ...] = ()  # matrix rows
    max_length: int = 2000  # text
    multiline: bool = True

    @property
    def is_scaled(self) -> bool:
        return self.type in ("rating", "nps", "matrix")

    def answer_items(self) -> list[str]:
        """The answer item ids this question produces (one per matrix row)."""
        if self.type == "matrix":
            return [f"{self.id}.{item.id}" for item in self.items]
        return [self.id]

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def scale_points(self) -> list[int]:
        assert self.scale_min is not None and self.scale_max is not None
        return list(range(self.scale_min, self.scale_max + 1))

    def text_for(self, rater_group: str | None) -> Text:
        return self.self_text if rater_group == "self" and self.self_text else self.text


@dataclass(frozen=True)
class Section:
    """One page of the survey."""

    id: str
    title: Text
    questions: tuple[Question, ...]
    description: Text | None = None
    show_if: tuple[Condition, ...] = ()

    def is_shown(self, answers: Mapping[str, Any]) -> bool:
        return all_hold(self.show_if, answers)

    def shown_questions(self, answers: Mapping[str, Any]) -> list[Question]:
        return [q for q in self.questions if all_hold(q.show_if, answers)]


@dataclass(frozen=True)
class SurveyDefinition:
    key: str
    kind: str  # "customer" | "internal_360"
    anonymous: bool
    languages: tuple[str, ...]
    title: Text
    sections: tuple[Section, ...]
    scales: Mapping[str, Text]  # tag → name of the scale
    intro: Text | None = None
    thanks: Text | None = None
    filename: str = "<string>"
    checksum: str = ""

    def in_general(self, text: Text, language: str = "en") -> str:
        """A text of this survey said of all its subjects at once (see ``in_general``)."""
        return in_general(text.get(language), self.kind)

    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    def question(self, question_id: str) -> Question:
        for question in self.questions():
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def scale_items(self, tag: str) -> list[str]:
        """Answer items that make up scale ``tag`` (for means and Cronbach's alpha)."""
        found: list[str] = []
        for question in self.questions():
            if question.type == "matrix":
                found += [
                    f"{question.id}.{item.id}"
                    for item in question.items
                    if tag in item.tags or tag in question.tags
                ]
            elif tag in question.tags:
                found.append(question.id)
        return found

    def shown_sections(self, answers: Mapping[str, Any]) -> list[Section]:
        return [s for s in self.sections if s.is_shown(answers)]


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_definition(text: str, filename: str = "<string>", *,
                     aliases: bool = False) -> SurveyDefinition:
    """Parse and validate a definition; ``SourceError`` lists every problem found.

    YAML anchors and aliases are refused, as in rulesets, unless ``aliases``: only for the
    text of a stored version, which may predate the refusal (``catalog.definition_of``).
    """
    return _parse_cached(text, filename, aliases)


@functools.lru_cache(maxsize=64)
def _parse_cached(text: str, filename: str, aliases: bool) -> SurveyDefinition:
    from kamscore.surveys.definition_check import check_definition

    return check_definition(text, filename, aliases=aliases)


def load_definition_file(path: str | Path) -> SurveyDefinition:
    """Read and validate a definition file."""
    from kamscore.content.yaml_source import read_source

    return parse_definition(read_source(path), str(path))
