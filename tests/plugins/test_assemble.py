"""Deriving the population from rows: eligible days, credit weights, primary segment, focus
product and lifecycle phase, the KAM's team."""

import datetime as dt

import numpy as np
import pytest
from metric_ctx import Q1, assigned, context, fact, kams

from kamscore.metrics.assemble import AccountRow, PersonRow, TeamMemberRow, TeamRow
from kamscore.metrics.survey_results import SurveyResults

D = dt.date


def test_population_is_the_roles_people_active_in_the_period():
    ctx = context(people=[
        PersonRow("K2", "Late joiner", "kam", start_date=D(2026, 3, 1)),  # Mar 1..31 = 31 days
        PersonRow("K1", "Leaver", "kam", end_date=D(2026, 2, 10)),  # Jan 31 + Feb 10 = 41 days
        PersonRow("K3", "Gone", "kam", end_date=D(2025, 12, 31)),
        PersonRow("K4", "Future", "kam", start_date=D(2026, 4, 1)),
        PersonRow("M1", "Manager", "manager"),
    ])
    assert list(ctx.kams.codes) == ["K1", "K2"]  # sorted by code
    assert list(ctx.kams.eligible_days) == [41, 31]
    with_managers = context(people=[PersonRow("M1", "Manager", "manager")], period=Q1,
                            roles=("kam", "manager"))
    assert list(with_managers.kams.codes) == ["M1"]


def test_credit_weights_follow_days_share_and_the_role_dates():
    ctx = context(
        people=[*kams("K1"), PersonRow("K2", "Leaver", "kam", end_date=D(2026, 1, 15))],
        account_rows=[AccountRow("A1"), AccountRow("A2")],
        assignments=[
            assigned("K1", "A1", D(2026, 2, 1), D(2026, 2, 28), share=0.5),  # 28 days * 0.5
            assigned("K1", "A2", D(2026, 4, 1)),  # after the period: not there
            assigned("K2", "A2"),  # but only until he left: 15 days
            assigned("X9", "A1"),  # not a KAM of the population
            assigned("K1", "A9"),  # unknown account
        ],
    )
    a = ctx.assignments
    assert a.kam.tolist() == [0, 1] and a.days.tolist() == [28, 15]
    assert a.weight.tolist() == pytest.approx([28 / 90 * 0.5, 15 / 90])


def test_primary_segment_is_that_of_the_account_with_most_days():
    ctx = context(
        people=kams("K1", "K2", "K3"),
        account_rows=[AccountRow("A1", segment="strategic"), AccountRow("A2", segment="key"),
                      AccountRow("A3", segment="development")],
        assignments=[
            assigned("K1", "A1", D(2026, 3, 1)),  # 31 days
            assigned("K1", "A2", end=D(2026, 2, 28)),  # 59 days: wins
            assigned("K2", "A3"),
            assigned("K2", "A1"),  # a tie on days: the larger share, then the account code
        ],
    )
    assert list(ctx.kams.segments) == ["key", "strategic", None]


def test_focus_product_is_the_largest_credited_net_sales():
    ctx = context(
        people=kams("K1", "K2", "K3"),
        account_rows=[AccountRow("A1"), AccountRow("A2")],
        assignments=[assigned("K1", "A1"), assigned("K1", "A2", D(2026, 3, 2)),
                     assigned("K2", "A2")],
        facts=[
            fact("net_sales", 100, account="A1", product="P1"),
            fact("net_sales", 60, account="A1", product="P2"),
            # K1 gets 1/3 of A2: P2 = 60 + 150/3 = 110 > P1 = 100; K2 gets all: P2
            fact("net_sales", 150, account="A2", product="P2"),
            fact("net_sales", 5, account="A2"),  # no product: not a candidate
        ],
        product_phases={"P1": "maturity", "P2": "loss_of_exclusivity"},
    )
    assert list(ctx.kams.focus_products) == ["P2", "P2", None]
    assert list(ctx.kams.phases) == ["loss_of_exclusivity", "loss_of_exclusivity", None]


def test_team_of_a_kam():
    ctx = context(
        people=kams("K1", "K2", "K3", "K4"),
        teams=[TeamRow("T2", "Two", "K1"), TeamRow("T1", "One")],
        team_members=[TeamMemberRow("T1", "K1", "kam"), TeamMemberRow("T1", "K2", "kam"),
                      TeamMemberRow("T0", "K2", "other"), TeamMemberRow("T3", "K3", "kam"),
                      TeamMemberRow("T1", "K3", "kam")],
    )
    # K1 leads T2 (his membership in T1 does not count); K2 serves as KAM in T1 only;
    # K3 serves as KAM in T1 and T3: the first by code; K4 is in no team
    assert list(ctx.kams.teams) == ["T2", "T1", "T1", None]


def test_fact_accessors():
    ctx = context(
        people=kams("K1"),
        account_rows=[AccountRow("A1"), AccountRow("A2")],
        facts=[fact("market_share", 20, account="A1", product="P1"),
               fact("market_share", 40, account="A1", product="P2"),
               fact("team_goal_actual", 3, team="T1"), fact("team_goal_actual", 4, team="T1"),
               fact("bonus_points", 7, person="K1"), fact("bonus_points", 1, person="X1")],
    )
    totals = ctx.facts.account_totals("market_share")
    assert totals[0] == 60 and np.isnan(totals[1])
    assert ctx.facts.account_means("market_share")[0] == 30
    assert ctx.facts.account_totals("market_share", products=["P2"])[0] == 40
    assert ctx.facts.team_totals("team_goal_actual") == {"T1": 7.0}
    assert ctx.facts.person_totals("bonus_points", ctx.kams.index, 1).tolist() == [7.0]
    assert len(ctx.facts.select("nothing")) == 0


def test_day_array_reads_dates_and_iso_text_alike():
    import datetime as dt

    import numpy as np

    from kamscore.metrics.assemble import day_array

    dates = [dt.date(2026, 2, 28), None, dt.date(1969, 12, 31), dt.datetime(2026, 3, 1, 23, 59)]
    expected = np.array(["2026-02-28", "NaT", "1969-12-31", "2026-03-01"], dtype="datetime64[D]")
    assert np.array_equal(day_array(dates), expected, equal_nan=True)
    assert np.array_equal(day_array(["2026-02-28", None, "1969-12-31", "2026-03-01"]), expected,
                          equal_nan=True)
    filled = day_array(dates, dt.date(2026, 1, 1))
    assert filled[1] == np.datetime64("2026-01-01") and not np.isnat(filled).any()
    assert day_array([]).dtype == np.dtype("datetime64[D]") and len(day_array([])) == 0


class _Uncountable(SurveyResults):
    """Survey results that refuse to be counted: counting a provider's results means
    building every aggregate (164,000 at 10,000 KAMs, about a second)."""

    def __len__(self) -> int:
        raise AssertionError("the context counted the survey results")


def test_the_context_keeps_survey_results_without_counting_them():
    results = _Uncountable(source="provider")
    ctx = context(people=kams("K1"), survey_results=results)
    assert ctx.survey_results is results
    assert context(people=kams("K1")).survey_results.source == "none"
