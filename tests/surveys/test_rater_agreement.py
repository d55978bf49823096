"""Rater agreement in 360° aggregation: only shown groups, never self; the gap interval and
the two ways of handling missing answers in Cronbach's alpha (pure, no database)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamscore.surveys.aggregation import Cell, ResponseRecord, aggregate
from kamscore.surveys.definition import load_definition_file
from kamscore.surveys.disclosure import Verdict
from kamscore.surveys.measures import measures_of
from kamscore.surveys.rater_agreement import AGREEMENT_MEASURE
from kamscore.surveys.reliability import icc, krippendorff_alpha

SURVEYS = Path(__file__).resolve().parents[2] / "surveys"
DEFINITION = load_definition_file(SURVEYS / "internal_360.yaml")
MEASURES = measures_of(DEFINITION)
ITEMS = [i for q in DEFINITION.questions() if q.type == "matrix" for i in q.answer_items()]


def answers(levels: list[int | None]) -> dict:
    return {item: (float(v), None) for item, v in zip(ITEMS, levels, strict=True)
            if v is not None}


def agreement(cells: list[Cell]) -> dict[tuple[str, str], Cell]:
    return {(c.subject, c.rater_group): c for c in cells if c.measure == AGREEMENT_MEASURE}


def test_agreement_of_the_shown_groups_equals_the_pure_functions() -> None:
    rng = np.random.default_rng(3)
    profile = rng.integers(1, 6, size=len(ITEMS))
    raters = {"peer": 3, "cross_functional": 4, "manager": 1}
    tables: dict[str, list[list[int | None]]] = {}
    records = []
    for group, count in raters.items():
        for _ in range(count):
            levels = [int(min(5, max(1, p + rng.integers(-1, 2)))) for p in profile]
            levels[0] = None if group == "cross_functional" and len(tables.get(group, [])) == 0 \
                else levels[0]
            tables.setdefault(group, []).append(levels)
            records.append(ResponseRecord("K1", group, answers(levels)))
    records.append(ResponseRecord("K1", "self", answers([5] * len(ITEMS))))
    result = aggregate(MEASURES, records, subject_type="kam", campaign_code="C", minimum=3)
    found = agreement(result.cells)
    verdicts = result.subjects["K1"].verdicts
    shown = {g for g, v in verdicts.items() if v is Verdict.SHOWN} - {"self"}
    assert {g for (_s, g) in found} == shown
    assert "others" in shown and "manager" not in shown
    for group in shown:
        members = ([r for g in ("peer", "cross_functional", "manager") for r in tables[g]]
                   if group == "others" else tables[group])
        table = np.array([[math.nan if v is None else v for v in row] for row in members],
                         dtype=float).T  # items x raters
        cell = found[("K1", group)]
        assert cell.n == len(members) and cell.details["items"] == len(ITEMS)
        expected = icc(table[~np.isnan(table).any(axis=1)])
        assert expected is not None
        for form, interval in expected.forms.items():
            assert cell.details["icc"][form]["value"] == pytest.approx(interval.value)
            assert cell.details["icc"][form]["low"] == pytest.approx(interval.low)
        alpha = krippendorff_alpha(table)
        assert alpha is not None
        assert cell.details["kripp_alpha"] == pytest.approx(alpha.alpha)
        assert cell.details["icc_reading"] in ("poor", "moderate", "good", "excellent")


def test_the_gap_has_an_interval_and_scales_both_alphas() -> None:
    records = [ResponseRecord("K1", "peer", answers([1 + i + j % 2 for j in range(len(ITEMS))]))
               for i in range(4)]
    records.append(ResponseRecord("K1", "self", answers([5] * len(ITEMS))))
    result = aggregate(MEASURES, records, subject_type="kam", campaign_code="C", minimum=3)
    own = next(c for c in result.cells if c.subject == "K1" and c.rater_group == "self"
               and c.measure == "scale:collaboration")
    others = next(c for c in result.cells if c.subject == "K1" and c.rater_group == "others"
                  and c.measure == "scale:collaboration")
    assert own.details["gap_method"] == "fixed_self"
    assert own.details["gap_ci_low"] < own.details["gap"] < own.details["gap_ci_high"]
    assert others.details["alpha_listwise"] == others.details["alpha"]
    assert others.details["alpha_pairwise"] == others.details["alpha"]  # complete answers
    whole_self = next(c for c in result.cells if c.subject_type == "campaign"
                      and c.rater_group == "self" and c.measure == "scale:collaboration")
    assert "gap" in whole_self.details


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["manager", "peer", "cross_functional", "self"]),
                          st.integers(1, 5)), min_size=1, max_size=12),
       st.integers(1, 4))
def test_agreement_is_never_given_for_a_group_that_is_not_shown(raters, minimum) -> None:
    records = [ResponseRecord("K1", g, answers([(level + j) % 5 + 1 for j in range(len(ITEMS))]))
               for g, level in raters]
    result = aggregate(MEASURES, records, subject_type="kam", campaign_code="C",
                       minimum=minimum)
    verdicts = result.subjects["K1"].verdicts
    for (_subject, group) in agreement(result.cells):
        assert group != "self"
        assert verdicts[group] is Verdict.SHOWN
        assert result.subjects["K1"].responses[group] >= max(2, minimum)
