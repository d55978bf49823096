"""Forms of the response-quality page: excluding flagged responses, the speeder setting."""

from __future__ import annotations

from collections.abc import Sequence

from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from kamscore.surveys.response_exclusion import REASON_LENGTH
from kamscore.surveys.response_quality import FLAG_LABELS, FLAGS
from kamscore.web.base_form import Form

WHOLE_CAMPAIGN = ""


class ExcludeForm(Form):
    flag = SelectField("Flag", choices=[SelectChoice(f, FLAG_LABELS[f] + "s") for f in FLAGS],
                       validators=[DataRequired()])
    subject = SelectField("Responses about", validate_choice=False,
                          choices=[SelectChoice(WHOLE_CAMPAIGN, "the whole campaign")])
    reason = TextAreaField("Reason (kept in the audit log)", validators=[
        DataRequired(message="Say why the responses are excluded."),
        Length(max=REASON_LENGTH)])
    submit = SubmitField("Exclude from scoring")

    def offer(self, subjects: Sequence[tuple[str, str]]) -> None:
        """The subjects whose group reaches the minimum size: (code, name)."""
        self.subject.choices = [SelectChoice(WHOLE_CAMPAIGN, "the whole campaign")] + [
            SelectChoice(code, f"{name} ({code})") for code, name in subjects]


class SpeederSettingForm(Form):
    exclude_speeders = BooleanField("Exclude speeders from scoring automatically")
    submit = SubmitField("Save the setting")
