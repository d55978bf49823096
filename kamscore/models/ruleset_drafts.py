"""A ruleset kept as work in progress: editable text owned by its author.

A ``RulesetVersion`` holds only text that validates and never changes again. While an analyst
is still writing a plan in the browser, the text may not validate yet; he keeps it as *work
in progress*: a row of its own, not a version, that only he sees and edits, until it
validates and is promoted to a draft version (and deleted) — ``kamscore.scoring.drafting``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.base import Base
from kamscore.models.scoring import RulesetVersion
from kamscore.models.types import UTCDateTime, utcnow


class RulesetWorkInProgress(Base):
    __tablename__ = "ruleset_work_in_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))  # what its author calls it in lists
    filename: Mapped[str] = mapped_column(String(200))  # the name its problems are said with
    source: Mapped[str] = mapped_column(Text)  # the YAML as last kept, valid or not
    #: the version it was copied from, if any (to compare with)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("ruleset_version.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    based_on: Mapped[RulesetVersion | None] = relationship()

    def __repr__(self) -> str:
        return f"<RulesetWorkInProgress {self.id} {self.title!r}>"
