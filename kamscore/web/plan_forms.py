"""Forms of the plan acknowledgment and payment hold pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from kamscore.models import HoldReason
from kamscore.web.base_form import Form
from kamscore.web.stored_words import HOLD_REASONS


class AcknowledgeForm(Form):
    """The KAM's password, and the hash of the document the page showed him."""

    document_hash = HiddenField(validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Your password"),
                             validators=[DataRequired(_l("Enter your password to acknowledge."))])
    submit = SubmitField(_l("Acknowledge my plan"))


class ButtonForm(Form):
    submit = SubmitField(_l("Send"))


REASON_CHOICES = [SelectChoice(r.value, HOLD_REASONS[r.value]) for r in HoldReason]


class HoldForm(Form):
    run = IntegerField(_l("Score run"), validators=[InputRequired(_l("Give the run's number."))])
    kam = StringField(_l("KAM code"), validators=[DataRequired(_l("Give the KAM's code.")),
                                                  Length(max=40)])
    line = StringField(_l("Statement line (blank: the whole payout)"),
                       validators=[Optional(), Length(max=80)])
    reason = SelectField(_l("Reason"), choices=REASON_CHOICES, validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Hold"))


class ReleaseForm(Form):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Release"))
