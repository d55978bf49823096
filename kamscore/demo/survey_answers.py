"""Plausible answers to any survey definition, for the demo's respondents (pure).

A respondent has a *tone*: how well he thinks of the subject, in standard deviations around
what respondents usually answer (surveys lean positive: the middle of a 1-5 scale is about
3.9). Every scaled question is answered from that tone plus a little noise of its own, so a
respondent answers alike across questions (which makes the scales consistent, as in real
data); choices, yes/no and free text follow the tone too. Nothing here knows the bundled
surveys' questions: any valid definition can be answered, page by page, in the form the
answering service takes (``kamscore.surveys.answering.answer_page``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kamscore.surveys.definition import (
    NO,
    NOT_APPLICABLE,
    YES,
    Question,
    Section,
    SurveyDefinition,
)

#: Where answers centre on a scale (share of its range) and how far one standard deviation
#: of tone moves them.
CENTRE, SPREAD = 0.72, 0.2
#: Share of respondents who write something in an optional free-text question.
COMMENT_RATE = 0.4
#: Share of "not applicable" where a question offers it.
NA_RATE = 0.12

#: Comments by mood; zh-Hant respondents write in Traditional Chinese.
COMMENTS = {
    "en": {
        "good": ("Very responsive and well prepared for every meeting.",
                 "Brings real insight into our patients' needs.",
                 "Keeps the whole team informed and follows up reliably.",
                 "A trusted partner: commitments are kept."),
        "bad": ("Answers to our requests take too long.",
                "We would like fewer sales pitches and more scientific exchange.",
                "Please involve the pharmacy earlier in formulary questions.",
                "Meetings are sometimes poorly prepared."),
        "neutral": ("Nothing to add.", "Thank you for the support this year.",
                    "Keep the team updated about supply changes."),
    },
    "zh-Hant": {
        "good": ("回應非常迅速，每次會議都準備充分。", "對病人需求有深入的見解。",  # noqa: RUF001
                 "讓整個團隊隨時掌握進度，後續追蹤也很可靠。",  # noqa: RUF001
                 "值得信賴的夥伴，說到做到。"),  # noqa: RUF001
        "bad": ("對我們需求的回覆太慢。", "希望少一些推銷，多一些學術交流。",  # noqa: RUF001
                "處方集相關事宜請更早讓藥劑部參與。", "會議有時準備不足。"),
        "neutral": ("沒有其他意見。", "感謝今年的支持。", "供貨異動時請通知團隊。"),
    },
}


def questionnaire_answers(definition: SurveyDefinition, tone: float, language: str,
                          rng: np.random.Generator) -> dict[str, Any]:
    """Answers to every page the respondent is shown, in order (conditions see the earlier
    pages, as in the browser)."""
    answers: dict[str, Any] = {}
    for section in definition.sections:
        if section.is_shown(answers):
            answers.update(page_answers(section, answers, tone, language, rng))
    return answers


def page_answers(section: Section, earlier: Mapping[str, Any], tone: float, language: str,
                 rng: np.random.Generator) -> dict[str, Any]:
    """Answers to the questions ``section`` shows after the ``earlier`` answers."""
    answers: dict[str, Any] = {}
    for question in section.shown_questions(earlier):
        for item in question.answer_items():
            value = answer(question, tone, language, rng)
            if value is not None:
                answers[item] = value
    return answers


def answer(question: Question, tone: float, language: str, rng: np.random.Generator) -> Any:
    """One answer (None: left empty, only where the question is optional)."""
    if question.is_scaled:
        if question.allow_na and rng.random() < NA_RATE:
            return NOT_APPLICABLE
        low, high = question.scale_min, question.scale_max
        assert low is not None and high is not None
        width = high - low
        value = low + CENTRE * width + SPREAD * width * (tone + rng.normal(0, 0.45))
        return int(np.clip(round(value), low, high))
    if question.type == "yes_no":
        return YES if rng.random() < 1 / (1 + np.exp(-(1.6 + 1.5 * tone))) else NO
    if question.type == "single_choice":
        # a better tone leans to the first options (which lists usually start with)
        weights = np.exp(-0.6 * tone * np.linspace(-1.0, 1.0, len(question.options)))
        return question.options[int(rng.choice(len(question.options),
                                               p=weights / weights.sum()))].id
    if question.type == "multiple_choice":
        count = max(question.min_choices, 1)
        if question.max_choices is not None:
            count = min(count + int(rng.integers(0, 2)), question.max_choices)
        count = min(count, len(question.options))
        chosen = rng.choice(len(question.options), count, replace=False)
        return [question.options[int(i)].id for i in sorted(chosen)]
    if question.type == "text":
        if not question.required and rng.random() > COMMENT_RATE:
            return None
        mood = "good" if tone > 0.4 else "bad" if tone < -0.4 else "neutral"
        pool = COMMENTS.get(language, COMMENTS["en"])[mood]
        return pool[int(rng.integers(0, len(pool)))][: question.max_length]
    raise ValueError(f"cannot answer a question of type {question.type!r}")
