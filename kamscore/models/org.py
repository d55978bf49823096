"""People, their roles, and account teams."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.base import Base, str_enum


class Role(enum.StrEnum):
    KAM = "kam"
    MANAGER = "manager"
    MSL = "msl"  # medical science liaison
    MARKET_ACCESS = "market_access"
    MARKETING = "marketing"
    HEALTH_ECONOMICS = "health_economics"
    OTHER = "other"


class Person(Base):
    """An employee: a KAM, a manager or a cross-functional colleague."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # employee number, natural key
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    grade: Mapped[str | None] = mapped_column(String(20))
    base_salary: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    start_date: Mapped[dt.date | None] = mapped_column(Date)  # in this role since
    end_date: Mapped[dt.date | None] = mapped_column(Date)  # left the role on (inclusive)

    manager: Mapped[Person | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Person {self.code} {self.role}>"


class Team(Base):
    """A (cross-functional) account team led by a KAM."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    lead: Mapped[Person | None] = relationship()
    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )


class TeamMember(Base):
    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # the function the person serves in this team (a KAM may be a peer in another team)
    function: Mapped[Role] = mapped_column(str_enum(Role, "function"))

    team: Mapped[Team] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()
