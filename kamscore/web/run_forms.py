"""Forms of the run pages (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from kamscore.web.base_form import Form


class RunForm(Form):
    """Choices (open periods, published rulesets) are filled in by the view."""

    period = SelectField(_l("Period"), validators=[DataRequired()])
    ruleset = SelectField(_l("Published ruleset"), validators=[DataRequired()])
    submit = SubmitField(_l("Run the period"))


class CorrectionForm(Form):
    reason = TextAreaField(_l("Why the run is corrected (kept with the run and in the audit log)"),
                           validators=[DataRequired(_l("A correction needs a reason.")),
                                       Length(max=2_000)],
                           render_kw={"rows": 3})
    submit = SubmitField(_l("Make the correction"))


class CloseForm(Form):
    confirm = BooleanField(_l("I have checked this run: its payouts are final"),
                           validators=[InputRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Close the period and sign off"))
