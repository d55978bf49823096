"""fewer index entries per fact: no separate period index, partial person and team indexes

A bulk import pays for every index of ``fact`` on every row. ``ix_fact_period_id`` repeats
the first column of the unique key ``(period_id, name, subject_key)``, which serves every
query by period (and the foreign-key checks of a deleted period) as well: dropped. Most facts
are about an account, not a person or a team; every query on ``person_id`` and ``team_id``
compares them with ``=`` or ``IN`` (which implies ``IS NOT NULL``, so both databases use a
partial index for it), as do the foreign-key checks of a deleted person or team: those two
indexes now hold only the facts that have one.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = ("person_id", "team_id")


def upgrade() -> None:
    op.drop_index("ix_fact_period_id", table_name="fact")
    for column in PARTIAL:
        where = sa.text(f"{column} IS NOT NULL")
        op.drop_index(f"ix_fact_{column}", table_name="fact")
        op.create_index(f"ix_fact_{column}", "fact", [column], sqlite_where=where,
                        postgresql_where=where)


def downgrade() -> None:
    for column in PARTIAL:
        op.drop_index(f"ix_fact_{column}", table_name="fact")
        op.create_index(f"ix_fact_{column}", "fact", [column])
    op.create_index("ix_fact_period_id", "fact", ["period_id"])
