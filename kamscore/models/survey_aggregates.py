"""Survey results: a campaign's statistics per subject, measure and rater group (see
``kamscore.models.surveys`` for how the survey tables hang together)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKeyConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.base import NOT_ON_DIALECTS, Base
from kamscore.models.surveys import Campaign
from kamscore.models.types import UTCDateTime, utcnow


class SurveyAggregate(Base):
    """Statistics of one measure about one subject by one rater group in a campaign.

    Mirrors ``kamscore.metrics.survey_results.SurveyAggregate``: ``subject_type`` is "account",
    "kam" (or "campaign" for whole-campaign figures, ``subject_code`` then being the campaign
    code); ``measure`` is a question/item id or ``scale:<tag>``; ``histogram`` maps answer
    values (as JSON object keys) to counts. ``details`` holds further figures by name (e.g.
    ``csat``, ``nps``, ``nps_ci_low``, ``nps_ci_high``, ``alpha``, ``invited``). Only groups
    that may be reported (n at least the minimum group size) are stored; the scheduler
    replaces a campaign's rows as a whole after it closes.

    On PostgreSQL the foreign key to ``survey_campaign`` is not in the schema: triggers
    (migration 0023) do its work once per statement rather than once per row of the
    ``COPY`` that stores a campaign's rows (refuse rows of no campaign, lock the campaigns
    named, delete a campaign's rows with it). SQLite keeps the key (its check is cheaper
    than a row trigger there).
    """

    __tablename__ = "survey_aggregate"
    __table_args__ = (
        # A unique index rather than a UNIQUE constraint: the conventional constraint name
        # of five columns would pass PostgreSQL's 63-character limit.
        Index(
            None, "campaign_id", "subject_type", "subject_code", "measure", "rater_group",
            unique=True,
        ),
        CheckConstraint("n >= 0", name="n"),
        ForeignKeyConstraint(["campaign_id"], ["survey_campaign.id"], ondelete="CASCADE",
                             info={NOT_ON_DIALECTS: ("postgresql",)}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(Integer)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_code: Mapped[str] = mapped_column(String(40))
    measure: Mapped[str] = mapped_column(String(120))
    rater_group: Mapped[str] = mapped_column(String(40))
    n: Mapped[int] = mapped_column(Integer)
    mean: Mapped[float | None] = mapped_column()
    sd: Mapped[float | None] = mapped_column()
    scale_min: Mapped[int | None] = mapped_column(Integer)
    scale_max: Mapped[int | None] = mapped_column(Integer)
    histogram: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    campaign: Mapped[Campaign] = relationship()
