"""target rounds: targets per KAM proposed top-down, discussed with the KAM, approved

``target_round``: a period's round of targets (its facts, the bound on how far a value may
stray from the top-down one, the deadline, who opened and who approved it).
``target_line``: one KAM's target for one fact in a round: top-down, his proposal with a
reason, his manager's decision, and the fact written when the round was approved.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kamscore.models.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "target_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("bound_pct", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("basis", sa.String(length=300), nullable=True),
        sa.Column("status", sa.Enum("draft", "open", "approved", name="target_round_status",
                                    native_enum=False, create_constraint=True, length=8),
                  nullable=False),
        sa.Column("deadline", kamscore.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("opened_by", sa.String(length=80), nullable=True),
        sa.Column("opened_at", kamscore.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=80), nullable=True),
        sa.Column("approved_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=True),
        sa.CheckConstraint("bound_pct > 0", name=op.f("ck_target_round_bound")),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"],
                                name=op.f("fk_target_round_period_id_period")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_round")),
        sa.UniqueConstraint("code", name=op.f("uq_target_round_code")),
    )
    with op.batch_alter_table("target_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_target_round_period_id"), ["period_id"],
                              unique=False)
    op.create_table(
        "target_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kam_id", sa.Integer(), nullable=False),
        sa.Column("fact_name", sa.String(length=60), nullable=False),
        sa.Column("top_down", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("proposed", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("proposed_by", sa.String(length=80), nullable=True),
        sa.Column("proposed_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=True),
        sa.Column("decision", sa.Enum("pending", "accepted", "adjusted", "rejected",
                                      name="proposal_decision", native_enum=False,
                                      create_constraint=True, length=8), nullable=True),
        sa.Column("agreed", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=True),
        sa.Column("fact_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("top_down >= 0", name=op.f("ck_target_line_top_down")),
        sa.CheckConstraint("proposed IS NULL OR proposed >= 0",
                           name=op.f("ck_target_line_proposed")),
        sa.CheckConstraint("agreed IS NULL OR agreed >= 0", name=op.f("ck_target_line_agreed")),
        sa.ForeignKeyConstraint(["round_id"], ["target_round.id"],
                                name=op.f("fk_target_line_round_id_target_round"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["kam_id"], ["person.id"],
                                name=op.f("fk_target_line_kam_id_person")),
        sa.ForeignKeyConstraint(["fact_id"], ["fact.id"],
                                name=op.f("fk_target_line_fact_id_fact")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_line")),
        sa.UniqueConstraint("round_id", "kam_id", "fact_name",
                            name=op.f("uq_target_line_round_id_kam_id_fact_name")),
    )
    with op.batch_alter_table("target_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_target_line_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_target_line_kam_id"), ["kam_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("target_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_target_line_kam_id"))
        batch_op.drop_index(batch_op.f("ix_target_line_round_id"))
    op.drop_table("target_line")
    with op.batch_alter_table("target_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_target_round_period_id"))
    op.drop_table("target_round")
