"""Forms of the staff pages (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from kamscore.auth.preferences import LANGUAGES, time_zones
from kamscore.web.base_form import Form


class SignInForm(Form):
    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=80)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class SignOutForm(Form):
    """Signing out is a POST with a CSRF token, so no other site can sign a user out."""

    submit = SubmitField(_l("Sign out"))


class LanguageForm(Form):
    """The language of the pages and, for a signed-in user, his time zone. The switch in every
    page's footer submits only the language (the time zone then stays as it is)."""

    language = SelectField(_l("Language"), validators=[DataRequired()],
                           choices=[SelectChoice(tag, name) for tag, name in LANGUAGES.items()])
    timezone = SelectField(_l("Time zone"), default="")
    next = HiddenField()
    submit = SubmitField(_l("Change"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice("", _l("UTC (the default)"))] + [
            SelectChoice(zone, zone) for zone in time_zones()]
