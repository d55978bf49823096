"""column-wise snapshots of each period's facts, and the triggers that keep them never stale

A snapshot is a cache: ``fact_snapshot`` says a period's facts are also kept column-wise,
``fact_snapshot_column`` holds one ``.npz`` payload per fact name (``kamscore.facts.columns``).
Any INSERT, UPDATE, DELETE or TRUNCATE of facts — by kamscore or by hand — deletes the
snapshot of every period it touches, in the same transaction; reads then fall back to the
rows until the snapshot is rebuilt (after an import, or ``kamscore period snapshot``).

The triggers are per row; once a period's snapshot is gone they cost one index probe per
row (a ``WHEN EXISTS`` guard: a bulk write is 0.5 µs a row slower, not 4 µs). A builder locks the fact table against writers while it reads
(``LOCK TABLE fact IN SHARE MODE`` on PostgreSQL; SQLite has one writer at a time), so a
fact written during a build waits for it, then drops the new snapshot.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERIODS = {  # event: the periods a row touches
    "insert": ("NEW",),
    "update": ("OLD", "NEW"),
    "delete": ("OLD",),
}
PG_FUNCTION = """
CREATE FUNCTION kamscore_fact_snapshot_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM fact_snapshot_column;
    DELETE FROM fact_snapshot;
    RETURN NULL;
  END IF;
  -- nested IFs: TG_OP is a cheap expression, the EXISTS a query worth running once a row
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF EXISTS (SELECT 1 FROM fact_snapshot WHERE period_id = OLD.period_id) THEN
      DELETE FROM fact_snapshot_column WHERE period_id = OLD.period_id;
      DELETE FROM fact_snapshot WHERE period_id = OLD.period_id;
    END IF;
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.period_id <> OLD.period_id) THEN
    IF EXISTS (SELECT 1 FROM fact_snapshot WHERE period_id = NEW.period_id) THEN
      DELETE FROM fact_snapshot_column WHERE period_id = NEW.period_id;
      DELETE FROM fact_snapshot WHERE period_id = NEW.period_id;
    END IF;
  END IF;
  RETURN NULL;
END $$"""


def upgrade() -> None:
    op.create_table('fact_snapshot',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('fact_count', sa.Integer(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_fact_snapshot_period_id_period')),
    sa.PrimaryKeyConstraint('period_id', name=op.f('pk_fact_snapshot'))
    )
    op.create_table('fact_snapshot_column',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['fact_snapshot.period_id'], name=op.f('fk_fact_snapshot_column_period_id_fact_snapshot')),
    sa.PrimaryKeyConstraint('period_id', 'name', name=op.f('pk_fact_snapshot_column'))
    )
    if op.get_bind().dialect.name == "postgresql":
        # already packed arrays: no TOAST compression to undo on every read
        op.execute("ALTER TABLE fact_snapshot_column ALTER COLUMN data SET STORAGE EXTERNAL")
        op.execute(PG_FUNCTION)
        for event in PERIODS:
            op.execute(f"CREATE TRIGGER fact_snapshot_stale_{event} AFTER {event.upper()} ON "
                       "fact FOR EACH ROW EXECUTE FUNCTION kamscore_fact_snapshot_stale()")
        op.execute("CREATE TRIGGER fact_snapshot_stale_truncate AFTER TRUNCATE ON fact "
                   "FOR EACH STATEMENT EXECUTE FUNCTION kamscore_fact_snapshot_stale()")
        return
    for event, rows in PERIODS.items():
        periods = ", ".join(f"{row}.period_id" for row in rows)
        op.execute(f"CREATE TRIGGER fact_snapshot_stale_{event} AFTER {event.upper()} ON fact "
                   f"WHEN EXISTS (SELECT 1 FROM fact_snapshot WHERE period_id IN ({periods})) "
                   f"BEGIN DELETE FROM fact_snapshot_column WHERE period_id IN ({periods}); "
                   f"DELETE FROM fact_snapshot WHERE period_id IN ({periods}); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for event in (*PERIODS, "truncate"):
            op.execute(f"DROP TRIGGER fact_snapshot_stale_{event} ON fact")
        op.execute("DROP FUNCTION kamscore_fact_snapshot_stale()")
    else:
        for event in PERIODS:
            op.execute(f"DROP TRIGGER fact_snapshot_stale_{event}")
    op.drop_table('fact_snapshot_column')
    op.drop_table('fact_snapshot')
