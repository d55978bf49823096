"""Periods and products with their lifecycle phase per period."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.base import Base, str_enum
from kamscore.models.types import UTCDateTime


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class PeriodStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # frozen: payouts final, nothing about it changes any more


class Period(Base):
    __tablename__ = "period"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="span"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)  # 2026-Q1, 2026-03, 2026
    kind: Mapped[PeriodKind] = mapped_column(str_enum(PeriodKind, "period_kind"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)  # inclusive
    status: Mapped[PeriodStatus] = mapped_column(
        str_enum(PeriodStatus, "period_status"), default=PeriodStatus.OPEN
    )
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # aware, UTC

    @property
    def is_closed(self) -> bool:
        return self.status is PeriodStatus.CLOSED

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class LifecyclePhase(enum.StrEnum):
    PRE_LAUNCH = "pre_launch"
    LAUNCH = "launch"
    GROWTH = "growth"
    MATURITY = "maturity"
    LOSS_OF_EXCLUSIVITY = "loss_of_exclusivity"


class Product(Base):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    therapeutic_area: Mapped[str | None] = mapped_column(String(80))

    phases: Mapped[list[ProductPhase]] = relationship(back_populates="product")


class ProductPhase(Base):
    """The lifecycle phase a product is in during a period."""

    __tablename__ = "product_phase"
    __table_args__ = (UniqueConstraint("product_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    phase: Mapped[LifecyclePhase] = mapped_column(str_enum(LifecyclePhase, "lifecycle_phase"))

    product: Mapped[Product] = relationship(back_populates="phases")
    period: Mapped[Period] = relationship()
