"""Marshmallow fields for CSV cells, with limits read from the model columns they fill.

Cells arrive as stripped strings and empty cells are not given at all, so ``required`` means
"the cell must not be empty", and an optional field loads as its default (``None`` unless
said otherwise): every loaded row has every column, which bulk inserts need. Lengths come from
the model, so a value that the database would refuse is refused here with its line and column.
"""

from __future__ import annotations

import enum
import re
from typing import Any

from marshmallow import ValidationError, fields, validate

from kamscore.sentences import N_, Sentence

REQUIRED = N_("a value is required")
CODE_MESSAGE = N_("use letters, digits and . _ / - only, no spaces")
NUMBER_MESSAGE = N_("not a number (use a decimal point)")
FINITE_MESSAGE = N_("must be a finite number")
BEFORE_START = N_("must not be before start_date")

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"


def too_long(max_length: int) -> Sentence:
    """Why a text longer than its column is refused (marshmallow's words)."""
    return N_("Longer than maximum length %(max)s.", max=max_length)


class MaxLength(validate.Validator):
    """A text no longer than ``max_length`` (``validate.Length``, its reason a sentence)."""

    def __init__(self, max_length: int) -> None:
        self.max_length = max_length

    def __call__(self, value: str) -> str:
        if len(value) > self.max_length:
            raise ValidationError([too_long(self.max_length)])
        return value


class Matches(validate.Validator):
    """A text matching ``pattern`` (``validate.Regexp``), else ``message``."""

    def __init__(self, pattern: str, message: Sentence) -> None:
        self.regex = re.compile(pattern)
        self.message = message

    def __call__(self, value: str) -> str:
        if self.regex.match(value) is None:
            raise ValidationError([self.message])
        return value


class Within(validate.Validator):
    """A number from ``low`` (``low_inclusive`` or not) to ``high`` (inclusive); either may
    be None (``validate.Range``, with its words)."""

    def __init__(self, low: float | None = None, high: float | None = None,
                 low_inclusive: bool = True) -> None:
        self.low, self.high, self.low_inclusive = low, high, low_inclusive

    def __call__(self, value: float) -> float:
        low, high = self.low, self.high
        if (low is None or (value >= low if self.low_inclusive else value > low)) and (
                high is None or value <= high):
            return value
        if high is None:
            message = (N_("Must be greater than or equal to %(min)s.", min=low)
                       if self.low_inclusive else N_("Must be greater than %(min)s.", min=low))
        elif low is None:
            message = N_("Must be less than or equal to %(max)s.", max=high)
        elif self.low_inclusive:
            message = N_("Must be greater than or equal to %(min)s and less than or equal to "
                         "%(max)s.", min=low, max=high)
        else:
            message = N_("Must be greater than %(min)s and less than or equal to %(max)s.",
                         min=low, max=high)
        raise ValidationError([message])


def _options(required: bool, default: Any, **messages: Sentence) -> dict[str, Any]:
    options: dict[str, Any] = {"error_messages": {
        key: [message] for key, message in {"required": REQUIRED, **messages}.items()}}
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
            MaxLength(column_length(column)),
            Matches(CODE_PATTERN, CODE_MESSAGE),
        ],
        **_options(required, None),
    )


def text(column: Any, *, required: bool = False, default: str | None = None) -> fields.String:
    return fields.String(validate=MaxLength(column_length(column)), **_options(required, default))


class LowerEnum(fields.Enum):
    """An enum by value, case-insensitively (``KAM`` and ``kam`` both work)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = value.lower()
        return super()._deserialize(value, attr, data, **kwargs)

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        if key == "unknown":
            return ValidationError([N_("must be one of: %(choices)s", choices=self.choices_text)])
        return super().make_error(key, **kwargs)


def choice(enum_cls: type[enum.StrEnum], *, required: bool = True,
           default: enum.StrEnum | None = None) -> fields.Enum:
    return LowerEnum(
        enum_cls, by_value=True,
        **_options(required, default),
    )


def date(*, required: bool = False) -> fields.Date:
    return fields.Date(**_options(required, None, invalid=N_("not a date; write it as YYYY-MM-DD")))


def number(
    *, required: bool = False, default: float | None = None, **range_kwargs: Any
) -> fields.Float:
    """A finite number written with a decimal point (``1,5`` is refused, not guessed)."""
    return fields.Float(
        validate=[Within(range_kwargs.get("min"), range_kwargs.get("max"),
                         range_kwargs.get("min_inclusive", True))] if range_kwargs else [],
        **_options(required, default, invalid=NUMBER_MESSAGE, special=FINITE_MESSAGE),
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
        validate=Within(low, high),
        **_options(required, default, invalid=N_("not a whole number")),
    )


def boolean(*, required: bool = False, default: bool | None = None) -> fields.Boolean:
    return fields.Boolean(
        **_options(required, default, invalid=N_("not a yes/no value (true/false, yes/no, 1/0)"))
    )


def email(column: Any, *, required: bool = False) -> fields.String:
    """An e-mail address (``fields.Email``'s check, its reason a sentence)."""
    return fields.String(validate=[MaxLength(column_length(column)), _email],
                         **_options(required, None))


def _email(value: str) -> str:
    try:
        return validate.Email()(value)
    except ValidationError:
        raise ValidationError([N_("not a valid e-mail address")]) from None
