"""ruleset work in progress: a ruleset text kept by its author before it validates

``ruleset_work_in_progress`` holds YAML an analyst is still writing in the browser: editable,
owned by its author, not a ruleset version (versions hold only text that validates and never
changes). Once it validates it is promoted to a draft version and deleted.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kamscore.models.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ruleset_work_in_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("created_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("updated_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["app_user.id"],
                                name=op.f("fk_ruleset_work_in_progress_author_id_app_user")),
        sa.ForeignKeyConstraint(
            ["based_on_id"], ["ruleset_version.id"],
            name=op.f("fk_ruleset_work_in_progress_based_on_id_ruleset_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ruleset_work_in_progress")),
    )
    with op.batch_alter_table("ruleset_work_in_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ruleset_work_in_progress_author_id"),
                              ["author_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ruleset_work_in_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ruleset_work_in_progress_author_id"))
    op.drop_table("ruleset_work_in_progress")
