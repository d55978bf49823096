"""Forms of the pay ledger pages (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kamscore.scoring.ledger import REASON_MAX
from kamscore.web.base_form import Form

KINDS = [SelectChoice("adjustment", _l("Adjustment (any amount, + or -)")),
         SelectChoice("spiff", _l("SPIFF (positive)")),
         SelectChoice("clawback", _l("Clawback (negative, names the run it corrects)"))]


class EntryForm(Form):
    """The KAM and period choices are filled in by the view; the service checks the rest."""

    kam = SelectField(_l("KAM"), validators=[DataRequired()])
    period = SelectField(_l("Paid in the payroll of"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=KINDS, validators=[DataRequired()])
    amount = StringField(_l("Amount"), validators=[DataRequired(), Length(max=20)],
                         render_kw={"inputmode": "decimal", "placeholder": "250.00"})
    reason = TextAreaField(_l("Reason (shown on the KAM's statement)"),
                           validators=[DataRequired(), Length(max=REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": REASON_MAX})
    run = IntegerField(_l("Run it corrects (a clawback only)"),
                       validators=[Optional(), NumberRange(min=1)])
    submit = SubmitField(_l("Enter for approval"))


class ApproveForm(Form):
    submit = SubmitField(_l("Approve"))
