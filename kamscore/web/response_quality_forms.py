"""Forms of the response-quality page: excluding flagged responses, the speeder setting."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from kamscore.surveys.response_exclusion import REASON_LENGTH
from kamscore.surveys.response_quality import FLAGS
from kamscore.web.base_form import Form
from kamscore.web.stored_words import FLAGS_MANY

WHOLE_CAMPAIGN = ""


class ExcludeForm(Form):
    flag = SelectField(_l("Flag"), choices=[SelectChoice(f, FLAGS_MANY[f]) for f in FLAGS],
                       validators=[DataRequired()])
    subject = SelectField(_l("Responses about"), validate_choice=False,
                          choices=[SelectChoice(WHOLE_CAMPAIGN, _l("the whole campaign"))])
    reason = TextAreaField(_l("Reason (kept in the audit log)"), validators=[
        DataRequired(message=_l("Say why the responses are excluded.")),
        Length(max=REASON_LENGTH)])
    submit = SubmitField(_l("Exclude from scoring"))

    def offer(self, subjects: Sequence[tuple[str, str]]) -> None:
        """The subjects whose group reaches the minimum size: (code, name)."""
        self.subject.choices = [SelectChoice(WHOLE_CAMPAIGN, _l("the whole campaign"))] + [
            SelectChoice(code, f"{name} ({code})") for code, name in subjects]


class SpeederSettingForm(Form):
    exclude_speeders = BooleanField(_l("Exclude speeders from scoring automatically"))
    submit = SubmitField(_l("Save the setting"))
