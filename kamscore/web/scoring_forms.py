"""Forms of the pay pages (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from kamscore.web.base_form import Form


class CommentForm(Form):
    body = TextAreaField("Your comment", validators=[DataRequired(), Length(max=10_000)],
                         render_kw={"rows": 4})
    key_path = StringField("About which part (optional)", validators=[Length(max=200)],
                           render_kw={"placeholder": "e.g. components.csat.weight"})
    submit = SubmitField("Add comment")
