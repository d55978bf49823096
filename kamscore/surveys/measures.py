"""What the statistics are computed on: the measures of a survey definition (pure).

A *measure* is one thing a number is reported for: an answer item (a rating, the NPS
question, one matrix row, a yes/no question, a single choice, one option of a multiple
choice) or a scale (``scale:<tag>``, the items tagged ``<tag>``). Free-text questions are not
measures: they are comments (``comment_questions``), reported under their own minimum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kamscore.surveys.definition import NOT_APPLICABLE, SurveyDefinition

SCALE_PREFIX = "scale:"

#: Kinds of measure and how their answers are read.
RATING = "rating"  # whole numbers on a scale (rating questions and matrix rows)
NPS = "nps"  # 0..10 likelihood to recommend
BINARY = "binary"  # yes/no, and each option of a multiple choice: 1 or 0
CHOICE = "choice"  # a single choice: the option's id (and its value, if options have values)
SCALE = "scale"  # the mean of several rating items


@dataclass(frozen=True)
class Measure:
    id: str  # answer item id, or "scale:<tag>"
    kind: str
    label: str  # English text, for pages and CSV
    scale_min: int | None = None
    scale_max: int | None = None
    items: tuple[str, ...] = ()  # a scale's items
    options: tuple[str, ...] = ()  # a single choice's option ids, in order

    @property
    def is_numeric(self) -> bool:
        return self.kind != CHOICE

    @property
    def is_scale(self) -> bool:
        return self.kind == SCALE


def measures_of(definition: SurveyDefinition) -> list[Measure]:
    """Every measure of a definition, in questionnaire order, scales last."""
    found: list[Measure] = []
    for q in definition.questions():
        text = definition.in_general(q.text)
        if q.type in ("rating", "nps"):
            kind = NPS if q.type == "nps" else RATING
            found.append(Measure(q.id, kind, text, q.scale_min, q.scale_max))
        elif q.type == "matrix":
            found += [
                Measure(f"{q.id}.{row.id}", RATING, f"{text} — {definition.in_general(row.text)}",
                        q.scale_min, q.scale_max)
                for row in q.items
            ]
        elif q.type == "yes_no":
            found.append(Measure(q.id, BINARY, text, 0, 1))
        elif q.type == "multiple_choice":
            found += [
                Measure(f"{q.id}.{o.id}", BINARY, f"{text} — {definition.in_general(o.text)}", 0, 1)
                for o in q.options
            ]
        elif q.type == "single_choice":
            found.append(Measure(q.id, CHOICE, text, options=tuple(o.id for o in q.options)))
    by_id = {m.id: m for m in found}
    for tag, name in definition.scales.items():
        items = tuple(i for i in definition.scale_items(tag) if i in by_id)
        if not items:
            continue
        lows = [by_id[i].scale_min for i in items if by_id[i].scale_min is not None]
        highs = [by_id[i].scale_max for i in items if by_id[i].scale_max is not None]
        found.append(Measure(f"{SCALE_PREFIX}{tag}", SCALE, definition.in_general(name),
                             min(lows, default=None), max(highs, default=None), items=items))
    return found


def labels_in_language(definition: SurveyDefinition, language: str,
                       subject: str) -> dict[str, str]:
    """English label → the same label in ``language`` (English where the definition has no
    text in it), for every measure and free-text question of ``definition``: the pages show
    results in the reader's language while the measures, the stored figures and the CSV keep
    the English labels. ``subject`` stands for ``{subject}`` (the generic subject said in
    ``language``)."""

    def say(text: Any) -> str:
        return str(text.get(language)).replace("{subject}", subject)

    english = definition.in_general
    found: dict[str, str] = {}
    for q in definition.questions():
        found[english(q.text)] = say(q.text)
        for part in (*q.items, *q.options):
            found[f"{english(q.text)} — {english(part.text)}"] = f"{say(q.text)} — {say(part.text)}"
    for name in definition.scales.values():
        found[english(name)] = say(name)
    return found


def comment_questions(definition: SurveyDefinition) -> list[tuple[str, str]]:
    """(question id, English text) of the free-text questions."""
    return [(q.id, definition.in_general(q.text)) for q in definition.questions()
            if q.type == "text"]


#: One stored answer: (number, text) as in ``SurveyAnswer``.
StoredAnswer = tuple[float | None, str | None]


def numeric_value(answer: StoredAnswer | None) -> float | None:
    """The number of an answer, or None (unanswered, "not applicable", or not a number)."""
    if answer is None:
        return None
    number, text = answer
    if text == NOT_APPLICABLE:
        return None
    return number


def choice_value(answer: StoredAnswer | None) -> str | None:
    return None if answer is None or answer[1] in (None, NOT_APPLICABLE) else answer[1]


def measure_value(measure: Measure, answers: Mapping[str, StoredAnswer]) -> float | str | None:
    """One response's value for a non-scale measure."""
    if measure.kind == CHOICE:
        return choice_value(answers.get(measure.id))
    return numeric_value(answers.get(measure.id))
