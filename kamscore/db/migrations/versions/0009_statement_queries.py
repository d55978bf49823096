"""statement queries: a KAM's question on a line of his statement, and the comp team's answer

``statement_query`` holds one query per row: the run and the KAM it is about, the line
(component id or step), the question, its state (open, answered, resolved) and who answered
and resolved it when. Each step is also in the audit log.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kamscore.models.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "statement_query",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=80), nullable=False),
        sa.Column("line_title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.Enum("open", "answered", "resolved", name="query_status",
                                    native_enum=False, create_constraint=True),
                  nullable=False),
        sa.Column("raised_by", sa.String(length=80), nullable=False),
        sa.Column("raised_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("answer", sa.String(length=1000), nullable=True),
        sa.Column("answered_by", sa.String(length=80), nullable=True),
        sa.Column("answered_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=True),
        sa.Column("resolved_by", sa.String(length=80), nullable=True),
        sa.Column("resolved_at", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=True),
        sa.CheckConstraint("length(body) > 0",
                           name=op.f("ck_statement_query_body_not_empty")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_statement_query_person_id_person")),
        sa.ForeignKeyConstraint(["run_id"], ["score_run.id"],
                                name=op.f("fk_statement_query_run_id_score_run")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_query")),
    )
    with op.batch_alter_table("statement_query", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statement_query_person_id"), ["person_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_statement_query_run_id"), ["run_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_statement_query_status"), ["status"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("statement_query", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_query_status"))
        batch_op.drop_index(batch_op.f("ix_statement_query_run_id"))
        batch_op.drop_index(batch_op.f("ix_statement_query_person_id"))
    op.drop_table("statement_query")
