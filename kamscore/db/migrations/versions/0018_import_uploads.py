"""fact snapshot triggers per statement on PostgreSQL, for bulk imports

The triggers of 0005 drop the snapshot of every period a write to ``fact`` touches. On
PostgreSQL they ran once per row: a PL/pgSQL call and an index probe for each of the
hundreds of thousands of rows an import inserts with one ``INSERT ... SELECT`` (half of its
time). They now run once per statement and read the periods from the statement's transition
tables (``REFERENCING NEW TABLE / OLD TABLE``). Same effect, same transaction; SQLite keeps
its row triggers (guarded by ``WHEN EXISTS``, they cost 0.5 µs a row there).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS = ("insert", "update", "delete")
TRANSITIONS = {
    "insert": "REFERENCING NEW TABLE AS new_facts",
    "update": "REFERENCING OLD TABLE AS old_facts NEW TABLE AS new_facts",
    "delete": "REFERENCING OLD TABLE AS old_facts",
}
STATEMENT_FUNCTION = """
CREATE FUNCTION kamscore_fact_snapshot_stale_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM fact_snapshot) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    DELETE FROM fact_snapshot_column WHERE period_id IN (SELECT period_id FROM new_facts);
    DELETE FROM fact_snapshot WHERE period_id IN (SELECT period_id FROM new_facts);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM fact_snapshot_column WHERE period_id IN (SELECT period_id FROM old_facts);
    DELETE FROM fact_snapshot WHERE period_id IN (SELECT period_id FROM old_facts);
  END IF;
  RETURN NULL;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(STATEMENT_FUNCTION)
    for event in EVENTS:
        op.execute(f"DROP TRIGGER fact_snapshot_stale_{event} ON fact")
        op.execute(f"CREATE TRIGGER fact_snapshot_stale_{event} AFTER {event.upper()} ON fact "
                   f"{TRANSITIONS[event]} FOR EACH STATEMENT "
                   "EXECUTE FUNCTION kamscore_fact_snapshot_stale_statement()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for event in EVENTS:
        op.execute(f"DROP TRIGGER fact_snapshot_stale_{event} ON fact")
        op.execute(f"CREATE TRIGGER fact_snapshot_stale_{event} AFTER {event.upper()} ON "
                   "fact FOR EACH ROW EXECUTE FUNCTION kamscore_fact_snapshot_stale()")
    op.execute("DROP FUNCTION kamscore_fact_snapshot_stale_statement()")
