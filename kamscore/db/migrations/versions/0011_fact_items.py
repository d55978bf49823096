"""facts with items: the transactions (deals, orders) behind an amount

``fact.item`` names the transaction a fact is about (an order or deal reference), so that a
period's net sales can be given order by order and a commission can rate each transaction on
its own. Empty for a fact about the whole period (every fact before this revision). The item
is part of the fact's subject key, so a period holds one fact per name, subject and item.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, no batch: on SQLite a batch copies the table and would lose the
# triggers that keep fact snapshots fresh (migration 0005); SQLite adds and (since 3.35)
# drops a column in place.


def upgrade() -> None:
    op.add_column("fact", sa.Column("item", sa.String(length=60), nullable=True))


def downgrade() -> None:
    op.drop_column("fact", "item")
