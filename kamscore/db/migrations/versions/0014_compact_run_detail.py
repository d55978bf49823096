"""compact run detail: a run's line detail in compressed column-wise blocks

``score_run_block``: the line detail of up to 2,048 KAMs of a run (in KAM-code order),
column-wise and compressed (``kamscore.scoring.detail_blocks``). Lines of runs made from now
on leave ``score_line.detail`` empty; older runs keep theirs and are read as before. Blocks
are immutable like the run and its lines (triggers as in 0004).

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "score_run_block"
REASON = "a correction is a new score run"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("first_code", sa.String(length=40), nullable=False),
        sa.Column("last_code", sa.String(length=40), nullable=False),
        sa.Column("kam_count", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["score_run.id"],
                                name=op.f("fk_score_run_block_run_id_score_run")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_run_block")),
        sa.UniqueConstraint("run_id", "block", name=op.f("uq_score_run_block_run_id_block")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_score_run_block_run_id"), ["run_id"],
                              unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE OR DELETE ON {TABLE} "
                   f"FOR EACH ROW EXECUTE FUNCTION kamscore_refuse_change('{REASON}')")
        return
    for action in ("update", "delete"):
        op.execute(f"CREATE TRIGGER {TABLE}_no_{action} BEFORE {action.upper()} ON {TABLE} "
                   f"BEGIN SELECT RAISE(ABORT, '{TABLE} is immutable: {REASON}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {TABLE}_immutable ON {TABLE}")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER {TABLE}_no_{action}")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_run_block_run_id"))
    op.drop_table(TABLE)
