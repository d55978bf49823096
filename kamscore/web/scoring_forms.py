"""Forms of the pay pages (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from kamscore.web.base_form import Form


class WhatIfForm(Form):
    """Choices (periods, published rulesets) are filled in by the view."""

    period = SelectField("Period whose data is used", validators=[DataRequired()])
    baseline = SelectField("Compared with the published ruleset", validators=[DataRequired()])
    mode = RadioField("Change", choices=[SelectChoice("weights", "Change the weights"),
                                         SelectChoice("yaml", "Edit the ruleset (YAML)")],
                      default="weights", validators=[DataRequired()])
    source = TextAreaField("Ruleset YAML", validators=[Optional(), Length(max=500_000)],
                           render_kw={"rows": 18, "spellcheck": "false"})
    submit = SubmitField("Compare")
