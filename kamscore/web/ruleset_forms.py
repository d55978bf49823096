"""Forms of the ruleset pages (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from kamscore.scoring.drafting import MAX_SOURCE
from kamscore.web.base_form import Form


class DraftForm(Form):
    """The editor: a file to upload, or the text typed in; saved as a draft version (only if
    it validates) or kept as work in progress."""

    upload = FileField(_l("Upload a YAML file (replaces the text below)"),
                       render_kw={"accept": ".yaml,.yml,text/yaml,application/yaml"})
    source = TextAreaField(_l("Ruleset (YAML)"), validators=[Optional(), Length(max=MAX_SOURCE)],
                           render_kw={"rows": 24, "spellcheck": "false", "wrap": "off",
                                      "autocapitalize": "off", "autocomplete": "off",
                                      "class": "editor__text"})
    filename = StringField(_l("File name"), validators=[Optional(), Length(max=200)],
                           default="ruleset.yaml")
    note = TextAreaField(_l("What changes and why (for the approver)"),
                         validators=[Optional(), Length(max=5_000)], render_kw={"rows": 3})
    save = SubmitField(_l("Save as draft"))
    keep = SubmitField(_l("Keep as work in progress"))
    discard = SubmitField(_l("Discard this work in progress"))


class CopyForm(Form):
    """Start a new draft from a copy of a version (GET: changes nothing)."""

    class Meta(Form.Meta):
        csrf = False

    copy = SelectField(_l("Start from a copy of"), validators=[DataRequired()])


class CompareForm(Form):
    """Which version a version is compared with (GET)."""

    class Meta(Form.Meta):
        csrf = False

    against = SelectField(_l("Compare with"), validators=[Optional()])


class ConfirmForm(Form):
    """The confirmation of an approval or publication."""

    confirm = SubmitField(_l("Confirm"))


class CommentForm(Form):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=10_000)],
                         render_kw={"rows": 4})
    key_path = StringField(_l("About which part (optional)"), validators=[Length(max=200)],
                           render_kw={"placeholder": _l("e.g. components.csat.weight")})
    submit = SubmitField(_l("Add comment"))
