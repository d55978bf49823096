"""Hand-built metric contexts for the plugin tests (no database).

``Q1`` is 2026-Q1: 90 days (January 31 + February 28 + March 31). Helpers keep each test's
data visible in the test itself.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

from kamscore.metrics.assemble import (
    AccountRow,
    AssignmentRow,
    FactRow,
    PersonRow,
    assemble_context,
)
from kamscore.metrics.context import MetricContext, PeriodInfo
from kamscore.metrics.survey_results import SurveyAggregate, SurveyResults

Q1 = PeriodInfo("2026-Q1", "quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
Q1_2025 = PeriodInfo("2025-Q1", "quarter", dt.date(2025, 1, 1), dt.date(2025, 3, 31))
LONG_AGO = dt.date(2020, 1, 1)


def kams(*codes: str) -> list[PersonRow]:
    return [PersonRow(code, f"KAM {code}", "kam") for code in codes]


def accounts(*codes: str) -> list[AccountRow]:
    return [AccountRow(code, f"Account {code}", "hospital", "key") for code in codes]


def assigned(person: str, account: str, start: dt.date = LONG_AGO,
             end: dt.date | None = None, share: float = 1.0) -> AssignmentRow:
    return AssignmentRow(person, account, start, end, share)


def fact(name: str, value: float | None = None, *, account: str | None = None,
         product: str | None = None, team: str | None = None, person: str | None = None,
         category: str | None = None) -> FactRow:
    return FactRow(name, account, person, team, product, value, category)


def survey(aggregates: list[SurveyAggregate]) -> SurveyResults:
    return SurveyResults(aggregates, source="test")


def account_result(account: str, measure: str, histogram: dict[int, int] | None = None, *,
                   mean: float | None = None, n: int | None = None,
                   survey_name: str = "customer_satisfaction",
                   group: str = "all") -> SurveyAggregate:
    histogram = histogram or {}
    n = n if n is not None else sum(histogram.values())
    if mean is None and histogram:
        mean = sum(v * c for v, c in histogram.items()) / n
    return SurveyAggregate(survey_name, "account", account, measure, group, n, mean,
                           histogram=histogram)


def kam_result(person: str, measure: str, group: str, mean: float, n: int,
               survey_name: str = "internal_360") -> SurveyAggregate:
    return SurveyAggregate(survey_name, "kam", person, measure, group, n, mean)


def context(*, people=(), account_rows=(), period: PeriodInfo = Q1, **rows) -> MetricContext:
    """``assemble_context`` with 2026-Q1 as default period."""
    return assemble_context(period, people=people, accounts=account_rows, **rows)


def plugin_manager_of(folder: Path, module: str, source: str) -> Any:
    """A plugin manager with only the plugin ``module`` written from ``source`` in
    ``folder`` (no bundled plugins, no entry points)."""
    from kamscore.plugin_host.manager import build_plugin_manager

    (folder / f"{module}.py").write_text(textwrap.dedent(source))
    return build_plugin_manager(plugins_dir=folder, bundled=False, entry_points=False)
