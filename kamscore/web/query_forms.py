"""Forms of the statement queries (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from kamscore.scoring.statement_queries import BODY_MAX
from kamscore.web.base_form import Form


class RaiseQueryForm(Form):
    """The line choices are the statement's lines, filled in by the view."""

    line = SelectField("About which line", validators=[DataRequired()])
    body = TextAreaField("Your question", validators=[DataRequired(), Length(max=BODY_MAX)],
                         render_kw={"rows": 3, "maxlength": BODY_MAX})
    submit = SubmitField("Send the question")


class AnswerForm(Form):
    answer = TextAreaField("Answer", validators=[DataRequired(), Length(max=BODY_MAX)],
                           render_kw={"rows": 3, "maxlength": BODY_MAX})
    submit = SubmitField("Send the answer")


class ResolveForm(Form):
    submit = SubmitField("Mark as resolved")
