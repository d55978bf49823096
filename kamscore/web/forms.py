"""Forms of the staff pages (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from kamscore.web.base_form import Form


class SignInForm(Form):
    username = StringField(
        "Username", validators=[DataRequired(), Length(max=80)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField("Sign in")


class SignOutForm(Form):
    """Signing out is a POST with a CSRF token, so no other site can sign a user out."""

    submit = SubmitField("Sign out")
