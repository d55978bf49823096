"""Forms of the administrators' pages: users and the audit log's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
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
from kamscore.auth.roles import ROLES
from kamscore.web.audit_words import ACTION_NAMES
from kamscore.web.base_form import Form
from kamscore.web.stored_words import ACCESS_ROLES


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_field() -> CheckboxesField:
    return CheckboxesField(_l("Roles"), choices=[SelectChoice(r, _RoleLabel(r)) for r in ROLES],
                           validators=[DataRequired(_l("Choose at least one role."))])


class _RoleLabel:
    """A role's code (a code: not translated) and, in the reader's language, what it may
    do; read when the form is shown."""

    def __init__(self, role: str) -> None:
        self.role = role

    def __str__(self) -> str:
        return f"{self.role}: {ACCESS_ROLES[self.role]}"

    def __html__(self) -> str:
        return str(Markup('<span translate="no">%s</span>: %s')
                   % (self.role, str(ACCESS_ROLES[self.role])))


class RolesForm(Form):
    roles = _role_field()
    person = StringField(_l("Person code (for a KAM)"), validators=[Optional(), Length(max=40)])
    teams = StringField(_l("Team codes (for a manager, separated by commas)"),
                        validators=[Optional(), Length(max=400)])
    submit = SubmitField(_l("Save roles"))

    def team_codes(self) -> list[str]:
        return [code.strip() for code in (self.teams.data or "").split(",") if code.strip()]


class NewUserForm(RolesForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)],
                           render_kw={"autocomplete": "off", "autocapitalize": "none"})
    name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    password = PasswordField(_l("Password (12 characters or more)"),
                             validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Create user"))


class PasswordForm(Form):
    password = PasswordField(_l("New password (12 characters or more)"),
                             validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Set password"))


class ConfirmForm(Form):
    """A button that only posts (disable, enable): the CSRF token is the whole form."""

    submit = SubmitField(_l("Confirm"))


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter changes nothing

    actor = StringField(_l("User"), validators=[Optional(), Length(max=80)])
    action = SelectField(_l("Action"), choices=[
        SelectChoice("", _l("Any action")),
        *[SelectChoice(a, ACTION_NAMES.get(a, a)) for a in sorted(ACTIONS)]],
                         validators=[Optional()])
    object_type = StringField(_l("Object type"), validators=[Optional(), Length(max=40)])
    object_key = StringField(_l("Object"), validators=[Optional(), Length(max=200)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
