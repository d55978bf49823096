"""Answer values: checking them against a definition, and turning them into stored rows (pure).

The web form validates what a respondent typed and says what is wrong next to the field;
the service checks the cleaned values again here (a tampered request must not store a 9 on
a 1-5 scale) and finally converts them to ``(item, number, text)`` rows for
``SurveyAnswer``. Values: see ``kamscore.surveys.definition``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kamscore.surveys.definition import NO, NOT_APPLICABLE, YES, Question, Section, SurveyDefinition


class InvalidAnswers(ValueError):
    """Values that no form of ours would have sent: item → what is wrong."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


def is_answered(value: Any) -> bool:
    return value not in (None, "", [])


def check_value(question: Question, value: Any) -> str | None:
    """What is wrong with one (answered) value, or None."""
    qtype = question.type
    if question.is_scaled:
        if value == NOT_APPLICABLE:
            return None if question.allow_na else "not applicable is not offered"
        assert question.scale_min is not None and question.scale_max is not None
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{value!r} is not a whole number"
        if not question.scale_min <= value <= question.scale_max:
            return f"{value} is outside {question.scale_min}-{question.scale_max}"
        return None
    if qtype == "yes_no":
        return None if value in (YES, NO) else f"{value!r} is not yes or no"
    if qtype == "single_choice":
        return None if question.option(value) else f"{value!r} is not an option"
    if qtype == "multiple_choice":
        if not isinstance(value, list) or any(question.option(v) is None for v in value):
            return f"{value!r} is not a list of options"
        if len(set(value)) != len(value):
            return "an option is chosen twice"
        if len(value) < question.min_choices:
            return f"fewer than {question.min_choices} options"
        if question.max_choices is not None and len(value) > question.max_choices:
            return f"more than {question.max_choices} options"
        return None
    if qtype == "text":
        if not isinstance(value, str):
            return "not a text"
        return None if len(value) <= question.max_length else "too long"
    raise ValueError(f"unknown question type {qtype!r}")


def check_page(section: Section, values: Mapping[str, Any],
               earlier: Mapping[str, Any]) -> dict[str, Any]:
    """The values of one page, checked; hidden or unknown items are refused.

    ``earlier`` holds the answers of the earlier pages, which decide what is shown.
    Returns the page's answers with unanswered items left out.
    """
    shown = section.shown_questions(earlier)
    allowed = {item: q for q in shown for item in q.answer_items()}
    problems = {item: "not asked on this page" for item in values if item not in allowed}
    clean: dict[str, Any] = {}
    for item, question in allowed.items():
        value = values.get(item)
        if not is_answered(value):
            if question.required:
                problems[item] = "required"
            continue
        problem = check_value(question, value)
        if problem:
            problems[item] = problem
        else:
            clean[item] = value.strip() if isinstance(value, str) else value
    if problems:
        raise InvalidAnswers(problems)
    return clean


def shown_answers(definition: SurveyDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to questions still shown (a changed earlier answer can hide later ones)."""
    kept: dict[str, Any] = {}
    for section in definition.sections:
        if not section.is_shown(kept):
            continue
        for question in section.shown_questions(kept):
            for item in question.answer_items():
                if is_answered(answers.get(item)):
                    kept[item] = answers[item]
    return kept


def first_incomplete_section(definition: SurveyDefinition,
                             answers: Mapping[str, Any]) -> int | None:
    """Index of the first shown section with a required item unanswered, or None."""
    for index, section in enumerate(definition.sections):
        if not section.is_shown(answers):
            continue
        for question in section.shown_questions(answers):
            if question.required and not all(
                is_answered(answers.get(item)) for item in question.answer_items()
            ):
                return index
    return None


def answer_rows(definition: SurveyDefinition,
                answers: Mapping[str, Any]) -> list[tuple[str, float | None, str | None]]:
    """``(item, number, text)`` rows to store for the (shown) answers."""
    rows: list[tuple[str, float | None, str | None]] = []
    for question in definition.questions():
        for item in question.answer_items():
            value = answers.get(item)
            if not is_answered(value):
                continue
            if question.is_scaled:
                rows.append((item, None, NOT_APPLICABLE) if value == NOT_APPLICABLE
                            else (item, float(value), None))
            elif question.type == "yes_no":
                rows.append((item, 1.0 if value == YES else 0.0, value))
            elif question.type == "single_choice":
                option = question.option(value)
                rows.append((item, option.value if option else None, value))
            elif question.type == "multiple_choice":
                rows += [(f"{item}.{o.id}", 1.0 if o.id in value else 0.0, None)
                         for o in question.options]
            else:
                rows.append((item, None, value))
    return rows
