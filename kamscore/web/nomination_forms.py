"""Forms of the 360° nomination pages: propose or add a rater, decide on one."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from kamscore.models import NOMINATED_GROUPS, Person
from kamscore.web.base_form import Form
from kamscore.web.stored_words import RATER_GROUPS

GROUP_CHOICES = [SelectChoice(g, RATER_GROUPS[g]) for g in NOMINATED_GROUPS]


class RaterForm(Form):
    """A colleague and his group (the KAM proposes; the manager adds)."""

    kam = HiddenField(validators=[DataRequired(), Length(max=40)])
    #: any code is taken: the service says whether it is a person (and not nominated yet)
    rater = SelectField(_l("Colleague"), validators=[DataRequired(_l("Choose a colleague."))],
                        validate_choice=False)
    group = SelectField(_l("Rates as"), choices=GROUP_CHOICES, validators=[DataRequired()])
    submit = SubmitField(_l("Propose"))

    def offer(self, people: Iterable[Person]) -> RaterForm:
        self.rater.choices = [SelectChoice(p.code, f"{p.name} ({p.code})") for p in people]
        return self


class DecisionForm(Form):
    """Approve or reject one nomination, in the group chosen."""

    group = SelectField(_l("Group"), choices=GROUP_CHOICES, validators=[DataRequired()])
    decision = SelectField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve")),
                                                       SelectChoice("reject", _l("Reject"))])


class ButtonForm(Form):
    submit = SubmitField(_l("Confirm"))
