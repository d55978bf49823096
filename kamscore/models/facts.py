"""Facts: imported quantitative numbers, and account plans with objectives and actions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.accounts import Account
from kamscore.models.base import NOT_ON_DIALECTS, Base
from kamscore.models.org import Person, Team
from kamscore.models.periods import Period, Product


class Fact(Base):
    """One quantitative number about an account, a KAM or a team in a period.

    ``name`` says what it measures (net_sales, sales_target, market_share, formulary_status,
    tenders_won, tenders_lost, investment, gross_profit, ...). A categorical fact (formulary
    status) keeps its label in ``category``; ``value`` stays empty. ``item`` names the
    transaction (order, deal) a fact is about, when a figure is given transaction by
    transaction (a commission may rate each one on its own). ``subject_key`` is the
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
        # most facts are about an account: the person and team indexes hold only the facts
        # that have one (every query on them compares with = or IN, which implies NOT NULL)
        Index("ix_fact_person_id", "person_id", sqlite_where=text("person_id IS NOT NULL"),
              postgresql_where=text("person_id IS NOT NULL")),
        Index("ix_fact_team_id", "team_id", sqlite_where=text("team_id IS NOT NULL"),
              postgresql_where=text("team_id IS NOT NULL")),
        # on PostgreSQL statement triggers do the five foreign keys' work, once per statement
        # instead of once per row and key (migration 0024); SQLite keeps the keys
        *(ForeignKeyConstraint([f"{parent}_id"], [f"{parent}.id"],
                               info={NOT_ON_DIALECTS: ("postgresql",)})
          for parent in ("period", "account", "person", "team", "product")),
        # PostgreSQL: half of each page left free, so that an import's update of the values
        # (no indexed column) writes each new row version beside the old one, touching no
        # index (migration 0025)
        {"postgresql_with": {"fillfactor": 50}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # no index of its own: the unique key (period_id, name, subject_key) leads with it
    period_id: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(60), index=True)
    subject_key: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(index=True)
    person_id: Mapped[int | None] = mapped_column()
    team_id: Mapped[int | None] = mapped_column()
    product_id: Mapped[int | None] = mapped_column()
    value: Mapped[float | None] = mapped_column()
    category: Mapped[str | None] = mapped_column(String(60))
    # the transaction (order, deal) the fact is about; None: the whole period's figure
    item: Mapped[str | None] = mapped_column(String(60))
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
        item: str | None = None,
    ) -> str:
        """Canonical natural key of a fact's subject, from the codes of its parts (and the
        transaction it is about, if any)."""
        parts = [
            f"{label}:{code}"
            for label, code in (
                ("account", account),
                ("person", person),
                ("team", team),
                ("product", product),
                ("item", item),
            )
            if code
        ]
        return "/".join(parts)


class FactSnapshot(Base):
    """A period's facts, also kept column-wise: one :class:`FactSnapshotColumn` per fact name.

    A cache for reading, never a record: a score run reads a period's million facts from it in
    a fraction of the time the rows take (``kamscore.facts.columns``). Built after an import,
    by the demo and by ``kamscore period snapshot``; complete (every name of the period) or
    absent. Database triggers (migration 0005) delete a period's snapshot whenever any of its
    facts is inserted, changed or deleted, by kamscore or by hand, so it is never stale.
    """

    __tablename__ = "fact_snapshot"

    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), primary_key=True)
    fact_count: Mapped[int] = mapped_column()
    built_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FactSnapshotColumn(Base):
    """The facts of one name in a period, as numpy arrays in one ``.npz`` payload.

    ``data`` holds ``account``, ``person``, ``team``, ``product`` (ids, 0 for none),
    ``value`` (NaN for none), ``category`` (positions in ``labels``, -1 for none) and
    ``labels`` (UTF-8 of a JSON list), in the order of the facts' subject keys; read with
    ``allow_pickle=False``.
    """

    __tablename__ = "fact_snapshot_column"

    period_id: Mapped[int] = mapped_column(ForeignKey("fact_snapshot.period_id"),
                                           primary_key=True)
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    rows: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(LargeBinary)


class TableSnapshot(Base):
    """A slow-changing table a score run reads whole (accounts, assignments, account plans,
    stakeholders, plan objectives and actions), also kept column-wise: one ``.npz`` payload
    of numpy arrays, in id order.

    A cache for reading, never a record (``kamscore.facts.table_snapshots``): built by a
    score run that finds none, by the demo and by ``kamscore period snapshot``. Database
    triggers (migration 0021) delete a table's snapshot whenever any of its rows is
    inserted, changed or deleted, by kamscore or by hand, so it is never stale.
    """

    __tablename__ = "table_snapshot"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)  # the table's name
    rows: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(LargeBinary)
    built_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


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
