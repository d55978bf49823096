"""Survey statistics against published worked examples, plus properties that must always hold.

Precision: results that the source states exactly are compared to 1e-9; results that the
source rounds are compared to half a unit of the source's last printed digit.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamscore.surveys.statistics import (
    Description,
    cronbach_alpha,
    describe,
    describe_histogram,
    gap,
    histogram,
    net_promoter,
    pool,
    top_box_share,
)

# --- published worked examples ---------------------------------------------------------------


def test_csat_matches_delighted_worked_example():
    """Delighted, "How is CSAT calculated?" (help.delighted.com/article/240-how-is-csat-
    calculated): 42 fives, 32 fours, 10 threes, 9 twos, 14 ones → 74 satisfied of 107
    responses, CSAT (74 / 107) x 100 = 69.16 (printed to two decimals)."""
    counts = {5: 42, 4: 32, 3: 10, 2: 9, 1: 14}
    assert sum(counts.values()) == 107
    assert 100 * top_box_share(counts, scale_max=5) == pytest.approx(69.16, abs=0.005)
    # the mean of the same answers, worked by hand: (210 + 128 + 30 + 18 + 14) / 107
    assert describe_histogram(counts).mean == pytest.approx(400 / 107, abs=1e-12)


def test_csat_matches_intercom_worked_example():
    """VOC Metrics help centre, "What is CSAT and how is CSAT score calculated"
    (intercom.help/voc-metrics/en/articles/9647540): 10 fives, 20 fours, 10 threes, 5 twos,
    5 ones → CSAT (10 + 20) / 50 x 100 = 60 % (exact)."""
    assert top_box_share({5: 10, 4: 20, 3: 10, 2: 5, 1: 5}, scale_max=5) == pytest.approx(0.6)


def test_top_two_boxes_follow_the_scale():
    assert top_box_share({7: 1, 6: 1, 5: 2}, scale_max=7) == pytest.approx(0.5)
    assert top_box_share({10: 1, 9: 1, 8: 2}, scale_max=10) == pytest.approx(0.5)
    assert top_box_share({}, scale_max=5) is None


def test_nps_wald_interval_matches_cybaea_rule_of_thumb():
    """Engelhardt, "Net Promoter Score confidence intervals 2: maths and stats" (cybaea.net
    journal, 2016-01-14): Var(NPS) = 100² (p(1-p) + d(1-d) + 2pd) / n; with p = d = 1/3 the
    95 % interval is ≈ 320/√n wide, so n = 1024 gives a width of 10 points. 320 is rounded
    from 2 x 1.96 x 100 x √(2/3) = 320.06, so the published width is 10 ± 0.01."""
    third = 1024 // 3  # 341 promoters, 341 detractors, 342 passives: p = d = 0.333
    result = net_promoter({10: third, 8: 1024 - 2 * third, 0: third}, method="wald")
    assert result.score == pytest.approx(0.0)
    assert result.ci_high - result.ci_low == pytest.approx(10.0, abs=0.01)
    # the same variance written as in the source, at exactly p = d = 1/3
    p = d = 1 / 3
    assert p * (1 - p) + d * (1 - d) + 2 * p * d == pytest.approx(
        p + d - (p - d) ** 2, abs=1e-15
    )


def test_nps_adjusted_wald_follows_rocks_reference_implementation():
    """Rocks (2016), "Interval estimation for the 'net promoter score'", The American
    Statistician 70(4): the adjusted Wald interval, as in the author's R package NPS
    (nps_test with pseudo_observations = c(0.75, 1.50, 0.75) for detractors, passives,
    promoters): 20 answers, 10 promoters, 6 passives, 4 detractors, worked by hand:
    n' = 23, p' = 10.75/23, d' = 4.75/23, NPS' = 6/23, var = p' + d' - NPS'²,
    se = √(var/23), interval NPS' ± 1.959964 se. The reported score is the raw 30."""
    result = net_promoter({10: 6, 9: 4, 8: 3, 7: 3, 5: 2, 2: 2})
    assert (result.promoters, result.passives, result.detractors) == (10, 6, 4)
    assert result.score == pytest.approx(30.0)
    p, d = 10.75 / 23, 4.75 / 23
    se = math.sqrt((p + d - (p - d) ** 2) / 23)
    assert result.ci_low == pytest.approx(100 * ((p - d) - 1.959964 * se), abs=1e-4)
    assert result.ci_high == pytest.approx(100 * ((p - d) + 1.959964 * se), abs=1e-4)
    # by hand, rounded: NPS' = 26.09, var = 0.6059, se = 16.23 points, interval [-5.72, 57.90]
    assert result.ci_low == pytest.approx(-5.72, abs=0.005)
    assert result.ci_high == pytest.approx(57.90, abs=0.005)


def test_adjusted_wald_is_not_degenerate_for_a_small_unanimous_group():
    three_promoters = net_promoter({10: 3})
    assert three_promoters.score == 100
    assert three_promoters.ci_low < 0 < three_promoters.ci_high == 100  # clipped
    wald = net_promoter({10: 3}, method="wald")
    assert wald.ci_low == wald.ci_high == 100  # why Wald is not the default


def test_cronbach_alpha_matches_statology_worked_example():
    """Statology, "How to Calculate Cronbach's Alpha in Python" (statology.org/
    cronbachs-alpha-python): ten customers rate a restaurant 1-3 on three questions;
    pingouin.cronbach_alpha returns 0.7734375 (exact: a ratio of small integers)."""
    q1 = [1, 2, 2, 3, 2, 2, 3, 3, 2, 3]
    q2 = [1, 1, 1, 2, 3, 3, 2, 3, 3, 3]
    q3 = [1, 1, 2, 1, 2, 3, 3, 3, 2, 3]
    assert cronbach_alpha(list(zip(q1, q2, q3, strict=True))) == pytest.approx(
        0.7734375, abs=1e-9
    )


