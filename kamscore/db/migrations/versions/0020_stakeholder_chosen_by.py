"""who chose each stakeholder, and each invitation's respondent

``stakeholder`` and ``survey_invitation`` gain ``chosen_by``: ``kam`` (the KAM himself),
``manager`` or ``organisation`` (the comp team, the CRM or an import). Existing rows were
chosen by the organisation.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("stakeholder", "survey_invitation")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("chosen_by", sa.String(length=12), nullable=False,
                                          server_default="organisation"))
            batch_op.create_check_constraint(
                op.f(f"ck_{table}_chosen_by"),
                "chosen_by IN ('kam', 'manager', 'organisation')")


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_chosen_by"), type_="check")
            batch_op.drop_column("chosen_by")
