"""Invariants of crediting and pooling, on random populations (hypothesis)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from metric_ctx import Q1, account_result, accounts, context, fact, kams, survey

from kamscore.metrics.assemble import AssignmentRow, PersonRow

KAMS = [f"K{i}" for i in range(4)]
ACCOUNTS = [f"A{i}" for i in range(5)]
DAY = st.dates(min_value=dt.date(2025, 11, 1), max_value=dt.date(2026, 5, 31))


@st.composite
def assignments(draw):
    rows = []
    for _ in range(draw(st.integers(0, 10))):
        start = draw(DAY)
        end = draw(st.none() | st.dates(min_value=start, max_value=dt.date(2026, 6, 30)))
        rows.append(AssignmentRow(draw(st.sampled_from(KAMS)), draw(st.sampled_from(ACCOUNTS)),
                                  start, end, draw(st.sampled_from([0.25, 0.5, 1.0]))))
    return rows


@st.composite
def people(draw):
    out = []
    for code in KAMS:
        start = draw(st.none() | DAY)
        end = draw(st.none() | st.dates(min_value=start or dt.date(2025, 11, 1),
                                        max_value=dt.date(2026, 6, 30)))
        out.append(PersonRow(code, code, "kam", start_date=start, end_date=end))
    return out


@settings(max_examples=80, deadline=None)
@given(people(), assignments())
def test_credit_weights_stay_within_the_period_and_the_role(people_rows, rows):
    ctx = context(people=people_rows, account_rows=accounts(*ACCOUNTS), assignments=rows)
    a = ctx.assignments
    assert ((a.days > 0) & (a.days <= Q1.days)).all()
    assert (a.days <= ctx.kams.eligible_days[a.kam]).all()
    assert (a.weight <= a.share + 1e-12).all()
    credited = ctx.credit(np.ones(len(ctx.accounts)))
    has = credited.accounts > 0
    assert np.allclose(credited.total[has], credited.weight[has])
    assert np.isnan(credited.total[~has]).all()


@settings(max_examples=80, deadline=None)
@given(assignments(), st.floats(0.1, 3.0), st.lists(st.floats(1, 1e6), min_size=5,
                                                    max_size=5))
def test_a_uniform_attainment_survives_any_proration(pm, rows, ratio, targets):
    """If every account sells ``ratio`` times its target, so does every KAM."""
    from kamscore.metrics.compute import compute_metrics

    facts = [f for code, target in zip(ACCOUNTS, targets, strict=True)
             for f in (fact("sales_target", target, account=code),
                       fact("net_sales", ratio * target, account=code))]
    ctx = context(people=kams(*KAMS), account_rows=accounts(*ACCOUNTS), assignments=rows,
                  facts=facts)
    values = compute_metrics(pm, ctx, [("sales_attainment", {})])["sales_attainment"]
    has = values.has_data
    assert np.allclose(values.values[has], ratio)
    assert (has == (ctx.credit(np.ones(len(ctx.accounts))).accounts > 0)).all()


HISTOGRAM = st.dictionaries(st.integers(0, 10), st.integers(1, 6), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(assignments(), st.lists(HISTOGRAM, min_size=5, max_size=5))
def test_pooled_survey_figures_match_a_brute_force_count(pm, rows, histograms):
    from kamscore.metrics.compute import compute_metrics

    results = [account_result(code, "nps", h) for code, h in zip(ACCOUNTS, histograms,
                                                                 strict=True)]
    results += [account_result(code, "overall_satisfaction", h)
                for code, h in zip(ACCOUNTS, histograms, strict=True)]
    ctx = context(people=kams(*KAMS), account_rows=accounts(*ACCOUNTS), assignments=rows,
                  survey_results=survey(results))
    out = compute_metrics(pm, ctx, [("nps", {"min_responses": 1}),
                                    ("csat", {"min_responses": 1})])
    for i, code in enumerate(ctx.kams.codes):
        # the accounts he had in the period (each once), by the assignments' own dates
        mine = {r.account for r in rows if r.person == code and r.start_date <= Q1.end
                and (r.end_date is None or r.end_date >= Q1.start)}
        pooled: dict[int, int] = {}
        for account in mine:
            for answer, count in histograms[ACCOUNTS.index(account)].items():
                pooled[answer] = pooled.get(answer, 0) + count
        n = sum(pooled.values())
        nps, csat = out['nps{"min_responses":1}'], out['csat{"min_responses":1}']
        if n == 0:
            assert not nps.has_data[i] and not csat.has_data[i]
            continue
        promoters = sum(c for a, c in pooled.items() if a >= 9)
        detractors = sum(c for a, c in pooled.items() if a <= 6)
        assert nps.values[i] == pytest.approx(100 * (promoters - detractors) / n)
        assert -100 <= nps.values[i] <= 100
        assert csat.values[i] == pytest.approx(sum(c for a, c in pooled.items() if a >= 4) / n)
        assert 0 <= csat.values[i] <= 1 and nps.n[i] == n


@settings(max_examples=80, deadline=None)
@given(people(), assignments(),
       st.lists(st.none() | st.floats(-1e6, 1e6), min_size=len(ACCOUNTS),
                max_size=len(ACCOUNTS)))
def test_credit_is_the_row_by_row_sum_to_the_bit(people_rows, rows, figures):
    """``credit`` against each KAM's sum over his assignments in their order, written row by
    row: the same floats, whether every assigned account has the figure or only some."""
    ctx = context(people=people_rows, account_rows=accounts(*ACCOUNTS), assignments=rows)
    per_account = np.array([np.nan if f is None else f for f in figures])
    a, k = ctx.assignments, len(ctx.kams)
    total, known_weight = [0.0] * k, [0.0] * k
    weight, count, known = [0.0] * k, [0] * k, [0] * k
    for kam, account, w in zip(a.kam.tolist(), a.account.tolist(), a.weight.tolist(),
                               strict=True):
        value = per_account[account]
        weight[kam] += w
        count[kam] += 1
        if not np.isnan(value):
            total[kam] += w * value
            known_weight[kam] += w
            known[kam] += 1
    credited = ctx.credit(per_account)
    expected = [t if n else np.nan for t, n in zip(total, known, strict=True)]
    assert np.array_equal(credited.total, np.array(expected, dtype=float), equal_nan=True)
    assert credited.known_weight.tolist() == known_weight
    assert credited.weight.tolist() == weight
    assert credited.accounts.tolist() == count
    assert credited.known_accounts.tolist() == known
    assert credited.known_accounts.dtype == np.int64
