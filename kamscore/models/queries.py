"""Queries on statement lines: a KAM asks about one line of his statement, the comp team
answers, and the query is resolved.

A query belongs to one score run and one KAM (``person_id``), and names the line it is about
(``line``: a component id, or a step such as ``payout``). Its state goes open → answered →
resolved (an answered query may be asked again: back to open). Each step is also an audit
event (``query.raise``, ``query.answer``, ``query.resolve``). Queries are not money: the
statement they are about never changes; the query records who said what and when.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.base import Base, str_enum
from kamscore.models.org import Person
from kamscore.models.scoring import ScoreRun
from kamscore.models.types import UTCDateTime, utcnow

#: The longest question and the longest answer (characters).
QUERY_TEXT_MAX = 1000


class QueryStatus(enum.StrEnum):
    OPEN = "open"  # waiting for the comp team
    ANSWERED = "answered"  # the comp team answered; the KAM may resolve it or ask again
    RESOLVED = "resolved"  # closed


class StatementQuery(Base):
    __tablename__ = "statement_query"
    __table_args__ = (CheckConstraint("length(body) > 0", name="body_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("score_run.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    line: Mapped[str] = mapped_column(String(80))  # component id, or "payout", "target", ...
    line_title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(QUERY_TEXT_MAX))
    status: Mapped[QueryStatus] = mapped_column(
        str_enum(QueryStatus, "query_status"), default=QueryStatus.OPEN, index=True)
    raised_by: Mapped[str] = mapped_column(String(80))
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str | None] = mapped_column(String(QUERY_TEXT_MAX))
    answered_by: Mapped[str | None] = mapped_column(String(80))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    run: Mapped[ScoreRun] = relationship()
    person: Mapped[Person] = relationship()
