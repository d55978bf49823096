"""Numbers, money, percentages and dates as people read them, by locale (Flask-Babel, CLDR).

Templates never format a number with ``str.format``: they use these filters, so that a
payout reads ``€28,069,400.00`` and not ``2.80694e+07``, and a later locale switch (a user's
setting, ``Accept-Language``) changes every page at once::

    {{ line.payout|money(run.currency) }}   {{ kams|number }}   {{ share|percent_of }}
    {{ change|money(run.currency, signed=True) }}   {{ run.created_at|day }}

The locale is the page's (``kamscore.web.language``: the user's setting, else the browser's);
``None`` prints as an en dash, the pages' sign for "no value".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
)

NO_VALUE = "\u2013"  # an en dash

Number = int | float | Decimal


def init_app(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(number)
    app.add_template_filter(percent_of)
    app.add_template_filter(day)
    app.add_template_filter(moment)


def money(value: Number | None, currency: str, *, signed: bool = False) -> str:
    """An amount in ``currency`` with the currency's decimals (two for EUR): ``€1,234.50``;
    ``signed`` adds ``+`` to a positive change."""
    if value is None:
        return NO_VALUE
    text = format_currency(value, currency)
    return f"+{text}" if signed and value > 0 else text


def number(value: Number | None, digits: int | None = None, *, signed: bool = False) -> str:
    """A count or measure with thousands separators; ``digits`` fixes the decimals."""
    if value is None:
        return NO_VALUE
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(value, format=pattern)
    return f"+{text}" if signed and value > 0 else text


def percent_of(value: Number | None, digits: int = 1, *, signed: bool = False) -> str:
    """A fraction as a percentage: ``0.853`` → ``85.3%``."""
    if value is None:
        return NO_VALUE
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    text = format_percent(value, format=pattern)
    return f"+{text}" if signed and value > 0 else text


def day(value: date | datetime | str | None) -> str:
    """A date as the locale writes it in full: ``Dec 6, 2026``; also from an ISO 8601 text."""
    if value is None:
        return NO_VALUE
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_date(value, "medium")


def moment(value: datetime | str | None) -> str:
    """A date and time (UTC until users have time zones): ``Dec 6, 2026, 7:15:00 AM``; also
    from an ISO 8601 text (``2026-12-06T07:15:00+00:00``, as a run's summary holds it)."""
    if value is None:
        return NO_VALUE
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_datetime(value, "medium")
