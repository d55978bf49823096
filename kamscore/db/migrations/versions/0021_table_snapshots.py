"""column-wise snapshots of the slow-changing tables a score run reads whole

``table_snapshot`` keeps ``account``, ``account_plan``, ``assignment``, ``stakeholder``,
``plan_objective`` and ``plan_action`` column-wise, one ``.npz`` payload per table
(``kamscore.facts.table_snapshots``), as ``fact_snapshot`` keeps a period's facts: a score
run reads a few arrays instead of a million values.

Any INSERT, UPDATE, DELETE or TRUNCATE of one of those tables — by kamscore or by hand —
deletes its snapshot in the same transaction; reads then fall back to the rows until it is
rebuilt (by the next score run). PostgreSQL: one trigger call per statement. SQLite: row
triggers guarded by ``WHEN EXISTS``, one index probe a row once the snapshot is gone.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("account", "account_plan", "assignment", "stakeholder", "plan_objective",
          "plan_action")
EVENTS = ("insert", "update", "delete")
PG_FUNCTION = """
CREATE FUNCTION kamscore_table_snapshot_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM table_snapshot WHERE name = TG_TABLE_NAME;
  RETURN NULL;
END $$"""


def upgrade() -> None:
    op.create_table('table_snapshot',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_table_snapshot'))
    )
    if op.get_bind().dialect.name == "postgresql":
        # already packed arrays: no TOAST compression to undo on every read
        op.execute("ALTER TABLE table_snapshot ALTER COLUMN data SET STORAGE EXTERNAL")
        op.execute(PG_FUNCTION)
        for table in TABLES:
            for event in (*EVENTS, "truncate"):
                op.execute(f"CREATE TRIGGER {table}_snapshot_stale_{event} AFTER "
                           f"{event.upper()} ON {table} FOR EACH STATEMENT "
                           "EXECUTE FUNCTION kamscore_table_snapshot_stale()")
        return
    for table in TABLES:
        for event in EVENTS:
            op.execute(f"CREATE TRIGGER {table}_snapshot_stale_{event} AFTER {event.upper()} "
                       f"ON {table} WHEN EXISTS (SELECT 1 FROM table_snapshot WHERE name = "
                       f"'{table}') BEGIN DELETE FROM table_snapshot WHERE name = '{table}'; "
                       "END")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        for event in (*EVENTS, "truncate") if postgresql else EVENTS:
            op.execute(f"DROP TRIGGER {table}_snapshot_stale_{event}"
                       + (f" ON {table}" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION kamscore_table_snapshot_stale()")
    op.drop_table('table_snapshot')
