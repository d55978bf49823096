"""The base of every form of the pages: Flask-WTF's form, refusing NUL characters.

PostgreSQL can neither store nor compare text that holds a NUL character (``\\x00``): a
query with one fails with a ``DataError``, which would answer 500. Nobody types one, so a
submitted value holding one is bad input. ``Form`` puts ``refuse_nul`` first in the
validators of every field it binds (the survey pages' generated forms included), so such a
value never reaches a view or a query, and the field says what is wrong with it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from wtforms import Field
from wtforms.validators import StopValidation, ValidationError

from kamscore.web.form_words import FORM_TRANSLATIONS, csrf_text

NUL = "\x00"
#: The end of the message of a refused field (the survey pages show their own text instead).
NUL_ERROR = "must not contain NUL characters (\\x00)"


def has_nul(values: Any) -> bool:
    """Whether any of the submitted strings ``values`` holds a NUL character."""
    return any(isinstance(value, str) and NUL in value for value in values or ())


def refuse_nul(form: FlaskForm, field: Field) -> None:
    """Stop validating a field whose submitted value holds a NUL character."""
    if has_nul(field.raw_data):
        raise StopValidation(f"{field.label.text} {NUL_ERROR}.")


class _CSRF(_FlaskFormCSRF):
    """Flask-WTF's CSRF check, its refusal in the reader's language."""

    def validate_csrf_token(self, form: Any, field: Field) -> None:
        try:
            super().validate_csrf_token(form, field)
        except ValidationError as exc:
            raise ValidationError(csrf_text(str(exc.args[0]))) from exc


class Form(FlaskForm):
    """``FlaskForm`` (CSRF token included) whose every field refuses NUL characters, and
    whose messages (WTForms' own, the CSRF check's) are in the reader's language
    (``kamscore.web.form_words``)."""

    class Meta(FlaskForm.Meta):
        csrf_class = _CSRF

        def get_translations(self, form: Any) -> Any:
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return FORM_TRANSLATIONS

        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            field = super().bind_field(form, unbound_field, options)
            field.validators = [refuse_nul, *field.validators]
            return field
