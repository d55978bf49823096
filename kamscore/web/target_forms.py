"""Forms of the target round pages. Values are taken as typed: the services parse and check
them (a number, not negative, within the round's bound) and name the field at fault."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from kamscore.web.base_form import Form


class RoundForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    period = StringField(_l("Period"), validators=[DataRequired(), Length(max=10)])
    facts = StringField(_l("Target facts (name:unit, comma-separated)"),
                        default="sales_target:EUR", validators=[DataRequired(),
                                                                Length(max=300)])
    bound_pct = StringField(_l("Bound (% away from top-down a value may be)"), default="25",
                            validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Create the round"))

    def fact_units(self) -> dict[str, str]:
        out = {}
        for part in (self.facts.data or "").split(","):
            name, _, unit = part.strip().partition(":")
            if name:
                out[name.strip()] = unit.strip() or "EUR"
        return out


class ImportForm(Form):
    upload = FileField(_l("CSV file (columns kam, fact, target)"))
    submit = SubmitField(_l("Import the top-down targets"))


KEY_CHOICES = [SelectChoice("credited_share", _l("Credited share (e.g. last year's net sales)")),
               SelectChoice("account_potential", _l("Account potential (a potential fact)"))]


class AllocateForm(Form):
    fact = SelectField(_l("Target fact"), validate_choice=False)
    total = StringField(_l("Total to allocate"), validators=[DataRequired(), Length(max=30)])
    team = SelectField(_l("Whose total"), validate_choice=False)
    key = SelectField(_l("Key"), choices=KEY_CHOICES)
    key_fact = StringField(_l("Key fact"), default="net_sales",
                           validators=[DataRequired(), Length(max=60)])
    key_period = StringField(_l("Key period"), validators=[DataRequired(), Length(max=10)])
    submit = SubmitField(_l("Allocate"))


class OpenForm(Form):
    deadline = DateTimeLocalField(_l("Deadline (UTC)"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(_l("Give a deadline."))])
    submit = SubmitField(_l("Open the round to the KAMs"))


class ProposeForm(Form):
    value = StringField(_l("Your target"), validators=[Length(max=30)])
    reason = TextAreaField(_l("Why"), validators=[Length(max=500)])
    submit = SubmitField(_l("Propose"))


class DecideForm(Form):
    decision = HiddenField()
    value = StringField(_l("Adjusted target"), validators=[Optional(), Length(max=30)])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class ButtonForm(Form):
    submit = SubmitField(_l("Confirm"))
