"""Forms of the statement queries (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from kamscore.scoring.statement_queries import BODY_MAX
from kamscore.web.base_form import Form


class RaiseQueryForm(Form):
    """The line choices are the statement's lines, filled in by the view."""

    line = SelectField(_l("About which line"), validators=[DataRequired()])
    body = TextAreaField(_l("Your question"), validators=[DataRequired(), Length(max=BODY_MAX)],
                         render_kw={"rows": 3, "maxlength": BODY_MAX})
    submit = SubmitField(_l("Send the question"))


class AnswerForm(Form):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=BODY_MAX)],
                           render_kw={"rows": 3, "maxlength": BODY_MAX})
    submit = SubmitField(_l("Send the answer"))


class ResolveForm(Form):
    submit = SubmitField(_l("Mark as resolved"))
