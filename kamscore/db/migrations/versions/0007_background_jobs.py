"""background jobs: the record of each job handed to the task queue

``background_job`` keeps who started a job (a large import), its state (queued, running,
done, failed), its inputs, and its report or errors. The queue itself is Huey's (a SQLite file
in the instance folder, or Redis), never a table here; a job's live progress is kept in the
queue's store beside it (``kamscore.background``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-14
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kamscore.models.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "background_job",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("task", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.Enum("queued", "running", "done", "failed", name="job_state",
                                   native_enum=False, create_constraint=True), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("started_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=True),
        sa.Column("finished_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_background_job_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_job")),
    )
    with op.batch_alter_table("background_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_background_job_user_id"), ["user_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("background_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_background_job_user_id"))
    op.drop_table("background_job")
