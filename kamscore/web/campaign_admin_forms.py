"""Forms of the survey administrators' campaign pages: create, extend, and the buttons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
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
from kamscore.web.base_form import Form
from kamscore.web.stored_words import SURVEY_KINDS
from kamscore.web.survey_titles import title_in_language


def _survey_choice(entry: CatalogueEntry) -> str:
    """"Title (kind)" of a definition, in the page's language (read when shown); its key is
    the option's value."""
    from flask_babel import LazyString

    def text() -> str:
        title = (title_in_language(entry.titles, entry.kind) if entry.titles
                 else entry.title)
        kind = SURVEY_KINDS.get(entry.kind, entry.kind)
        return str(_l("%(title)s (%(kind)s)", title=title, kind=kind))

    return LazyString(text)  # type: ignore[return-value]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _days(text: str | None) -> list[int]:
    """"7, 2" → [7, 2] (ValueError on anything else)."""
    return [int(part) for part in (text or "").replace(";", ",").split(",") if part.strip()]


class NewCampaignForm(Form):
    survey = SelectField(_l("Survey definition"), validators=[DataRequired()])
    code = StringField(_l("Campaign code (letters, digits, '.', '_' or '-')"),
                       validators=[DataRequired(), Length(max=40)],
                       render_kw={"autocomplete": "off", "autocapitalize": "none"})
    name = StringField(_l("Name (optional: the survey's title and the period)"),
                       validators=[Optional(), Length(max=200)])
    period = SelectField(_l("Period"), validators=[DataRequired()])
    accounts = CheckboxesField(_l("Customers of these accounts (none chosen: every account "
                                  "with a KAM in the period)"), validators=[Optional()])
    teams = CheckboxesField(_l("Colleagues of these teams: their KAMs are rated (none chosen: "
                               "every KAM in role)"), validators=[Optional()])
    raters = RadioField(_l("Who rates the KAMs (360° surveys)"), default="organisation",
                        choices=[SelectChoice("organisation", _l(
                                     "Drawn from the organisation: manager, peers, "
                                     "account-team colleagues")),
                                 SelectChoice("nominations", _l(
                                     "Nominated by each KAM, approved by his manager"))])
    languages = CheckboxesField(_l("Languages offered to respondents"),
                                validators=[DataRequired(_l("Choose at least English."))])
    opens_at = DateTimeLocalField(_l("Opens (in the time zone below)"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(_l("Give the opening time."))])
    closes_at = DateTimeLocalField(_l("Closes"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Give the closing time."))])
    timezone = StringField(_l("Time zone (IANA name, e.g. Asia/Taipei)"), default="UTC",
                           validators=[DataRequired(), Length(max=64)])
    reminder_days = StringField(_l("Reminders: days before the close, separated by commas "
                                   "(e.g. 7, 2)"), default="7, 2",
                                validators=[Optional(), Length(max=100)])
    min_peer = IntegerField(_l("Minimum peer raters"),
                            validators=[Optional(), NumberRange(0, 50)])
    min_manager = IntegerField(_l("Minimum manager raters"),
                               validators=[Optional(), NumberRange(0, 50)])
    min_cross_functional = IntegerField(_l("Minimum cross-functional colleague raters"),
                                        validators=[Optional(), NumberRange(0, 50)])
    min_direct_report = IntegerField(_l("Minimum direct report raters"),
                                     validators=[Optional(), NumberRange(0, 50)])
    submit = SubmitField(_l("Create the draft campaign"))

    def offer(self, entries: Sequence[CatalogueEntry], choices: PopulationChoices) -> None:
        self.survey.choices = [SelectChoice(e.key, _survey_choice(e)) for e in entries]
        self.period.choices = [SelectChoice(p.code, p.name) for p in choices.periods]
        self.accounts.choices = [SelectChoice(a.code, f"{a.name} ({a.code})")
                                 for a in choices.accounts]
        self.teams.choices = [SelectChoice(t.code, f"{t.name} ({t.code})")
                              for t in choices.teams]
        languages = sorted({lang for e in entries for lang in e.languages},
                           key=lambda lang: (lang != "en", lang))
        # each language named in itself (the code is the value)
        self.languages.choices = [SelectChoice(lang, LANGUAGE_NAMES.get(lang, lang))
                                  for lang in languages]

    def validate_reminder_days(self, field: StringField) -> None:
        try:
            _days(field.data)
        except ValueError:
            raise ValidationError(_l("Give whole numbers of days separated by commas, "
                                     "e.g. 7, 2.")) from None

    def validate_timezone(self, field: StringField) -> None:
        try:
            ZoneInfo(field.data or "")
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(_l("Unknown time zone %(zone)s.", zone=repr(field.data))
                                  ) from None

    def instant(self, field: DateTimeLocalField) -> dt.datetime:
        return field.data.replace(tzinfo=ZoneInfo(self.timezone.data))

    def reminder_offsets(self) -> list[int]:
        return _days(self.reminder_days.data)

    def minimums(self) -> dict[str, int]:
        return {group: getattr(self, f"min_{group}").data or 0 for group in NOMINATED_GROUPS}


class ExtendForm(Form):
    closes_at = DateTimeLocalField(_l("New closing time (in the campaign's time zone)"),
                                   format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Give the new closing time."))])
    submit = SubmitField(_l("Extend"))


class ButtonForm(Form):
    """A button that only posts (launch, remind, close): the CSRF token is the whole form."""

    submit = SubmitField(_l("Confirm"))
