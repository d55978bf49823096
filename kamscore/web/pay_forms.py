"""Forms of the pay ledger pages (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kamscore.scoring.ledger import REASON_MAX
from kamscore.web.base_form import Form

KINDS = [("adjustment", "Adjustment (any amount, + or -)"), ("spiff", "SPIFF (positive)"),
         ("clawback", "Clawback (negative, names the run it corrects)")]


class EntryForm(Form):
    """The KAM and period choices are filled in by the view; the service checks the rest."""

    kam = SelectField("KAM", validators=[DataRequired()])
    period = SelectField("Paid in the payroll of", validators=[DataRequired()])
    kind = SelectField("Kind", choices=KINDS, validators=[DataRequired()])
    amount = StringField("Amount", validators=[DataRequired(), Length(max=20)],
                         render_kw={"inputmode": "decimal", "placeholder": "250.00"})
    reason = TextAreaField("Reason (shown on the KAM's statement)",
                           validators=[DataRequired(), Length(max=REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": REASON_MAX})
    run = IntegerField("Run it corrects (a clawback only)",
                       validators=[Optional(), NumberRange(min=1)])
    submit = SubmitField("Enter for approval")


class ApproveForm(Form):
    submit = SubmitField("Approve")
