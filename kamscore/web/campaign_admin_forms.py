"""Forms of the survey administrators' campaign pages: create, extend, and the buttons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from kamscore.models import NOMINATED_GROUPS
from kamscore.surveys.campaign_admin import CatalogueEntry, PopulationChoices
from kamscore.surveys.definition import LANGUAGE_NAMES
from kamscore.surveys.nominated_raters import GROUP_LABELS
from kamscore.web.base_form import Form

KIND_NAMES = {"customer": "customer survey", "internal_360": "360° survey"}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _days(text: str | None) -> list[int]:
    """"7, 2" → [7, 2] (ValueError on anything else)."""
    return [int(part) for part in (text or "").replace(";", ",").split(",") if part.strip()]


class NewCampaignForm(Form):
    survey = SelectField("Survey definition", validators=[DataRequired()])
    code = StringField("Campaign code (letters, digits, '.', '_' or '-')",
                       validators=[DataRequired(), Length(max=40)],
                       render_kw={"autocomplete": "off", "autocapitalize": "none"})
    name = StringField("Name (optional: the survey's title and the period)",
                       validators=[Optional(), Length(max=200)])
    period = SelectField("Period", validators=[DataRequired()])
    accounts = CheckboxesField("Customers of these accounts (none chosen: every account "
                               "with a KAM in the period)", validators=[Optional()])
    teams = CheckboxesField("Colleagues of these teams: their KAMs are rated (none chosen: "
                            "every KAM in role)", validators=[Optional()])
    raters = RadioField("Who rates the KAMs (360° surveys)", default="organisation",
                        choices=[SelectChoice("organisation", "Drawn from the organisation: "
                                              "manager, peers, account-team colleagues"),
                                 SelectChoice("nominations", "Nominated by each KAM, approved "
                                              "by his manager")])
    languages = CheckboxesField("Languages offered to respondents",
                                validators=[DataRequired("Choose at least English.")])
    opens_at = DateTimeLocalField("Opens (in the time zone below)", format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired("Give the opening time.")])
    closes_at = DateTimeLocalField("Closes", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired("Give the closing time.")])
    timezone = StringField("Time zone (IANA name, e.g. Asia/Taipei)", default="UTC",
                           validators=[DataRequired(), Length(max=64)])
    reminder_days = StringField("Reminders: days before the close, separated by commas "
                                "(e.g. 7, 2)", default="7, 2",
                                validators=[Optional(), Length(max=100)])
    min_peer = IntegerField(f"Minimum {GROUP_LABELS['peer'].lower()} raters",
                            validators=[Optional(), NumberRange(0, 50)])
    min_manager = IntegerField(f"Minimum {GROUP_LABELS['manager'].lower()} raters",
                               validators=[Optional(), NumberRange(0, 50)])
    min_cross_functional = IntegerField(
        f"Minimum {GROUP_LABELS['cross_functional'].lower()} raters",
        validators=[Optional(), NumberRange(0, 50)])
    min_direct_report = IntegerField(f"Minimum {GROUP_LABELS['direct_report'].lower()} raters",
                                     validators=[Optional(), NumberRange(0, 50)])
    submit = SubmitField("Create the draft campaign")

    def offer(self, entries: Sequence[CatalogueEntry], choices: PopulationChoices) -> None:
        self.survey.choices = [SelectChoice(e.key, f"{e.title} ({KIND_NAMES.get(e.kind, e.kind)}"
                                            f", {e.key})") for e in entries]
        self.period.choices = [SelectChoice(p.code, p.name) for p in choices.periods]
        self.accounts.choices = [SelectChoice(a.code, f"{a.name} ({a.code})")
                                 for a in choices.accounts]
        self.teams.choices = [SelectChoice(t.code, f"{t.name} ({t.code})")
                              for t in choices.teams]
        languages = sorted({lang for e in entries for lang in e.languages},
                           key=lambda lang: (lang != "en", lang))
        self.languages.choices = [SelectChoice(lang, f"{LANGUAGE_NAMES.get(lang, lang)} "
                                               f"({lang})") for lang in languages]

    def validate_reminder_days(self, field: StringField) -> None:
        try:
            _days(field.data)
        except ValueError:
            raise ValidationError("Give whole numbers of days separated by commas, "
                                  "e.g. 7, 2.") from None

    def validate_timezone(self, field: StringField) -> None:
        try:
            ZoneInfo(field.data or "")
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"Unknown time zone {field.data!r}.") from None

    def instant(self, field: DateTimeLocalField) -> dt.datetime:
        return field.data.replace(tzinfo=ZoneInfo(self.timezone.data))

    def reminder_offsets(self) -> list[int]:
        return _days(self.reminder_days.data)

    def minimums(self) -> dict[str, int]:
        return {group: getattr(self, f"min_{group}").data or 0 for group in NOMINATED_GROUPS}


class ExtendForm(Form):
    closes_at = DateTimeLocalField("New closing time (in the campaign's time zone)",
                                   format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired("Give the new closing time.")])
    submit = SubmitField("Extend")


class ButtonForm(Form):
    """A button that only posts (launch, remind, close): the CSRF token is the whole form."""

    submit = SubmitField("Confirm")
