"""Checks of ``show_if`` conditions, for the definition checker (see ``definition_check``).

A condition names an answer item of an *earlier page* and compares its answer with one
operator; the value must be something the question can be answered with.
"""

from __future__ import annotations

from typing import Any

from kamscore.content.yaml_source import KeyPath
from kamscore.surveys.definition import CONDITION_OPERATORS, NO, YES, Condition, Question
from kamscore.surveys.definition_values import ValueChecks, or_list

#: Operators that make sense per question type (``answered`` works for every type).
OPERATORS_BY_TYPE = {
    "rating": ("equals", "not_equals", "in", "at_least", "at_most"),
    "nps": ("equals", "not_equals", "in", "at_least", "at_most"),
    "matrix": ("equals", "not_equals", "in", "at_least", "at_most"),
    "yes_no": ("equals", "not_equals"),
    "single_choice": ("equals", "not_equals", "in"),
    "multiple_choice": ("includes",),
    "text": (),
}


class ConditionChecks(ValueChecks):
    """Mixed into the checker, which provides the attributes below."""

    items: dict[str, tuple[int, Question]]
    questions: dict[str, tuple[int, Question]]
    untyped: set[str]

    # --- conditions -------------------------------------------------------------------
    def _conditions(self, path: KeyPath, value: Any, section: int) -> tuple[Condition, ...]:
        if value is None:
            return ()
        entries = value if isinstance(value, list) else [value]
        conditions = []
        for index, data in enumerate(entries):
            cpath = (*path, index) if isinstance(value, list) else path
            condition = self._condition(cpath, data, section)
            if condition is not None:
                conditions.append(condition)
        return tuple(conditions)

    def _condition(self, path: KeyPath, data: Any, section: int) -> Condition | None:
        if not isinstance(data, dict) or "question" not in data:
            self.src.problem(path, "a condition is a mapping like {question: nps, at_most: 6}")
            return None
        self._keys(path, data, ("question", *CONDITION_OPERATORS), required=("question",))
        operators = [op for op in CONDITION_OPERATORS if op in data]
        if len(operators) != 1:
            self.src.problem(path, f"give exactly one of {or_list(CONDITION_OPERATORS)}")
            return None
        operator, item = operators[0], data["question"]
        found = self.items.get(item) if isinstance(item, str) else None
        if found is None:
            if isinstance(item, str) and item in self.questions:
                message = f"{item!r} is a matrix; refer to one of its rows, e.g. {item}.<row>"
            else:
                message = f"no earlier question {item!r}"
            self.src.problem((*path, "question"), message)
            return None
        if found[1].id in self.untyped:
            return None  # its type is reported already; its values cannot be checked
        if found[0] >= section:
            self.src.problem((*path, "question"), f"{item!r} is on the same page; a condition "
                             "may only use answers from earlier pages (pages work without "
                             "JavaScript)")
            return None
        value = self._condition_value((*path, operator), found[1], operator, data[operator])
        return None if value is None else Condition(item, operator, value)

    def _condition_value(self, path: KeyPath, question: Question, operator: str,
                         value: Any) -> Any:
        qtype = question.type
        if operator == "answered":
            if not isinstance(value, bool):
                self.src.problem(path, "true or false")
                return None
            return value
        allowed = OPERATORS_BY_TYPE[qtype]
        if operator not in allowed:
            self.src.problem(path, f"'{operator}' does not apply to a {qtype} question; use "
                             f"{or_list((*allowed, 'answered'))}")
            return None
        values = value if operator == "in" else [value]
        if operator == "in" and (not isinstance(value, list) or not value):
            self.src.problem(path, "a list of values")
            return None
        checked = [self._answer_value(path, question, v) for v in values]
        if any(v is None for v in checked):
            return None
        return checked if operator == "in" else checked[0]

    def _answer_value(self, path: KeyPath, question: Question, value: Any) -> Any:
        if question.is_scaled:
            low, high = question.scale_min, question.scale_max
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                self.src.problem(path, f"{value!r} is not a point of the scale {low}-{high}")
                return None
            return value
        if question.type == "yes_no":
            if value in (True, YES):
                return YES
            if value in (False, NO):
                return NO
            self.src.problem(path, f"yes or no, not {value!r}")
            return None
        if question.option(value) is None:
            self.src.problem(path, f"{value!r} is not an option of {question.id!r} "
                             f"({or_list([o.id for o in question.options])})")
            return None
        return value

