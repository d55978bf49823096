"""Forms of the 360° nomination pages: propose or add a rater, decide on one."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from kamscore.models import NOMINATED_GROUPS, Person
from kamscore.surveys.nominated_raters import GROUP_LABELS
from kamscore.web.base_form import Form

GROUP_CHOICES = [SelectChoice(g, GROUP_LABELS[g]) for g in NOMINATED_GROUPS]


class RaterForm(Form):
    """A colleague and his group (the KAM proposes; the manager adds)."""

    kam = HiddenField(validators=[DataRequired(), Length(max=40)])
    #: any code is taken: the service says whether it is a person (and not nominated yet)
    rater = SelectField("Colleague", validators=[DataRequired("Choose a colleague.")],
                        validate_choice=False)
    group = SelectField("Rates as", choices=GROUP_CHOICES, validators=[DataRequired()])
    submit = SubmitField("Propose")

    def offer(self, people: Iterable[Person]) -> RaterForm:
        self.rater.choices = [SelectChoice(p.code, f"{p.name} ({p.code})") for p in people]
        return self


class DecisionForm(Form):
    """Approve or reject one nomination, in the group chosen."""

    group = SelectField("Group", choices=GROUP_CHOICES, validators=[DataRequired()])
    decision = SelectField("Decision", choices=[SelectChoice("approve", "Approve"),
                                                    SelectChoice("reject", "Reject")])


class ButtonForm(Form):
    submit = SubmitField("Confirm")
