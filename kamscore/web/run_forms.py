"""Forms of the run pages (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from kamscore.web.base_form import Form


class RunForm(Form):
    """Choices (open periods, published rulesets) are filled in by the view."""

    period = SelectField("Period", validators=[DataRequired()])
    ruleset = SelectField("Published ruleset", validators=[DataRequired()])
    submit = SubmitField("Run the period")


class CorrectionForm(Form):
    reason = TextAreaField("Why the run is corrected (kept with the run and in the audit log)",
                           validators=[DataRequired("A correction needs a reason."),
                                       Length(max=2_000)],
                           render_kw={"rows": 3})
    submit = SubmitField("Make the correction")


class CloseForm(Form):
    confirm = BooleanField("I have checked this run: its payouts are final",
                           validators=[InputRequired("Tick the box to confirm.")])
    submit = SubmitField("Close the period and sign off")
