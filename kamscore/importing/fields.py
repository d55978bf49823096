"""Marshmallow fields for CSV cells, with limits read from the model columns they fill.

Cells arrive as stripped strings and empty cells are not given at all, so ``required`` means
"the cell must not be empty", and an optional field loads as its default (``None`` unless
said otherwise): every loaded row has every column, which bulk inserts need. Lengths come from
the model, so a value that the database would refuse is refused here with its line and column.
"""

from __future__ import annotations

import enum
from typing import Any

from marshmallow import fields, validate

REQUIRED = "a value is required"

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"


def _options(required: bool, default: Any, **messages: str) -> dict[str, Any]:
    options: dict[str, Any] = {"error_messages": {"required": REQUIRED, **messages}}
    if required:
        options["required"] = True
    else:
        options["load_default"] = default
    return options


def column_length(column: Any) -> int:
    """The VARCHAR length of a mapped column (``Person.code`` → 40)."""
    return column.property.columns[0].type.length


def code(column: Any, *, required: bool = True) -> fields.String:
    """A natural key: letters, digits and ``. _ / -``, no spaces."""
    return fields.String(
        validate=[
            validate.Length(max=column_length(column)),
            validate.Regexp(CODE_PATTERN, error="use letters, digits and . _ / - only, no spaces"),
        ],
        **_options(required, None),
    )


def text(column: Any, *, required: bool = False, default: str | None = None) -> fields.String:
    return fields.String(
        validate=validate.Length(max=column_length(column)), **_options(required, default)
    )


class LowerEnum(fields.Enum):
    """An enum by value, case-insensitively (``KAM`` and ``kam`` both work)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = value.lower()
        return super()._deserialize(value, attr, data, **kwargs)


def choice(enum_cls: type[enum.StrEnum], *, required: bool = True,
           default: enum.StrEnum | None = None) -> fields.Enum:
    return LowerEnum(
        enum_cls, by_value=True,
        **_options(required, default, unknown="must be one of: {choices}"),
    )


def date(*, required: bool = False) -> fields.Date:
    return fields.Date(**_options(required, None, invalid="not a date; write it as YYYY-MM-DD"))


def number(
    *, required: bool = False, default: float | None = None, **range_kwargs: Any
) -> fields.Float:
    """A finite number written with a decimal point (``1,5`` is refused, not guessed)."""
    return fields.Float(
        validate=[validate.Range(**range_kwargs)] if range_kwargs else [],
        **_options(
            required,
            default,
            invalid="not a number (use a decimal point)",
            special="must be a finite number",
        ),
    )


def integer(
    *,
    required: bool = False,
    default: int | None = None,
    low: int | None = None,
    high: int | None = None,
) -> fields.Integer:
    return fields.Integer(
        strict=False,
        validate=validate.Range(min=low, max=high),
        **_options(required, default, invalid="not a whole number"),
    )


def boolean(*, required: bool = False, default: bool | None = None) -> fields.Boolean:
    return fields.Boolean(
        **_options(required, default, invalid="not a yes/no value (true/false, yes/no, 1/0)")
    )


def email(column: Any, *, required: bool = False) -> fields.Email:
    return fields.Email(
        validate=validate.Length(max=column_length(column)),
        **_options(required, None, invalid="not a valid e-mail address"),
    )
