"""What-if's SVG charts: two series told apart without colour, every figure in the text."""

from __future__ import annotations

from kamscore.web.whatif_charts import histogram_chart, paired_bars


def money(value: float) -> str:
    return f"EUR {value:,.2f}"


def test_the_histogram_states_each_bin_and_hatches_the_published_plan():
    svg = str(histogram_chart([{"low": 0, "high": 100, "baseline": 2, "draft": 1},
                               {"low": 100, "high": 200, "baseline": 0, "draft": 3}],
                              money=money, count=str))
    assert svg.startswith('<svg class="chart" role="img"')
    assert ("EUR 0.00 to EUR 100.00: Published 2, Draft 1 KAMs; EUR 100.00 to EUR 200.00: "
            "Published 0, Draft 3 KAMs.") in svg
    assert "Published (hatched)" in svg and "Draft (solid)" in svg
    assert svg.count('fill="url(#') == 2  # the legend's swatch and one published bar


def test_paired_bars_escape_group_names_and_write_the_amounts():
    svg = str(paired_bars([{"group": "<script>x</script>", "baseline": 10.0, "draft": 12.5}],
                          title="Cost by team", money=money))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "EUR 10.00" in svg and "EUR 12.50" in svg
    assert "<title" in svg and "Cost by team" in svg


def test_paired_bars_name_a_group_by_its_label():
    svg = str(paired_bars([{"group": "T00007", "label": "Oncology North", "baseline": 10.0,
                            "draft": 12.5}], title="Cost by team", money=money))
    assert ">Oncology North</text>" in svg and "T00007" not in svg
    assert "Oncology North: Published EUR 10.00, Draft EUR 12.50." in svg  # the description
