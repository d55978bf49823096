"""The what-if page's forms: the plan chooser (GET) and the scenario (POST).

The scenario's parameter fields are generated from the plan (see ``whatif_pages``): a weight
``w:VARIANT:COMPONENT`` (``default`` for the plan as written) and any other number
``v:KEY.PATH`` (``plan_edits`` key paths). ``scenario_edits`` reads them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from kamscore.web.base_form import Form, has_nul

DEFAULT = "default"


class ScenarioForm(Form):
    """The period and plan come from the chooser (hidden here)."""

    period = HiddenField(validators=[DataRequired(), Length(max=10)])
    plan = HiddenField(validators=[DataRequired(), Length(max=80)])
    mode = RadioField(_l("Change"), choices=[
        SelectChoice("form", _l("The parameters in the form")),
        SelectChoice("yaml", _l("The ruleset text (YAML)"))],
        default="form", validators=[DataRequired()])
    source = TextAreaField(_l("Ruleset YAML"), validators=[Optional(), Length(max=500_000)],
                           render_kw={"rows": 24, "spellcheck": "false", "wrap": "off",
                                      "autocapitalize": "off", "autocomplete": "off",
                                      "class": "editor__text"})
    note = StringField(_l("Note for the approver (optional)"), validators=[Length(max=500)],
                       render_kw={"placeholder": _l("e.g. 5 points from sales to CSAT")})
    compare = SubmitField(_l("Compare with the published plan"))
    save = SubmitField(_l("Save as a new draft"))


def scenario_edits(data: Mapping[str, str]) -> tuple[dict[str, str], dict[str, dict[str, str]],
                                                       dict[str, str]]:
    """The submitted weights of the plan, weights under variants and other values:
    ``(weights, variant_weights, values)``. A NUL character is replaced (the value is then
    no number, and the service says so)."""
    weights: dict[str, str] = {}
    variants: dict[str, dict[str, str]] = {}
    values: dict[str, str] = {}
    for name, raw in data.items():
        if has_nul((name,)) or len(name) > 300:
            continue
        value = raw.replace("\x00", "\ufffd")
        if name.startswith("w:"):
            variant, _, component = name[2:].partition(":")
            target = weights if variant == DEFAULT else variants.setdefault(variant, {})
            target[component] = value
        elif name.startswith("v:"):
            values[name[2:]] = value
    return weights, variants, values


def submitted_texts(data: Mapping[str, Any]) -> dict[str, str]:
    """The parameter fields as submitted (to show them again), by field name."""
    return {k: str(v) for k, v in data.items() if k.startswith(("w:", "v:"))}