def test_cronbach_alpha_by_hand_on_a_tiny_table():
    """3 items x 5 respondents, worked by hand: item variances 0.7, 0.8, 0.7 (sum 2.2),
    totals 10, 9, 13, 8, 12 with variance 4.3 → alpha = 3/2 x (1 - 2.2/4.3) = 0.732558..."""
    rows = [(3, 4, 3), (2, 3, 4), (4, 4, 5), (3, 2, 3), (4, 4, 4)]
    assert cronbach_alpha(rows) == pytest.approx(1.5 * (1 - 2.2 / 4.3), abs=1e-12)


def test_cronbach_alpha_undefined_cases():
    assert cronbach_alpha([(1, 2)]) is None  # one respondent
    assert cronbach_alpha([(1,), (2,)]) is None  # one item
    assert cronbach_alpha([(3, 3), (3, 3)]) is None  # no variance at all
    assert cronbach_alpha([(1, 2), (2, None), (3, 3)]) == cronbach_alpha([(1, 2), (3, 3)])
    with pytest.raises(ValueError, match="one value per item"):
        cronbach_alpha([(1, 2), (1, 2, 3)])


def test_describe_uses_the_sample_standard_deviation():
    d = describe([2, 4, 4, 4, 5, 5, 7, 9])  # the classic example: population sd 2
    assert d.n == 8 and d.mean == pytest.approx(5.0)
    assert d.sd == pytest.approx(math.sqrt(32 / 7))
    assert describe([4]).sd is None and describe([]).mean is None
    assert histogram([5, 4, 5, 1]) == {1: 1, 4: 1, 5: 2}


def test_gap_is_self_minus_others():
    assert gap(4.5, 3.75) == pytest.approx(0.75)
    assert gap(None, 3.0) is None


def test_nps_rejects_bad_arguments():
    with pytest.raises(ValueError, match="method"):
        net_promoter({10: 1}, method="bootstrap")
    with pytest.raises(ValueError, match="confidence"):
        net_promoter({10: 1}, confidence=1.0)
    assert net_promoter({}) is None


# --- properties ------------------------------------------------------------------------------

nps_counts = st.dictionaries(st.integers(0, 10), st.integers(0, 60), max_size=11)


@given(nps_counts, st.sampled_from(["adjusted_wald", "wald"]), st.floats(0.5, 0.999))
def test_nps_is_bounded_and_its_interval_is_ordered(counts, method, confidence):
    result = net_promoter(counts, method=method, confidence=confidence)
    if sum(counts.values()) == 0:
        assert result is None
        return
    assert -100 <= result.ci_low <= result.ci_high <= 100
    assert -100 <= result.score <= 100
    assert result.promoters + result.passives + result.detractors == result.n


@given(nps_counts)
def test_nps_interval_contains_the_estimate_from_two_answers(counts):
    """Holds for every n ≥ 2 (checked exhaustively up to n = 150 while writing this); with a
    single answer the adjusted interval is centred so far from ±100 that it misses it."""
    result = net_promoter(counts)
    if result is not None and result.n >= 2:
        assert result.ci_low - 1e-9 <= result.score <= result.ci_high + 1e-9


@given(nps_counts, st.floats(0.5, 0.98))
def test_a_higher_confidence_gives_a_wider_interval(counts, confidence):
    low, high = net_promoter(counts, confidence=confidence), net_promoter(counts, confidence=0.99)
    if low is not None:
        assert high.ci_low <= low.ci_low + 1e-9 and low.ci_high <= high.ci_high + 1e-9


ratings = st.lists(
    st.lists(st.integers(1, 5), min_size=2, max_size=6), min_size=2, max_size=30
).filter(lambda rows: len({len(r) for r in rows}) == 1)


@given(ratings)
def test_alpha_is_at_most_one(rows):
    alpha = cronbach_alpha(rows)
    assert alpha is None or alpha <= 1 + 1e-12


@given(st.lists(st.integers(1, 5), min_size=2, max_size=30), st.integers(2, 6))
def test_identical_items_have_alpha_one(column, k):
    rows = [[v] * k for v in column]
    alpha = cronbach_alpha(rows)
    assert alpha is None if len(set(column)) == 1 else alpha == pytest.approx(1.0)


@given(st.lists(st.integers(0, 10), max_size=40))
def test_histogram_description_equals_raw_description(values):
    raw, from_counts = describe(values), describe_histogram(histogram(values))
    assert raw.n == from_counts.n
    if raw.n:
        assert from_counts.mean == pytest.approx(raw.mean)
    if raw.n > 1:
        assert from_counts.sd == pytest.approx(raw.sd, abs=1e-9)


@settings(max_examples=200)
@given(st.lists(st.lists(st.integers(1, 7), max_size=12), min_size=1, max_size=5))
def test_pooling_groups_equals_describing_their_union(groups):
    pooled = pool(describe(g) for g in groups)
    union = describe([v for g in groups for v in g])
    assert pooled.n == union.n
    if union.n:
        assert pooled.mean == pytest.approx(union.mean)
    if union.n > 1:
        assert pooled.sd == pytest.approx(union.sd, abs=1e-9)


def test_pool_of_nothing_is_empty():
    assert pool([]) == Description(0, None, None)
    assert pool([describe([3])]) == Description(1, 3.0, None)


def test_shuffling_answers_changes_nothing():
    rng = random.Random(7)
    values = [rng.randint(1, 5) for _ in range(50)]
    shuffled = values[:]
    rng.shuffle(shuffled)
    assert describe(values).sd == pytest.approx(describe(shuffled).sd)
