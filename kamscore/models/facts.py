"""Facts: imported quantitative numbers, and account plans with objectives and actions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Account
from .base import Base
from .org import Person, Team
from .periods import Period, Product


class Fact(Base):
    """One quantitative number about an account, a KAM or a team in a period.

    ``name`` says what it measures (net_sales, sales_target, market_share, formulary_status,
    tenders_won, tenders_lost, investment, gross_profit, ...). A categorical fact (formulary
    status) keeps its label in ``category``; ``value`` stays empty. ``subject_key`` is the
    natural key of the subject ("account:A001/product:P01") so that a fact has one row per
    (period, name, subject) on every database, even where the optional columns are NULL.
    """

    __tablename__ = "fact"
    __table_args__ = (
        UniqueConstraint("period_id", "name", "subject_key"),
        CheckConstraint(
            "(account_id IS NOT NULL) OR (person_id IS NOT NULL) OR (team_id IS NOT NULL)",
            name="has_subject",
        ),
        CheckConstraint("(value IS NOT NULL) OR (category IS NOT NULL)", name="has_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    subject_key: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    value: Mapped[float | None] = mapped_column()
    category: Mapped[str | None] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(20))  # EUR, pct, count, ratio, status, ...
    source: Mapped[str] = mapped_column(String(120))  # where it came from (system, file)

    period: Mapped[Period] = relationship()
    account: Mapped[Account | None] = relationship()
    person: Mapped[Person | None] = relationship()
    team: Mapped[Team | None] = relationship()
    product: Mapped[Product | None] = relationship()

    @staticmethod
    def make_subject_key(
        account: str | None = None,
        person: str | None = None,
        team: str | None = None,
        product: str | None = None,
    ) -> str:
        """Canonical natural key of a fact's subject, from the codes of its parts."""
        parts = [
            f"{label}:{code}"
            for label, code in (
                ("account", account),
                ("person", person),
                ("team", team),
                ("product", product),
            )
            if code
        ]
        return "/".join(parts)


class AccountPlan(Base):
    """The KAM's plan for an account in a period (the seven-step account plan)."""

    __tablename__ = "account_plan"
    __table_args__ = (
        UniqueConstraint("account_id", "period_id"),
        CheckConstraint("quality_rating IS NULL OR quality_rating BETWEEN 1 AND 5", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)  # the KAM
    # the manager's assessment of the plan's quality, 1..5
    quality_rating: Mapped[int | None] = mapped_column()
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    account: Mapped[Account] = relationship()
    period: Mapped[Period] = relationship()
    owner: Mapped[Person] = relationship(foreign_keys=[owner_id])
    rated_by: Mapped[Person | None] = relationship(foreign_keys=[rated_by_id])
    objectives: Mapped[list[PlanObjective]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )
    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )


class PlanObjective(Base):
    """An objective of an account plan: a KPI with a target, and whether it was met."""

    __tablename__ = "plan_objective"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("account_plan.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(500))
    target: Mapped[float | None] = mapped_column()
    actual: Mapped[float | None] = mapped_column()
    met: Mapped[bool | None] = mapped_column()

    plan: Mapped[AccountPlan] = relationship(back_populates="objectives")


class PlanAction(Base):
    """A tactical action of an account plan, with its due date and the date it was done."""

    __tablename__ = "plan_action"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("account_plan.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(500))
    due_date: Mapped[dt.date] = mapped_column(Date)
    done_date: Mapped[dt.date | None] = mapped_column(Date)

    plan: Mapped[AccountPlan] = relationship(back_populates="actions")
