"""response quality: completion time, flags and exclusions of survey responses

``survey_response`` gains the completion time in whole seconds (never a clock time), the
speeder, straight-liner and duplicate flags computed at submission, a digest of the answers
(to find duplicates) and, for a response excluded from scoring, the flag it was excluded for
and the reason. ``survey_draft`` gains when the questionnaire was first opened (the draft
is deleted at submission, so that instant is not kept). ``survey_campaign`` gains the speeder
minimum in seconds and whether speeders are excluded automatically.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kamscore.models.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("speeder_seconds", sa.Integer(), nullable=False,
                                      server_default="30"))
        batch_op.add_column(sa.Column("exclude_speeders", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("survey_draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_at",
                                      kamscore.models.types.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duration_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("speeder", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("straight_liner", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("duplicate", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("answers_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("excluded_for", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("excluded_reason", sa.String(length=500), nullable=True))
        batch_op.create_check_constraint(op.f("ck_survey_response_duration"), "duration_seconds >= 0")
        batch_op.create_check_constraint(
            op.f("ck_survey_response_excluded_for"), "excluded_for IN ('speeder', 'straight_liner', 'duplicate')")
        batch_op.create_check_constraint(
            op.f("ck_survey_response_excluded_reason"), "(excluded_for IS NULL) = (excluded_reason IS NULL)")


def downgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_survey_response_excluded_reason"), type_="check")
        batch_op.drop_constraint(op.f("ck_survey_response_excluded_for"), type_="check")
        batch_op.drop_constraint(op.f("ck_survey_response_duration"), type_="check")
        for column in ("excluded_reason", "excluded_for", "answers_digest", "duplicate",
                       "straight_liner", "speeder", "duration_seconds"):
            batch_op.drop_column(column)
    with op.batch_alter_table("survey_draft", schema=None) as batch_op:
        batch_op.drop_column("started_at")
    with op.batch_alter_table("survey_campaign", schema=None) as batch_op:
        batch_op.drop_column("exclude_speeders")
        batch_op.drop_column("speeder_seconds")
