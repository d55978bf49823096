"""Ruleset versions, comments on drafts, score runs and their per-KAM payout lines.

How the tables hang together, and why:

- ``RulesetVersion`` is one immutable snapshot of a ruleset's YAML source (with its SHA-256).
  Its lifecycle is draft → approved → published → retired; the only columns that ever change
  are the status and the approval/publication stamps, never the source. A change to a plan
  is a new version (``parent_id`` points at the version it was derived from). The person who
  approves a version must differ from the one who drafted it — checked by the service and by
  a CHECK constraint, so not even a hand-written UPDATE can approve one's own draft.
- ``RulesetComment``: KAMs and managers comment on a draft before it is published.
- ``ScoreRun``: one application of one ruleset version to one period's metric values. It
  records every plugin's name and version, the hash of every input the engine saw, the hash
  of its results, totals, metric failures, and — for a correction — the run it corrects and
  why. Runs are written once, in one transaction, and never updated or deleted (the mapper
  events below refuse it; the services have no code path that would).
- ``ScoreLine``: per KAM the payout, eligibility, review hold, the hash of that KAM's inputs,
  and ``detail``: canonical JSON text of everything the engine saw about the KAM (``in``:
  attributes, every metric value with its inputs) and computed for him (``out``: per
  component the value, treatment of missing data, segment, factor, weighted contribution;
  gates, modifiers, caps, proration, payout). What all lines share is stored once in the
  run's ``layout``; a statement is the two joined (``kamscore.scoring.layout.expand``). Runs
  made since migration 0014 leave ``detail`` empty and keep it in ``ScoreRunBlock``s instead.
- ``ScoreRunBlock``: the line detail of up to 2,048 KAMs (in KAM-code order), column-wise and
  compressed (``kamscore.scoring.detail_blocks``): about 5 times smaller than a JSON text
  per line, and one KAM's detail is read by decoding only his block.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.base import Base, str_enum
from kamscore.models.org import Person
from kamscore.models.periods import Period
from kamscore.models.types import UTCDateTime, utcnow


class ImmutableRecordError(RuntimeError):
    """Raised when code tries to update or delete a record that money depends on."""


class RulesetStatus(enum.StrEnum):
    DRAFT = "draft"  # imported, may be commented on, simulated, approved
    APPROVED = "approved"  # a second person signed it off; may be published
    PUBLISHED = "published"  # the version score runs use (at most one per ruleset name)
    RETIRED = "retired"  # was published, replaced by a later version


class RulesetVersion(Base):
    __tablename__ = "ruleset_version"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint(
            "approved_by IS NULL OR approved_by <> drafted_by", name="four_eyes"
        ),
        CheckConstraint(
            "status = 'draft' OR (approved_by IS NOT NULL AND approved_at IS NOT NULL)",
            name="approved_before_use",
        ),
        # At most one published version per ruleset name, guarded by the database too. The
        # name is given by hand because the convention would give it the same name as the
        # plain index on ``name``.
        Index(
            "ix_ruleset_version_one_published",
            "name",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))  # the file it was imported from
    source: Mapped[str] = mapped_column(Text)  # the YAML text exactly as imported
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of ``source`` (UTF-8)
    status: Mapped[RulesetStatus] = mapped_column(
        str_enum(RulesetStatus, "ruleset_status"), default=RulesetStatus.DRAFT
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("ruleset_version.id"))
    note: Mapped[str | None] = mapped_column(Text)  # what changed and why (by the drafter)
    drafted_by: Mapped[str] = mapped_column(String(80))
    drafted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(80))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(80))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    parent: Mapped[RulesetVersion | None] = relationship(remote_side=[id])
    comments: Mapped[list[RulesetComment]] = relationship(
        back_populates="ruleset_version", order_by="RulesetComment.id"
    )

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    def __repr__(self) -> str:
        return f"<RulesetVersion {self.label} {self.status}>"


@event.listens_for(RulesetVersion, "before_update")
def _ruleset_source_is_immutable(_mapper: Any, _conn: Any, target: RulesetVersion) -> None:
    from sqlalchemy import inspect

    state = inspect(target)
    for column in ("name", "version", "source", "content_hash", "drafted_by", "parent_id"):
        if state.attrs[column].history.has_changes():
            raise ImmutableRecordError(
                f"ruleset {target.label}: '{column}' never changes; import a new version"
            )


class RulesetComment(Base):
    """A comment by a KAM or a manager on a ruleset version before it is published."""

    __tablename__ = "ruleset_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    ruleset_version_id: Mapped[int] = mapped_column(
        ForeignKey("ruleset_version.id"), index=True
    )
    author: Mapped[str] = mapped_column(String(80))  # username
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    key_path: Mapped[str | None] = mapped_column(String(200))  # e.g. components.csat.weight
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ruleset_version: Mapped[RulesetVersion] = relationship(back_populates="comments")
    person: Mapped[Person | None] = relationship()


class ScoreRunStatus(enum.StrEnum):
    COMPLETE = "complete"  # every metric computed
    PARTIAL = "partial"  # some metric failed; the KAMs it touches are held for review


class ScoreRun(Base):
    __tablename__ = "score_run"
    __table_args__ = (
        CheckConstraint(
            "(corrects_run_id IS NULL) = (correction_reason IS NULL)", name="correction_reason"
        ),
        CheckConstraint("kam_count >= 0", name="kam_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    ruleset_version_id: Mapped[int] = mapped_column(
        ForeignKey("ruleset_version.id"), index=True
    )
    ruleset_name: Mapped[str] = mapped_column(String(80))  # denormalised for look-ups
    status: Mapped[ScoreRunStatus] = mapped_column(str_enum(ScoreRunStatus, "score_run_status"))
    #: {plugin name: version} of every plugin whose metric the run used
    plugins: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: [{metric, params, plugin, version}] — each distinct metric computation, once
    metrics: Mapped[list[Any]] = mapped_column(JSON)
    #: [{component, metric, plugin, error}] — metric computations that raised
    failures: Mapped[list[Any]] = mapped_column(JSON)
    #: what every statement of the run shares (titles, segment names, gate conditions...);
    #: each line's ``detail`` holds only what differs per KAM (kamscore.scoring.codec)
    layout: Mapped[dict[str, Any]] = mapped_column(JSON)
    input_hash: Mapped[str] = mapped_column(String(64))
    result_hash: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    kam_count: Mapped[int] = mapped_column(Integer)
    eligible_count: Mapped[int] = mapped_column(Integer)
    held_count: Mapped[int] = mapped_column(Integer)
    total_payout: Mapped[float] = mapped_column(Numeric(20, 6, asdecimal=False))
    total_target: Mapped[float] = mapped_column(Float)  # sum of eligible targets, unrounded
    corrects_run_id: Mapped[int | None] = mapped_column(ForeignKey("score_run.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))

    period: Mapped[Period] = relationship()
    ruleset_version: Mapped[RulesetVersion] = relationship()
    corrects: Mapped[ScoreRun | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<ScoreRun {self.id} {self.ruleset_name} {self.status}>"


class ScoreLine(Base):
    """One KAM's result in a score run. ``detail`` is canonical JSON (see the module doc)."""

    __tablename__ = "score_line"
    __table_args__ = (UniqueConstraint("run_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("score_run.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kam_code: Mapped[str] = mapped_column(String(40))
    ruleset_version_id: Mapped[int] = mapped_column(ForeignKey("ruleset_version.id"))
    eligible: Mapped[bool] = mapped_column(Boolean)
    held: Mapped[bool] = mapped_column(Boolean)  # held for review: not payable as it stands
    score: Mapped[float | None] = mapped_column(Float)  # the overall payout factor
    target_incentive: Mapped[float | None] = mapped_column(Float)
    proration: Mapped[float | None] = mapped_column(Float)
    #: rounded with the ruleset's rule (any step down to 0.000001); exact text in ``detail``
    payout: Mapped[float] = mapped_column(Numeric(18, 6, asdecimal=False))
    input_hash: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)  # empty: in the run's ScoreRunBlocks

    run: Mapped[ScoreRun] = relationship()
    person: Mapped[Person] = relationship()


class ScoreRunBlock(Base):
    """The line detail of the KAMs ``first_code`` to ``last_code`` (KAM-code order) of a
    run, compressed column-wise (``kamscore.scoring.detail_blocks``)."""

    __tablename__ = "score_run_block"
    __table_args__ = (UniqueConstraint("run_id", "block"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("score_run.id"), index=True)
    block: Mapped[int] = mapped_column(Integer)  # 0, 1, ... in KAM-code order
    first_code: Mapped[str] = mapped_column(String(40))
    last_code: Mapped[str] = mapped_column(String(40))
    kam_count: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


def _refuse_change(_mapper: Any, _conn: Any, target: Any) -> None:
    raise ImmutableRecordError(
        f"{type(target).__name__} {target.id} is immutable: a correction is a new score run"
    )


for _cls in (ScoreRun, ScoreLine, ScoreRunBlock):
    event.listen(_cls, "before_update", _refuse_change)
    event.listen(_cls, "before_delete", _refuse_change)
