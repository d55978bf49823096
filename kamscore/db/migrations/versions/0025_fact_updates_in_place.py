"""PostgreSQL: a fact's value updated in place (HOT), and its parents checked on update only
when a key changes

Re-importing a file whose every value changed updated 200,000 facts in one ``UPDATE``: 4.5 s
of the import's 6.3 s, 5–7 times a ``COPY`` of the file (docs/benchmarks.md). Two costs:

- **No room on the page.** ``fact`` was written full (fillfactor 100), so each new row
  version went to another page, and every index of ``fact`` that holds the row (four for a
  fact about an account) got a new entry for it.
  With ``fillfactor = 50`` a page keeps half its room free: an update that changes no indexed
  column (value, category, unit, source: what imports change) writes the new version beside
  the old one, a heap-only tuple, and no index is touched. PostgreSQL prunes the dead
  versions of a page when it next reads it, so a page can take the next import's update too.
  The same UPDATE: 0.7–0.9 s. A freshly written table takes twice the pages (a table that
  has had one full update with fillfactor 100 takes as many, plus the dead versions until a
  vacuum). Existing pages keep their layout until rewritten (``VACUUM FULL fact``).
- **The parents' check on every update.** Migration 0024's statement trigger for updates
  read every updated row from a transition table, a key of which might have changed: 1 to
  1.5 s for an update that changes none. It is now a row trigger ``AFTER UPDATE OF`` the
  five keys, ``WHEN`` one of them changed: an update that does not list a key (every
  import's) does not fire it, and one that moves a fact is checked row by row, as a foreign
  key did, with the parents locked ``FOR KEY SHARE`` as before. Inserts keep the statement
  trigger.

SQLite: nothing changes (its foreign keys and its row triggers stay).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARENTS = ("period", "account", "person", "team", "product")
KEYS = ", ".join(f"{parent}_id" for parent in PARENTS)


def _moved(parent: str) -> str:
    """One parent's part of a moved fact's check: the new key names a row (locked)."""
    column = f"{parent}_id"
    return f"""
  IF NEW.{column} IS NOT NULL AND NEW.{column} IS DISTINCT FROM OLD.{column} THEN
    PERFORM 1 FROM {parent} WHERE id = NEW.{column} FOR KEY SHARE;
    IF NOT FOUND THEN
      RAISE foreign_key_violation USING MESSAGE = format(
        'insert or update on table "fact" violates its foreign key (trigger): '
        'no {parent} with id %s', NEW.{column});
    END IF;
  END IF;"""


ROW_CHECK = ("CREATE FUNCTION kamscore_fact_parents_moved() RETURNS trigger LANGUAGE plpgsql "
             "AS $$\nBEGIN" + "".join(map(_moved, PARENTS)) + "\n  RETURN NULL;\nEND $$")
CHANGED = " OR ".join(f"OLD.{parent}_id IS DISTINCT FROM NEW.{parent}_id" for parent in PARENTS)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE fact SET (fillfactor = 50)")
    op.execute("DROP TRIGGER fact_parents_update ON fact")
    op.execute(ROW_CHECK)
    op.execute(f"CREATE TRIGGER fact_parents_update AFTER UPDATE OF {KEYS} ON fact "
               f"FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION kamscore_fact_parents_moved()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER fact_parents_update ON fact")
    op.execute("DROP FUNCTION kamscore_fact_parents_moved()")
    op.execute("CREATE TRIGGER fact_parents_update AFTER UPDATE ON fact "
               "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
               "EXECUTE FUNCTION kamscore_fact_parents_check()")
    op.execute("ALTER TABLE fact RESET (fillfactor)")
