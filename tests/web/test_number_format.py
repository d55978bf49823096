"""Numbers on pages: money, counts, percentages and dates by locale (kamscore.web.number_format)."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from kamscore.web.number_format import NO_VALUE, day, moment, money, number, percent_of


@pytest.fixture()
def ctx(app):
    with app.test_request_context():
        yield


def test_money_has_the_currency_and_two_decimals(ctx):
    assert money(28069400.0, "EUR") == "€28,069,400.00"
    assert money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert money(-12.3, "EUR") == "-€12.30"


def test_money_signed_marks_a_rise_only(ctx):
    assert money(5, "EUR", signed=True) == "+€5.00"
    assert money(-5, "EUR", signed=True) == "-€5.00"
    assert money(0, "EUR", signed=True) == "€0.00"


def test_number_and_percent(ctx):
    assert number(12345) == "12,345"
    assert number(2.5, 2) == "2.50"
    assert number(3, 0, signed=True) == "+3"
    assert percent_of(0.853) == "85.3%"
    assert percent_of(-0.02, signed=True) == "-2.0%"
    assert percent_of(0.5, 0) == "50%"


def test_dates(ctx):
    assert day(date(2026, 12, 6)) == "Dec 6, 2026"
    assert moment(datetime(2026, 12, 6, 7, 15)).startswith("Dec 6, 2026")


def test_dates_from_iso_texts(ctx):
    """A run's summary holds its times as ISO texts: the filters read them, so that a page
    never writes one time as ``2026-12-06 07:15`` and the next as ``Dec 6, 2026, 7:15 AM``."""
    assert moment("2026-12-06T07:15:00+00:00") == moment(datetime(2026, 12, 6, 7, 15))
    assert day("2026-12-06T07:15:00+00:00") == "Dec 6, 2026"


def test_no_value_is_a_dash(ctx):
    for f in (lambda v: money(v, "EUR"), number, percent_of, day, moment):
        assert f(None) == NO_VALUE


def test_the_filters_reach_templates(app):
    with app.test_request_context():
        out = app.jinja_env.from_string("{{ 1234.5|money('EUR') }} {{ 0.25|percent_of }}").render()
    assert out == "€1,234.50 25.0%"
