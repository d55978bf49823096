"""WTForms forms built from a survey page, in the respondent's language.

One form per page (section): one field per answer item — a radio group per rating, NPS,
matrix row, yes/no and single choice; checkboxes for a multiple choice; a text area for
free text. Validation messages are in the respondent's language. ``values_of`` turns a
validated form into the answer values the service takes; ``FieldView`` is what the template
needs to render each question accessibly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from kamscore.surveys.answering import Questionnaire
from kamscore.surveys.definition import NO, NOT_APPLICABLE, YES, Question
from kamscore.surveys.i18n import ui_text
from kamscore.web.base_form import NUL_ERROR, Form


def field_name(item: str) -> str:
    """HTML-safe field name of an answer item (``relationship.trust`` → ``relationship__trust``)."""
    return item.replace(".", "__")


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _Choices:
    """Number of choices of a multiple-choice answer between ``low`` and ``high``."""

    def __init__(self, low: int, high: int | None, language: str) -> None:
        self.low, self.high, self.language = low, high, language

    def __call__(self, form: FlaskForm, field: Field) -> None:
        count = len(field.data or [])
        if count and count < self.low:
            raise ValidationError(ui_text("err_min_choices", self.language, n=self.low))
        if self.high is not None and count > self.high:
            raise ValidationError(ui_text("err_max_choices", self.language, n=self.high))


class _Required(InputRequired):
    """InputRequired with the message in the respondent's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message)

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if isinstance(field, SelectMultipleField):
            if not field.data:
                field.errors[:] = []
                raise StopValidation(self.message)
            return
        super().__call__(form, field)


@dataclass
class FieldView:
    """One answer item on the page: its field and the texts around it."""

    name: str
    item: str
    label: str  # the question, or the matrix row
    kind: str  # scale | choice | checkboxes | text
    control: Field  # the WTForms field
    hint: str | None = None
    anchors: Mapping[str, str] = field(default_factory=dict)  # value → label


@dataclass
class QuestionView:
    question: Question
    text: str
    help: str | None
    fields: list[FieldView]
    required: bool

    @property
    def is_group(self) -> bool:
        """A matrix: one fieldset around several row fieldsets."""
        return self.question.type == "matrix"


def build_form(page: Questionnaire, formdata: Any = None) -> tuple[FlaskForm, list[QuestionView]]:
    """The form of the current page, filled from ``formdata`` or else the saved answers."""
    language = page.language
    questions = page.section.shown_questions(page.earlier_answers())
    fields: dict[str, Field] = {}
    plan: list[tuple[Question, str, str | None, list[tuple[str, str, str | None]]]] = []
    for question in questions:
        text = question.text_for(page.rater_group).render(language, subject=page.subject_name)
        help_text = (question.help.render(language, subject=page.subject_name)
                     if question.help else None)
        items = _items(question, page, text)
        for item, label, _ in items:
            fields[field_name(item)] = _field(question, label, language)
        plan.append((question, text, help_text, items))
    form_class = type("SurveyPageForm", (Form,), fields)
    saved = {field_name(k): _form_value(v) for k, v in page.answers.items()}
    form = form_class(formdata=formdata, data=None if formdata is not None else saved)
    views = [
        QuestionView(question, text, help_text, [
            FieldView(name=field_name(item), item=item, label=label, kind=_kind(question),
                      control=form[field_name(item)], hint=hint,
                      anchors=_anchors(question, language))
            for item, label, hint in items
        ], question.required)
        for question, text, help_text, items in plan
    ]
    return form, views


def _items(question: Question, page: Questionnaire, text: str) -> list[tuple[str, str, str | None]]:
    language = page.language
    if question.type == "matrix":
        return [
            (f"{question.id}.{row.id}",
             (row.self_text if page.rater_group == "self" and row.self_text else row.text)
             .render(language, subject=page.subject_name), None)
            for row in question.items
        ]
    hint = ui_text("choose_all", language) if question.type == "multiple_choice" else None
    return [(question.id, text, hint)]


def _kind(question: Question) -> str:
    if question.type in ("rating", "nps", "matrix"):
        return "scale"
    return {"multiple_choice": "checkboxes", "text": "text"}.get(question.type, "choice")


def _anchors(question: Question, language: str) -> dict[str, str]:
    return {str(point): text.get(language) for point, text in question.anchors.items()}


def _field(question: Question, label: str, language: str) -> Field:
    required = question.required
    if question.type == "text":
        validators = [Optional(), Length(max=question.max_length, message=ui_text(
            "err_too_long", language, n=question.max_length))]
        field_class = TextAreaField if question.multiline else StringField
        return field_class(label, validators=validators, filters=[_strip])
    if question.type == "multiple_choice":
        choices = [SelectChoice(o.id, o.text.get(language)) for o in question.options]
        validators = ([_Required(ui_text("err_required", language))] if required
                      else [Optional()])
        validators.append(_Choices(question.min_choices, question.max_choices, language))
        return CheckboxesField(label, choices=choices, validators=validators)
    if question.type in ("rating", "nps", "matrix"):
        choices = [SelectChoice(str(p), str(p)) for p in question.scale_points()]
        if question.allow_na:
            choices.append(SelectChoice(NOT_APPLICABLE, ui_text("not_applicable", language)))
    elif question.type == "yes_no":
        choices = [SelectChoice(YES, ui_text("yes", language)),
                   SelectChoice(NO, ui_text("no", language))]
    else:
        choices = [SelectChoice(o.id, o.text.get(language)) for o in question.options]
    message = ui_text("err_required_row" if question.type == "matrix" else "err_required",
                      language)
    return RadioField(label, choices=choices,
                      validators=[_Required(message)] if required else [Optional()])


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _form_value(value: Any) -> Any:
    return value if isinstance(value, list) else str(value)


def values_of(form: FlaskForm, views: list[QuestionView]) -> dict[str, Any]:
    """Answer values of a validated form (ints for scales; unanswered items left out)."""
    values: dict[str, Any] = {}
    for view in views:
        for item_view in view.fields:
            data = item_view.control.data
            if data in (None, "", []):
                continue
            if item_view.kind == "scale" and data != NOT_APPLICABLE:
                data = int(data)
            values[item_view.item] = data
    return values


def localise_errors(form: FlaskForm, language: str) -> None:
    """WTForms' own messages (a value not among the choices, a NUL character refused by
    ``base_form``) in the page's language."""
    for name, errors in form.errors.items():
        if name == "csrf_token":
            continue
        form[name].errors = [_localised(e, language) for e in errors]


def _localised(error: str, language: str) -> str:
    if "valid choice" in error.lower():
        return ui_text("err_choice", language)
    if NUL_ERROR in error:
        return ui_text("err_nul", language)
    return error
