"""Forms of the import page (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from kamscore.importing.cell_formats import DATE_FORMATS
from kamscore.web.base_form import Form

DECIMALS = [SelectChoice("", _l("As the file implies (a comma in a semicolon CSV)")),
            SelectChoice(".", _l("Point: 1234.56")), SelectChoice(",", _l("Comma: 1.234,56"))]


class UploadForm(Form):
    """Kinds are filled in by the view. The file is checked (a dry run) before anything is
    written."""

    kind = SelectField(_l("What the file holds"), validators=[DataRequired()])
    file = FileField(_l("File (CSV or Excel .xlsx)"),
                     validators=[FileRequired(_l("Choose a file to check."))],
                     render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-"
                                          "officedocument.spreadsheetml.sheet"})
    sheet = StringField(_l("Sheet (workbooks; default: the first)"),
                        validators=[Optional(), Length(max=31)])
    decimal = SelectField(_l("Decimal mark"), choices=DECIMALS, default="")
    date_format = SelectField(_l("Dates are written"),
                              choices=[SelectChoice(name, name) for name in DATE_FORMATS],
                              default="YYYY-MM-DD")
    submit = SubmitField(_l("Check the file"))

    def options(self) -> dict[str, str | None]:
        """The import's options: None where the default applies."""
        return {"sheet": (self.sheet.data or "").strip() or None,
                "decimal": self.decimal.data or None,
                "date_format": None if self.date_format.data == "YYYY-MM-DD"
                else self.date_format.data}


class ApplyForm(Form):
    submit = SubmitField(_l("Import it"))
