"""plan acknowledgments and payment holds

``plan_acknowledgment``: a KAM confirmed his plan document for one ruleset version and
period; the document is kept exactly as shown, with its SHA-256. ``payment_hold``: a KAM's
payout (or one statement line) held with a reason code, and its release into a later period.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kamscore.models.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, kamscore.models.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "plan_acknowledgment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ruleset_version_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=80), nullable=False),
        _utc("acknowledged_at", False),
        sa.Column("document_hash", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["ruleset_version_id"], ["ruleset_version.id"],
                                name=op.f("fk_plan_acknowledgment_ruleset_version_id_"
                                          "ruleset_version")),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"],
                                name=op.f("fk_plan_acknowledgment_period_id_period")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_plan_acknowledgment_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_acknowledgment")),
        sa.UniqueConstraint("ruleset_version_id", "period_id", "person_id",
                            name=op.f("uq_plan_acknowledgment_ruleset_version_id_period_id_"
                                      "person_id")),
    )
    with op.batch_alter_table("plan_acknowledgment", schema=None) as batch_op:
        for column in ("ruleset_version_id", "period_id", "person_id"):
            batch_op.create_index(batch_op.f(f"ix_plan_acknowledgment_{column}"), [column],
                                  unique=False)
    op.create_table(
        "payment_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("ruleset_name", sa.String(length=80), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kam_code", sa.String(length=40), nullable=False),
        sa.Column("line", sa.String(length=80), nullable=True),
        sa.Column("line_title", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2, asdecimal=False),
                  nullable=False),
        sa.Column("reason", sa.Enum("investigation", "leave", "plan_not_acknowledged",
                                    "data_dispute", "other", name="hold_reason",
                                    native_enum=False, create_constraint=True, length=21),
                  nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("placed_by", sa.String(length=80), nullable=False),
        _utc("placed_at", False),
        sa.Column("released_by", sa.String(length=80), nullable=True),
        _utc("released_at", True),
        sa.Column("paid_in_period_id", sa.Integer(), nullable=True),
        sa.Column("release_note", sa.Text(), nullable=True),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_payment_hold_amount")),
        sa.CheckConstraint("(released_at IS NULL) = (released_by IS NULL)",
                           name=op.f("ck_payment_hold_released")),
        sa.CheckConstraint("(released_at IS NULL) = (paid_in_period_id IS NULL)",
                           name=op.f("ck_payment_hold_paid_in")),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"],
                                name=op.f("fk_payment_hold_period_id_period")),
        sa.ForeignKeyConstraint(["paid_in_period_id"], ["period.id"],
                                name=op.f("fk_payment_hold_paid_in_period_id_period")),
        sa.ForeignKeyConstraint(["run_id"], ["score_run.id"],
                                name=op.f("fk_payment_hold_run_id_score_run")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_payment_hold_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_hold")),
    )
    with op.batch_alter_table("payment_hold", schema=None) as batch_op:
        for column in ("period_id", "run_id", "person_id"):
            batch_op.create_index(batch_op.f(f"ix_payment_hold_{column}"), [column],
                                  unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payment_hold", schema=None) as batch_op:
        for column in ("person_id", "run_id", "period_id"):
            batch_op.drop_index(batch_op.f(f"ix_payment_hold_{column}"))
    op.drop_table("payment_hold")
    with op.batch_alter_table("plan_acknowledgment", schema=None) as batch_op:
        for column in ("person_id", "period_id", "ruleset_version_id"):
            batch_op.drop_index(batch_op.f(f"ix_plan_acknowledgment_{column}"))
    op.drop_table("plan_acknowledgment")
