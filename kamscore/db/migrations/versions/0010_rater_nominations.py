"""rater nominations and campaigns run from the browser

``rater_nomination``: the colleagues a KAM proposes to rate him in a 360° campaign and his
manager's decision. ``survey_campaign`` gains the reminder schedule as days before the
closing time, the languages offered, whether raters are nominated, and the minimum of
approved raters per group a nominated campaign needs before it opens.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kamscore.models.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_days_before_close", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("languages", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("raters_nominated", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("nomination_minimums", sa.JSON(), nullable=True))
    op.create_table(
        "rater_nomination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kam_id", sa.Integer(), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("rater_group", sa.String(length=40), nullable=False),
        sa.Column("status", sa.Enum("proposed", "approved", "rejected",
                                    name="nomination_status", native_enum=False,
                                    create_constraint=True, length=8), nullable=False),
        sa.Column("proposed_by", sa.String(length=80), nullable=False),
        sa.Column("proposed_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=True),
        sa.CheckConstraint("kam_id <> rater_id", name=op.f("ck_rater_nomination_not_self")),
        sa.CheckConstraint(
            "rater_group IN ('peer', 'manager', 'cross_functional', 'direct_report')",
            name=op.f("ck_rater_nomination_rater_group"),
        ),
        sa.ForeignKeyConstraint(["campaign_id"], ["survey_campaign.id"],
                                name=op.f("fk_rater_nomination_campaign_id_survey_campaign"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["kam_id"], ["person.id"],
                                name=op.f("fk_rater_nomination_kam_id_person")),
        sa.ForeignKeyConstraint(["rater_id"], ["person.id"],
                                name=op.f("fk_rater_nomination_rater_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rater_nomination")),
        sa.UniqueConstraint("campaign_id", "kam_id", "rater_id",
                            name=op.f("uq_rater_nomination_campaign_id_kam_id_rater_id")),
    )
    with op.batch_alter_table("rater_nomination", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rater_nomination_campaign_id"), ["campaign_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_rater_nomination_kam_id"), ["kam_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_rater_nomination_rater_id"), ["rater_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rater_nomination", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rater_nomination_rater_id"))
        batch_op.drop_index(batch_op.f("ix_rater_nomination_kam_id"))
        batch_op.drop_index(batch_op.f("ix_rater_nomination_campaign_id"))
    op.drop_table("rater_nomination")
    with op.batch_alter_table("survey_campaign", schema=None) as batch_op:
        batch_op.drop_column("nomination_minimums")
        batch_op.drop_column("raters_nominated")
        batch_op.drop_column("languages")
        batch_op.drop_column("reminder_days_before_close")
