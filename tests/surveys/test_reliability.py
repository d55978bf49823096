"""Inter-rater reliability, pairwise alpha and the gap interval against published worked
examples, and their invariants (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamscore.surveys.group_statistics import _pairwise
from kamscore.surveys.reliability import (
    ICC_FORMS,
    alpha_reading,
    cronbach_alpha_pairwise,
    gap_interval,
    icc,
    icc_many,
    icc_reading,
    krippendorff_alpha,
    krippendorff_many,
    mean_squares_many,
)
from kamscore.surveys.statistics import cronbach_alpha

#: Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9],
                 [6, 2, 4, 7]]
#: Shrout & Fleiss (1979), Table 4, to two decimals.
SHROUT_FLEISS_ICC = {"ICC1": 0.17, "ICC2": 0.29, "ICC3": 0.71, "ICC1k": 0.44, "ICC2k": 0.62,
                     "ICC3k": 0.91}
#: The 95 % intervals R's psych::ICC prints for the same data (McGraw & Wong's formulas).
PSYCH_INTERVALS = {"ICC1": (-0.13, 0.72), "ICC2": (0.02, 0.76), "ICC3": (0.34, 0.95),
                   "ICC1k": (-0.88, 0.91), "ICC2k": (0.07, 0.93), "ICC3k": (0.68, 0.99)}

N = None
#: Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the example with missing
#: values: 4 observers (rows here: units, columns: observers A-D), 12 units.
KRIPPENDORFF_2011 = list(zip(
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N], strict=True))


def test_shrout_fleiss_table_2_gives_the_six_published_coefficients() -> None:
    result = icc(SHROUT_FLEISS)
    assert result is not None and (result.n, result.k) == (6, 4)
    assert list(result.forms) == list(ICC_FORMS)
    for form, expected in SHROUT_FLEISS_ICC.items():
        assert round(result.forms[form].value, 2) == expected, form
    # the F ratios of the paper's analysis of variance (Table 3)
    assert round(result.f_one_way, 2) == 1.79
    assert round(result.f_two_way, 2) == 11.03


def test_shrout_fleiss_intervals_are_mcgraw_wongs() -> None:
    result = icc(SHROUT_FLEISS)
    assert result is not None
    for form, (low, high) in PSYCH_INTERVALS.items():
        interval = result.forms[form]
        assert interval.low is not None and interval.high is not None
        assert round(interval.low, 2) == pytest.approx(low, abs=0.006), form
        assert round(interval.high, 2) == pytest.approx(high, abs=0.006), form
        assert interval.low <= interval.value <= interval.high


@pytest.mark.parametrize(("metric", "expected"),
                         [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_krippendorff_2011_example_with_missing_values(metric: str, expected: float) -> None:
    result = krippendorff_alpha(KRIPPENDORFF_2011, metric=metric)
    assert result is not None
    assert round(result.alpha, 3) == expected
    assert result.pairable == 40 and result.units == 11  # unit 12 has one value only
    assert result.low is not None and result.high is not None
    assert result.low <= result.alpha <= result.high <= 1


def test_krippendorff_jackknife_interval_by_hand() -> None:
    from scipy import stats
    result = krippendorff_alpha(KRIPPENDORFF_2011, metric="interval")
    assert result is not None
    pairable = [i for i, row in enumerate(KRIPPENDORFF_2011)
                if sum(v is not None for v in row) >= 2]
    left_out = []
    for unit in pairable:
        rest = [row for i, row in enumerate(KRIPPENDORFF_2011) if i != unit]
        alpha = krippendorff_alpha(rest, metric="interval")
        assert alpha is not None
        left_out.append(alpha.alpha)
    p = len(pairable)
    mean = sum(left_out) / p
    se = math.sqrt((p - 1) / p * sum((a - mean) ** 2 for a in left_out))
    half = stats.t.ppf(0.975, p - 1) * se
    assert result.low == pytest.approx(result.alpha - half)
    assert result.high == pytest.approx(min(1.0, result.alpha + half))


def test_a_batch_gives_each_table_what_it_gets_alone() -> None:
    tables = [np.array(KRIPPENDORFF_2011, dtype=float), np.array(SHROUT_FLEISS, dtype=float),
              np.array([[1.0, 1.0], [2.0, np.nan]])]
    batch = krippendorff_many(tables)
    for table, found in zip(tables, batch, strict=True):
        alone = krippendorff_alpha(table)
        assert (found is None) == (alone is None)
        if found is not None and alone is not None:  # the values seen differ: the last bit may
            assert (found.alpha, found.low, found.high) == pytest.approx(
                (alone.alpha, alone.low, alone.high), abs=1e-12)
            assert (found.pairable, found.units) == (alone.pairable, alone.units)
    assert icc_many([np.array(SHROUT_FLEISS, dtype=float)] * 2) == [icc(SHROUT_FLEISS)] * 2


def mean_squares_alone(x: np.ndarray) -> tuple[float, ...] | None:
    """The former per-table code: (n, k, MSR, MSC, MSE, MSW) of a complete targets x raters
    table, or None."""
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2 or np.isnan(x).any():
        return None
    n, k = x.shape
    grand = x.mean()
    ss_total = float(((x - grand) ** 2).sum())
    if ss_total <= 1e-12 * max(1.0, float(np.abs(x).max()) ** 2):
        return None
    ss_rows = float(k * ((x.mean(axis=1) - grand) ** 2).sum())
    ss_cols = float(n * ((x.mean(axis=0) - grand) ** 2).sum())
    # sums of squares that are zero up to rounding are zero (a permutation of the raters
    # must not turn an exact 0 into 1e-16 and an undefined form into a huge one)
    tiny = 1e-10 * ss_total
    ss_rows = ss_rows if ss_rows > tiny else 0.0
    ss_cols = ss_cols if ss_cols > tiny else 0.0
    ss_error = ss_total - ss_rows - ss_cols
    ss_error = ss_error if ss_error > tiny else 0.0
    return (n, k, ss_rows / (n - 1), ss_cols / (k - 1), ss_error / ((n - 1) * (k - 1)),
            (ss_cols + ss_error) / (n * (k - 1)))



def test_mean_squares_of_a_batch_are_those_of_each_table_alone() -> None:
    """Tables of many shapes, with missing values, constant and near-constant ones: the
    stacked computation gives each defined table the same figures, to the last bit."""
    rng = np.random.default_rng(1)
    tables = []
    for _ in range(2000):
        table = rng.integers(1, 6, (rng.integers(1, 8), rng.integers(1, 7))).astype(float)
        if rng.random() < 0.1:
            table[0, 0] = np.nan
        if rng.random() < 0.1:
            table[:] = 3.0
        if rng.random() < 0.1:
            table = table * 0.1 + 1e-3
        tables.append(table)
    tables.append(np.array(SHROUT_FLEISS, dtype=float))
    columns, where = mean_squares_many(tables)
    alone = [(i, mean_squares_alone(t)) for i, t in enumerate(tables)]
    assert where == [i for i, found in alone if found is not None]
    assert np.array(columns).T.tolist() == [list(found) for _, found in alone
                                            if found is not None]
    assert 100 < len(where) < len(tables)


def test_undefined_cases_are_none() -> None:
    assert icc([[1, 2, 3]]) is None  # one target
    assert icc([[1], [2]]) is None  # one rater
    assert icc([[3, 3], [3, 3]]) is None  # no variance at all
    assert icc([[1, float("nan")], [2, 3]]) is None
    assert krippendorff_alpha([[1, N], [2, N]]) is None  # nothing pairable
    assert krippendorff_alpha([[2, 2], [2, 2]]) is None  # one value only
    with pytest.raises(ValueError, match="metric"):
        krippendorff_alpha(KRIPPENDORFF_2011, metric="ratio-ish")
    assert cronbach_alpha_pairwise([[1], [2]]) is None
    assert cronbach_alpha_pairwise([[1, N], [N, 2], [3, N]]) is None


def test_pairwise_alpha_equals_listwise_alpha_on_complete_answers() -> None:
    rows = [[4, 5, 4], [2, 3, 3], [5, 5, 4], [3, 2, 3], [4, 4, 5]]
    assert cronbach_alpha_pairwise(rows) == pytest.approx(cronbach_alpha(rows))


def test_pairwise_alpha_uses_the_incomplete_rows() -> None:
    rows = [[4, 5, 4], [2, 3, 3], [5, 5, 4], [3, 2, 3], [4, 4, 5], [1, 1, N], [N, 2, 1]]
    listwise, pairwise = cronbach_alpha(rows), cronbach_alpha_pairwise(rows)
    assert listwise is not None and pairwise is not None
    assert pairwise != pytest.approx(listwise)


# items that cancel out (the second is 6 minus the first): their total varies by 0, but the
# covariances, each rounded, summed to 4.4e-16 and gave an alpha of -1.2e16 (found by
# hypothesis in test_aggregation_reference, where the two codes' roundings differed)
CANCELLING = [[5, 1], [3, 3], [5, 1]]


def test_pairwise_alpha_of_items_that_cancel_out_is_undefined() -> None:
    assert cronbach_alpha_pairwise(CANCELLING) is None
    assert cronbach_alpha(CANCELLING) is None


def test_grouped_pairwise_alpha_of_items_that_cancel_out_is_undefined() -> None:
    x = np.array([*CANCELLING, [4, 5], [2, 3], [5, 5]], dtype=float)
    key = np.array([0, 0, 0, 1, 1, 1])
    alpha = _pairwise(x, np.ones_like(x, dtype=bool), key, 2, np.array([True, True]))
    assert math.isnan(alpha[0])
    assert alpha[1] == pytest.approx(cronbach_alpha_pairwise(x[3:].tolist()))


def test_gap_interval_of_one_self_rating_is_the_others_mean_interval() -> None:
    result = gap_interval(1, 4.0, None, 5, 3.0, 1.0)
    assert result is not None and result.method == "fixed_self"
    half = 2.776445105 / math.sqrt(5)  # t(0.975, 4) · s / √n
    assert result.gap == 1.0
    assert result.low == pytest.approx(1.0 - half) and result.high == pytest.approx(1.0 + half)


def test_gap_interval_of_several_self_ratings_is_welch() -> None:
    result = gap_interval(10, 4.0, 0.5, 40, 3.5, 0.8)
    assert result is not None and result.method == "welch"
    a, b = 0.25 / 10, 0.64 / 40
    df = (a + b) ** 2 / (a ** 2 / 9 + b ** 2 / 39)
    from scipy import stats
    half = stats.t.ppf(0.975, df) * math.sqrt(a + b)
    assert (result.low, result.high) == pytest.approx((0.5 - half, 0.5 + half))
    assert gap_interval(1, None, None, 3, 3.0, 1.0) is None
    no_spread = gap_interval(1, 4.0, None, 3, 3.0, None)
    assert no_spread is not None and no_spread.low is None


def test_readings_use_the_published_thresholds() -> None:
    assert [icc_reading(v) for v in (0.49, 0.5, 0.74, 0.75, 0.89, 0.9, None)] == [
        "poor", "moderate", "moderate", "good", "good", "excellent", None]
    assert [alpha_reading(v) for v in (0.66, 0.667, 0.79, 0.8, None)] == [
        "poor", "moderate", "moderate", "good", None]


# -- invariants -------------------------------------------------------------------------------

ratings = st.integers(min_value=1, max_value=5)


@st.composite
def tables(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(2, 8))
    k = draw(st.integers(2, 6))
    return np.array(draw(st.lists(st.lists(ratings, min_size=k, max_size=k), min_size=n,
                                  max_size=n)), dtype=float)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=2, max_size=10, unique=True), st.integers(2, 6))
def test_perfect_agreement_gives_one(targets: list[int], k: int) -> None:
    table = np.repeat(np.array(targets, dtype=float)[:, None], k, axis=1)
    result = icc(table)
    assert result is not None
    for form in ICC_FORMS:
        assert result.forms[form].value == pytest.approx(1.0)
    alpha = krippendorff_alpha(table)
    assert alpha is not None and alpha.alpha == pytest.approx(1.0)


@settings(max_examples=150, deadline=None)
@given(tables(), st.randoms(use_true_random=False))
def test_rater_order_does_not_change_any_icc(table: np.ndarray, rnd) -> None:  # type: ignore[no-untyped-def]
    order = list(range(table.shape[1]))
    rnd.shuffle(order)
    first, second = icc(table), icc(table[:, order])
    assert (first is None) == (second is None)
    if first is not None and second is not None:
        for form in first.forms:
            assert second.forms[form].value == pytest.approx(first.forms[form].value)


@settings(max_examples=150, deadline=None)
@given(tables(), st.randoms(use_true_random=False))
def test_icc1_ignores_which_rater_gave_which_rating(table: np.ndarray, rnd) -> None:  # type: ignore[no-untyped-def]
    # one-way model: permuting the ratings within each target (raters not crossed) changes
    # nothing, while ICC(3,1) may change
    shuffled = table.copy()
    for row in shuffled:
        rnd.shuffle(row)
    first, second = icc(table), icc(shuffled)
    assert (first is None) == (second is None)
    if first is not None and second is not None:
        for form in ("ICC1", "ICC1k"):
            assert (form in first.forms) == (form in second.forms)
            if form in first.forms:
                assert second.forms[form].value == pytest.approx(first.forms[form].value)


@settings(max_examples=150, deadline=None)
@given(tables(), st.integers(-3, 3), st.integers(1, 3))
def test_icc_does_not_depend_on_the_unit_of_the_ratings(table: np.ndarray, shift: int,
                                                         factor: int) -> None:
    first, second = icc(table), icc(table * factor + shift)
    assert (first is None) == (second is None)
    if first is not None and second is not None:
        for form in first.forms:
            assert second.forms[form].value == pytest.approx(first.forms[form].value, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(tables())
def test_icc_bounds_and_order(table: np.ndarray) -> None:
    result = icc(table)
    if result is None:
        return
    for interval in result.forms.values():
        assert interval.value <= 1 + 1e-9
        if interval.low is not None and interval.high is not None and interval.value >= 0:
            assert interval.low <= interval.value + 1e-9 <= interval.high + 2e-9


@settings(max_examples=100, deadline=None)
@given(tables(), st.randoms(use_true_random=False))
def test_krippendorff_alpha_ignores_coder_and_unit_order(table: np.ndarray, rnd) -> None:  # type: ignore[no-untyped-def]
    units, coders = list(range(table.shape[0])), list(range(table.shape[1]))
    rnd.shuffle(units)
    rnd.shuffle(coders)
    first = krippendorff_alpha(table)
    second = krippendorff_alpha(table[units][:, coders])
    assert (first is None) == (second is None)
    if first is not None and second is not None:
        assert second.alpha == pytest.approx(first.alpha)
        assert first.alpha <= 1 + 1e-9
