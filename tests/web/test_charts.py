"""Inline SVG bar charts: well-formed, escaped, proportional, with a text alternative."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kamscore.web.charts import LABEL_WIDTH, VALUE_WIDTH, WIDTH, Bar, bar_chart

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_bars_are_proportional_and_described():
    svg = parse(bar_chart([Bar("Trust", 4.0), Bar("Speed", 2.0)], minimum=1, maximum=5,
                          title="Scale means"))
    widths = [float(r.get("width")) for r in svg.findall("s:rect", NS)]
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    assert widths == pytest.approx([plot * 3 / 4, plot * 1 / 4], abs=0.1)
    assert svg.get("role") == "img"
    assert svg.find("s:title", NS).text == "Scale means"
    assert svg.find("s:desc", NS).text == "Trust: 4.00; Speed: 2.00."


def test_text_is_escaped():
    markup = bar_chart([Bar("<script>alert(1)</script>", 1.0, note="x")], minimum=0,
                       maximum=2, title="A & B <c>")
    assert "<script>" not in str(markup)
    svg = parse(markup)
    assert svg.find("s:title", NS).text == "A & B <c>"


def test_intervals_missing_values_and_negative_axes():
    svg = parse(bar_chart([Bar("NPS", 20, low=-10, high=50), Bar("Hidden", None,
                                                                  note="not shown")],
                          minimum=-100, maximum=100, title="NPS",
                          value_format=lambda v: f"{v:+.0f}"))
    desc = svg.find("s:desc", NS).text
    assert desc == "NPS: +20 (interval -10 to +50); Hidden: not shown."
    (rect,) = svg.findall("s:rect", NS)  # no bar for the hidden value
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    assert float(rect.get("x")) == pytest.approx(LABEL_WIDTH + plot / 2, abs=0.1)  # from 0
    assert len(svg.findall("s:path", NS)) == 2  # the whisker and the axis


def test_values_outside_the_axis_are_clamped_and_a_bad_axis_refused():
    svg = parse(bar_chart([Bar("Over", 9.0)], minimum=1, maximum=5, title="t"))
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    assert float(svg.find("s:rect", NS).get("width")) == pytest.approx(plot, abs=0.1)
    with pytest.raises(ValueError, match="maximum"):
        bar_chart([], minimum=5, maximum=5, title="t")
