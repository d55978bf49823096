"""The vectorised aggregation gives what the former per-subject code gave, on random campaigns.

``reference_aggregation`` is the per-subject pure-Python implementation the vectorised
``kamscore.surveys.aggregation`` replaced; every cell (its order, groups, n, mean, sd,
histogram and details: CSAT, NPS and its interval, shares, scale items and alphas, gaps and
their intervals, rater agreement), every subject's response counts and verdicts must agree,
floats to 1e-12.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import reference_aggregation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamscore.surveys.aggregation import ResponseRecord, aggregate
from kamscore.surveys.definition import NOT_APPLICABLE, load_definition_file
from kamscore.surveys.measures import BINARY, CHOICE, NPS, RATING, Measure, measures_of

SURVEYS = Path(__file__).resolve().parents[2] / "surveys"
MEASURES = {
    "kam": measures_of(load_definition_file(SURVEYS / "internal_360.yaml")),
    "account": measures_of(load_definition_file(SURVEYS / "customer_satisfaction.yaml")),
}
GROUPS = {"kam": ("self", "manager", "peer", "cross_functional"),
          "account": ("physician", "pharmacist", "procurement", "nurse")}


def same(a: Any, b: Any, where: str = "") -> None:
    """Equal, floats to 1e-12 (relative or absolute)."""
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (where, a, b)
    elif isinstance(a, dict) and isinstance(b, dict):
        assert list(a) == list(b) or set(a) == set(b), (where, a, b)
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
        assert len(a) == len(b), (where, a, b)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    else:
        assert type(a) is type(b) and a == b, (where, a, b)


def answer(measure: Measure, draw: st.DrawFn, pattern: int) -> tuple[float | None, str | None]:
    if pattern == 1:
        return (None, NOT_APPLICABLE)
    if measure.kind == CHOICE:
        return (draw(st.sampled_from([None, 1.0, 2.0])), draw(st.sampled_from(
            [*measure.options, "other"])))
    if measure.kind == BINARY:
        return draw(st.sampled_from([(1.0, "yes"), (0.0, "no")]))
    low, high = (0, 10) if measure.kind == NPS else (measure.scale_min, measure.scale_max)
    value = float(draw(st.integers(low, high)))
    if measure.kind == RATING and draw(st.integers(0, 30)) == 0:
        value += 0.5  # a number that is not a whole one: no histogram
    return (value, None)


@st.composite
def campaigns(draw: st.DrawFn) -> tuple[str, list[ResponseRecord], int]:
    subject_type = draw(st.sampled_from(sorted(MEASURES)))
    measures = [m for m in MEASURES[subject_type] if not m.is_scale]
    style = draw(st.sampled_from(["full", "sparse"]))
    records = []
    for subject in draw(st.lists(st.sampled_from(["A", "B", "C", "D", "E"]), min_size=0,
                                 max_size=4, unique=True)):
        for group in draw(st.lists(st.sampled_from(GROUPS[subject_type]), max_size=14)):
            level = draw(st.integers(1, 5))
            answers = {}
            for m in measures:
                # 0: answered, 1: not applicable, 2: unanswered
                pattern = 0 if style == "full" else draw(st.sampled_from([0, 0, 0, 1, 2]))
                if pattern == 2:
                    continue
                if style == "full" and m.kind == RATING and m.scale_max == 5:
                    answers[m.id] = (float(min(5, max(1, level + draw(st.integers(-1, 1))))),
                                     None)
                else:
                    answers[m.id] = answer(m, draw, pattern)
            records.append(ResponseRecord(subject, group, answers))
    return subject_type, records, draw(st.integers(1, 4))


def check(subject_type: str, records: list[ResponseRecord], minimum: int) -> None:
    measures = MEASURES[subject_type]
    args = dict(subject_type=subject_type, campaign_code="C", minimum=minimum)
    new = aggregate(measures, records, **args)
    old = reference_aggregation.aggregate(measures, records, **args)
    assert new.responses == old.responses
    assert new.subjects == old.subjects
    assert [(c.subject_type, c.subject, c.measure, c.rater_group) for c in new.cells] == \
        [(c.subject_type, c.subject, c.measure, c.rater_group) for c in old.cells]
    for a, b in zip(new.cells, old.cells, strict=True):
        same(vars(a), vars(b), f"{a.subject}/{a.measure}/{a.rater_group}")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(campaigns())
def test_vectorised_aggregation_equals_the_reference(campaign):
    check(*campaign)


@pytest.mark.parametrize("subject_type", sorted(MEASURES))
def test_a_larger_campaign_equals_the_reference(subject_type):
    """60 subjects of 7 responses, every item answered: agreement tables and pooled cells."""
    import random

    rng = random.Random(3)
    measures = [m for m in MEASURES[subject_type] if not m.is_scale]
    groups = GROUPS[subject_type]
    records = []
    for s in range(60):
        for g in [groups[0], groups[1], groups[2], groups[2], *[groups[3]] * rng.randint(0, 4)]:
            base = rng.randint(1, 5)
            answers = {}
            for m in measures:
                if m.kind == RATING and m.scale_max == 5:
                    answers[m.id] = (float(min(5, max(1, base + rng.randint(-1, 1)))), None)
                elif m.kind == NPS:
                    answers[m.id] = (float(rng.randint(0, 10)), None)
                elif m.kind == BINARY:
                    answers[m.id] = rng.choice([(1.0, "yes"), (0.0, "no")])
                elif m.kind == CHOICE:
                    answers[m.id] = (None, rng.choice(m.options))
                else:
                    answers[m.id] = (float(rng.randint(m.scale_min, m.scale_max)), None)
            records.append(ResponseRecord(f"S{s:03d}", g, answers))
    result = aggregate(MEASURES[subject_type], records, subject_type=subject_type,
                       campaign_code="C", minimum=3)
    assert len(result.cells) > 60 * 10
    check(subject_type, records, 3)
