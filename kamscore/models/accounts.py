"""Key accounts, KAM assignments and the decision-making unit (DMU)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.base import Base, str_enum
from kamscore.models.org import Person, Team


class AccountType(enum.StrEnum):
    HOSPITAL = "hospital"
    IDN = "idn"  # integrated delivery network
    PAYER = "payer"
    GPO = "gpo"  # group purchasing organisation


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[AccountType] = mapped_column(str_enum(AccountType, "account_type"))
    segment: Mapped[str] = mapped_column(String(40), index=True)  # tier: strategic, key, ...
    region: Mapped[str | None] = mapped_column(String(80))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)

    team: Mapped[Team | None] = relationship()
    stakeholders: Mapped[list[Stakeholder]] = relationship(back_populates="account")


class Assignment(Base):
    """A KAM is responsible for an account from start_date to end_date (inclusive)."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("person_id", "account_id", "start_date"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="span"),
        CheckConstraint("share > 0 AND share <= 1", name="share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    share: Mapped[float] = mapped_column(default=1.0)  # credit split when accounts are shared

    person: Mapped[Person] = relationship()
    account: Mapped[Account] = relationship()


class StakeholderRole(enum.StrEnum):
    PHYSICIAN = "physician"
    PHARMACIST = "pharmacist"
    PROCUREMENT = "procurement"
    PAYER = "payer"
    HEALTH_ECONOMIST = "health_economist"
    ADMINISTRATOR = "administrator"
    NURSE = "nurse"
    OTHER = "other"


class ChosenBy(enum.StrEnum):
    """Who chose a stakeholder (or a 360° rater) to be asked about a KAM's work.

    A KAM who picks the people who rate him can pick his friends: the results page says so.
    """

    KAM = "kam"  # the KAM himself
    MANAGER = "manager"  # his line manager
    ORGANISATION = "organisation"  # the comp team, the CRM or an import (the default)


class Stakeholder(Base):
    """A member of an account's decision-making unit.

    ``chosen_by`` records who put him on the list of people asked about the account.
    """

    __tablename__ = "stakeholder"
    __table_args__ = (
        UniqueConstraint("account_id", "email"),
        CheckConstraint("influence BETWEEN 1 AND 5", name="influence"),
        CheckConstraint("partnership_level BETWEEN 1 AND 5", name="partnership_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[StakeholderRole] = mapped_column(str_enum(StakeholderRole, "stakeholder_role"))
    influence: Mapped[int] = mapped_column(default=3)  # 1 (low) .. 5 (decisive)
    partnership_level: Mapped[int] = mapped_column(default=1)  # 1 transactional .. 5 strategic
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(10), default="en")
    chosen_by: Mapped[ChosenBy] = mapped_column(
        str_enum(ChosenBy, "chosen_by"), default=ChosenBy.ORGANISATION,
        server_default=ChosenBy.ORGANISATION.value,
    )

    account: Mapped[Account] = relationship(back_populates="stakeholders")
