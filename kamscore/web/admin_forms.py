"""Forms of the administrators' pages: users and the audit log's filters."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kamscore.audit.log import ACTIONS
from kamscore.auth.roles import ROLE_TITLES, ROLES


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_field() -> CheckboxesField:
    return CheckboxesField("Roles",
                           choices=[SelectChoice(r, f"{r}: {ROLE_TITLES[r]}") for r in ROLES],
                           validators=[DataRequired("Choose at least one role.")])


class RolesForm(FlaskForm):
    roles = _role_field()
    person = StringField("Person code (for a KAM)", validators=[Optional(), Length(max=40)])
    teams = StringField("Team codes (for a manager, separated by commas)",
                        validators=[Optional(), Length(max=400)])
    submit = SubmitField("Save roles")

    def team_codes(self) -> list[str]:
        return [code.strip() for code in (self.teams.data or "").split(",") if code.strip()]


class NewUserForm(RolesForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)],
                           render_kw={"autocomplete": "off", "autocapitalize": "none"})
    name = StringField("Full name", validators=[Optional(), Length(max=200)])
    password = PasswordField("Password (12 characters or more)",
                             validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Create user")


class PasswordForm(FlaskForm):
    password = PasswordField("New password (12 characters or more)",
                             validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Set password")


class ConfirmForm(FlaskForm):
    """A button that only posts (disable, enable): the CSRF token is the whole form."""

    submit = SubmitField("Confirm")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    actor = StringField("User", validators=[Optional(), Length(max=80)])
    action = SelectField("Action", choices=[SelectChoice("", "Any action"),
                                            *[SelectChoice(a, a) for a in sorted(ACTIONS)]],
                         validators=[Optional()])
    object_type = StringField("Object type", validators=[Optional(), Length(max=40)])
    object_key = StringField("Object", validators=[Optional(), Length(max=200)])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
