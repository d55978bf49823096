"""Periods and products of the demo: two years of quarters, and six products whose lifecycle
phases cover pre-launch, launch, growth, maturity and loss of exclusivity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kamscore.demo.bulk import ids_by, insert_rows
from kamscore.models import LifecyclePhase, Period, PeriodKind, PeriodStatus, Product, ProductPhase

PRE, LAUNCH, GROWTH, MATURITY, LOE = (
    LifecyclePhase.PRE_LAUNCH,
    LifecyclePhase.LAUNCH,
    LifecyclePhase.GROWTH,
    LifecyclePhase.MATURITY,
    LifecyclePhase.LOSS_OF_EXCLUSIVITY,
)


@dataclass(frozen=True)
class DemoProduct:
    code: str
    name: str
    therapeutic_area: str
    #: phase in each of the eight quarters: last year's Q1..Q4, then the business year's
    phases: tuple[LifecyclePhase, ...]
    #: relative size of the product's sales where it is sold
    weight: float
    #: whether market research is bought for it (market share and penetration per account):
    #: for the promoted launch and growth brands, as companies do
    market_data: bool = False

    def phase_of_year(self, year_index: int) -> LifecyclePhase:
        """The phase of a whole year: the phase it ends in (0 = last year, 1 = business year)."""
        return self.phases[4 * year_index + 3]


PRODUCTS = (
    DemoProduct("P01", "Cardivex", "cardiology", (MATURITY,) * 8, 1.4),
    DemoProduct("P02", "Oncura", "oncology", (GROWTH,) * 8, 1.8, market_data=True),
    DemoProduct("P03", "Immunel", "immunology", (PRE,) * 5 + (LAUNCH,) * 3, 1.2,
                market_data=True),
    DemoProduct("P04", "Glucara", "diabetes", (MATURITY,) * 6 + (LOE,) * 2, 1.0),
    DemoProduct("P05", "Respiro", "respiratory", (LAUNCH,) * 2 + (GROWTH,) * 6, 0.8,
                market_data=True),
    DemoProduct("P06", "Neurovia", "neurology", (GROWTH,) * 4 + (MATURITY,) * 4, 0.9),
)


@dataclass(frozen=True)
class DemoPeriods:
    """Codes of the demo's periods; ``quarters`` runs over both years, oldest first."""

    year: int
    quarters: tuple[str, ...]  # 8 codes: last year's Q1..Q4, the business year's Q1..Q4
    years: tuple[str, str]  # last year, business year

    @property
    def business_quarters(self) -> tuple[str, ...]:
        return self.quarters[4:]

    @property
    def prior_quarters(self) -> tuple[str, ...]:
        return self.quarters[:4]


def quarter_span(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end_month_next = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return start, end_month_next - dt.timedelta(days=1)


def build_periods(session: Session, year: int) -> tuple[DemoPeriods, dict[str, int]]:
    """Insert the eight quarters and two years; last year's periods are closed (frozen).

    The business year stays open: that is where the demo's scoring happens.
    """
    closed_at = dt.datetime(year, 2, 15, 9, 0, tzinfo=dt.UTC)
    rows = []
    quarters = []
    for y in (year - 1, year):
        status = PeriodStatus.CLOSED if y < year else PeriodStatus.OPEN
        for q in range(1, 5):
            start, end = quarter_span(y, q)
            quarters.append(f"{y}-Q{q}")
            rows.append(_period_row(f"{y}-Q{q}", PeriodKind.QUARTER, start, end, status, closed_at))
        rows.append(_period_row(str(y), PeriodKind.YEAR, dt.date(y, 1, 1), dt.date(y, 12, 31),
                                status, closed_at))
    insert_rows(session, Period, rows)
    periods = DemoPeriods(year=year, quarters=tuple(quarters), years=(str(year - 1), str(year)))
    return periods, ids_by(session, Period.code)


def _period_row(code: str, kind: PeriodKind, start: dt.date, end: dt.date,
                status: PeriodStatus, closed_at: dt.datetime) -> dict:
    return {
        "code": code, "kind": kind, "start_date": start, "end_date": end, "status": status,
        "closed_at": closed_at if status is PeriodStatus.CLOSED else None,
    }


def build_products(
    session: Session, periods: DemoPeriods, period_ids: dict[str, int]
) -> dict[str, int]:
    """Insert the products and their phase in every quarter and year."""
    insert_rows(session, Product, [
        {"code": p.code, "name": p.name, "therapeutic_area": p.therapeutic_area} for p in PRODUCTS
    ])
    product_ids = ids_by(session, Product.code)
    phases = []
    for product in PRODUCTS:
        pid = product_ids[product.code]
        for q_code, phase in zip(periods.quarters, product.phases, strict=True):
            phases.append({"product_id": pid, "period_id": period_ids[q_code], "phase": phase})
        for index, y_code in enumerate(periods.years):
            phases.append({"product_id": pid, "period_id": period_ids[y_code],
                           "phase": product.phase_of_year(index)})
    insert_rows(session, ProductPhase, phases)
    return product_ids
