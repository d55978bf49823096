"""the pay ledger: adjustments, SPIFFs, clawbacks, draws, recoveries, true-ups, corrections

``pay_entry``: one amount per KAM paid in one period's payroll, of one kind, referencing what
it settles (a run, the runs of a correction, the draw a recovery settles, a true-up's advance
runs). ``draw_terms``: a KAM's draw from a period on. ``pay_settlement``: a run's payroll was
settled (draws, recoveries, corrections or true-up written), once per run.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kamscore.models.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draw_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("from_period_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("recoverable", sa.Boolean(), nullable=False),
        sa.Column("recovery_limit", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("entered_by", sa.String(length=80), nullable=False),
        sa.Column("entered_at", kamscore.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_draw_terms_amount")),
        sa.CheckConstraint(
            "recovery_limit > 0 AND recovery_limit <= 100",
            name=op.f("ck_draw_terms_recovery_limit"),
        ),
        sa.ForeignKeyConstraint(
            ["from_period_id"], ["period.id"], name=op.f("fk_draw_terms_from_period_id_period")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_draw_terms_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draw_terms")),
    )
    with op.batch_alter_table("draw_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draw_terms_person_id"), ["person_id"], unique=False)

    op.create_table(
        "pay_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kam_code", sa.String(length=40), nullable=False),
        sa.Column("pay_period_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "adjustment",
                "spiff",
                "clawback",
                "draw",
                "recovery",
                "true_up",
                "correction",
                name="pay_entry_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("payable", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("recoverable", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("other_run_id", sa.Integer(), nullable=True),
        sa.Column("settles_id", sa.Integer(), nullable=True),
        sa.Column("advance_runs", sa.JSON(), nullable=True),
        sa.Column("entered_by", sa.String(length=80), nullable=False),
        sa.Column("entered_at", kamscore.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=80), nullable=True),
        sa.Column("approved_at", kamscore.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind <> 'clawback' OR amount < 0", name=op.f("ck_pay_entry_clawback_negative")
        ),
        sa.CheckConstraint(
            "kind <> 'spiff' OR amount > 0", name=op.f("ck_pay_entry_spiff_positive")
        ),
        sa.CheckConstraint(
            "approved_by IS NULL OR approved_by <> entered_by", name=op.f("ck_pay_entry_four_eyes")
        ),
        sa.CheckConstraint("recoverable >= 0", name=op.f("ck_pay_entry_recoverable")),
        sa.ForeignKeyConstraint(
            ["other_run_id"], ["score_run.id"], name=op.f("fk_pay_entry_other_run_id_score_run")
        ),
        sa.ForeignKeyConstraint(
            ["pay_period_id"], ["period.id"], name=op.f("fk_pay_entry_pay_period_id_period")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_pay_entry_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["score_run.id"], name=op.f("fk_pay_entry_run_id_score_run")
        ),
        sa.ForeignKeyConstraint(
            ["settles_id"], ["pay_entry.id"], name=op.f("fk_pay_entry_settles_id_pay_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pay_entry")),
    )
    with op.batch_alter_table("pay_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pay_entry_pay_period_id"), ["pay_period_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pay_entry_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pay_entry_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pay_entry_settles_id"), ["settles_id"], unique=False)

    op.create_table(
        "pay_settlement",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "earnings",
                "correction",
                "true_up",
                name="settlement_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("settled_by", sa.String(length=80), nullable=False),
        sa.Column("settled_at", kamscore.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["score_run.id"], name=op.f("fk_pay_settlement_run_id_score_run")
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_pay_settlement")),
    )


def downgrade() -> None:
    op.drop_table("pay_settlement")
    with op.batch_alter_table("pay_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pay_entry_settles_id"))
        batch_op.drop_index(batch_op.f("ix_pay_entry_run_id"))
        batch_op.drop_index(batch_op.f("ix_pay_entry_person_id"))
        batch_op.drop_index(batch_op.f("ix_pay_entry_pay_period_id"))

    op.drop_table("pay_entry")
    with op.batch_alter_table("draw_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draw_terms_person_id"))

    op.drop_table("draw_terms")
