"""Fields shared by the resource schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import fields


def code_of(attribute: str, **kwargs: Any) -> fields.Function:
    """The code of a related object (``None`` when there is none)."""

    def get(obj: Any) -> str | None:
        related = getattr(obj, attribute)
        return related.code if related is not None else None

    return fields.Function(get, **kwargs)


def code_filter(what: str) -> fields.String:
    return fields.String(metadata={"description": f"Only those of this {what} (its code)."})
