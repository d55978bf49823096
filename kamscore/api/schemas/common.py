"""Fields shared by the resource schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from kamscore.scoring.lifecycle import RULESET_REF_PATTERN


def code_of(attribute: str, **kwargs: Any) -> fields.Function:
    """The code of a related object (``None`` when there is none)."""

    def get(obj: Any) -> str | None:
        related = getattr(obj, attribute)
        return related.code if related is not None else None

    return fields.Function(get, **kwargs)


def code_filter(what: str) -> fields.String:
    return fields.String(metadata={"description": f"Only those of this {what} (its code)."})


def ruleset_ref(description: str, **kwargs: Any) -> fields.String:
    """A ruleset version reference: NAME (its published version) or NAME:VERSION."""
    return fields.String(validate=validate.Regexp(
        RULESET_REF_PATTERN, error="Not a ruleset reference: write NAME or NAME:VERSION."),
        metadata={"description": description}, **kwargs)
