"""PostgreSQL: facts' five parents checked once per statement, not once per row and key

A first import of 200,000 facts writes them in one ``INSERT ... SELECT`` or ``COPY``; on
PostgreSQL the foreign keys of ``fact`` (period, account, person, team, product) checked each
row with one query and row lock per key: 53–60 % of that statement's time
(docs/benchmarks.md). There they are replaced by statement triggers doing what they did, as
migration 0023 did for survey aggregates:

- facts whose period, account, person, team or product does not exist are refused (inserted,
  or a key changed), and the parents they name are locked ``FOR KEY SHARE`` until the
  transaction ends (as the keys' checks locked them), so none can be deleted under them —
  five queries per statement over its transition table;
- deleting a parent that facts reference, or changing its id, is refused, as the keys'
  ``NO ACTION`` did (none of the five cascades or sets NULL); so is a ``TRUNCATE`` of a
  parent that leaves facts behind (one that empties ``fact`` too, as the demo's
  ``clear_database`` does, passes: the check runs after the statement). The check reads ``fact`` by an
  index: ``period_id`` leads the unique key, ``account_id``, ``person_id`` and ``team_id``
  have their own (the latter two partial, ``IS NOT NULL``); ``product_id`` has none, as
  under the foreign key (whose check scanned ``fact`` too).

SQLite keeps the foreign keys: its checks are cheaper than a row trigger (SQLite has no
statement triggers). The model keeps the constraints, marked as not on PostgreSQL
(``kamscore.models.base.NOT_ON_DIALECTS``).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARENTS = ("period", "account", "person", "team", "product")


def _missing(parent: str) -> str:
    """One parent's part of the facts' check: refuse a key naming no row, lock the rows
    named."""
    column = f"{parent}_id"
    return f"""
  SELECT a.id INTO missing
    FROM (SELECT DISTINCT {column} AS id FROM added WHERE {column} IS NOT NULL) a
    LEFT JOIN (SELECT id FROM {parent}
               WHERE id IN (SELECT {column} FROM added) FOR KEY SHARE) p ON p.id = a.id
   WHERE p.id IS NULL LIMIT 1;
  IF FOUND THEN
    RAISE foreign_key_violation USING MESSAGE = format(
      'insert or update on table "fact" violates its foreign key (trigger): '
      'no {parent} with id %s', missing);
  END IF;"""


CHECK = ("CREATE FUNCTION kamscore_fact_parents_check() RETURNS trigger LANGUAGE plpgsql "
         "AS $$\nDECLARE missing integer;\nBEGIN" + "".join(map(_missing, PARENTS))
         + "\n  RETURN NULL;\nEND $$")


def _restrict(parent: str) -> str:
    """The parent's side: deleting a referenced row (or changing its id) is refused."""
    return f"""
CREATE FUNCTION kamscore_fact_{parent}_restrict() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE referenced integer;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN  -- after the statement: fact emptied by it too, or refused
    SELECT f.{parent}_id INTO referenced FROM fact f LIMIT 1;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT f.{parent}_id INTO referenced FROM fact f
     WHERE f.{parent}_id IN (SELECT id FROM removed) LIMIT 1;
  ELSE
    SELECT f.{parent}_id INTO referenced FROM fact f
     WHERE f.{parent}_id IN (SELECT o.id FROM removed o LEFT JOIN added n ON n.id = o.id
                              WHERE n.id IS NULL) LIMIT 1;
  END IF;
  IF FOUND THEN
    RAISE foreign_key_violation USING MESSAGE = format(
      'update or delete on table "{parent}" violates the foreign key (trigger) of table '
      '"fact": facts reference {parent} %s', referenced);
  END IF;
  RETURN NULL;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for parent in PARENTS:
        op.drop_constraint(f"fk_fact_{parent}_id_{parent}", "fact", type_="foreignkey")
    op.execute(CHECK)
    for event in ("insert", "update"):  # one event per trigger with a transition table
        op.execute(f"CREATE TRIGGER fact_parents_{event} AFTER {event.upper()} ON fact "
                   "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
                   "EXECUTE FUNCTION kamscore_fact_parents_check()")
    for parent in PARENTS:
        op.execute(_restrict(parent))
        op.execute(f"CREATE TRIGGER fact_{parent}_delete AFTER DELETE ON {parent} "
                   "REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
                   f"EXECUTE FUNCTION kamscore_fact_{parent}_restrict()")
        op.execute(f"CREATE TRIGGER fact_{parent}_update AFTER UPDATE ON {parent} "
                   "REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT "
                   f"EXECUTE FUNCTION kamscore_fact_{parent}_restrict()")
        op.execute(f"CREATE TRIGGER fact_{parent}_truncate AFTER TRUNCATE ON {parent} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION kamscore_fact_{parent}_restrict()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for parent in PARENTS:
        op.execute(f"DROP TRIGGER fact_{parent}_truncate ON {parent}")
        op.execute(f"DROP TRIGGER fact_{parent}_update ON {parent}")
        op.execute(f"DROP TRIGGER fact_{parent}_delete ON {parent}")
        op.execute(f"DROP FUNCTION kamscore_fact_{parent}_restrict()")
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER fact_parents_{event} ON fact")
    op.execute("DROP FUNCTION kamscore_fact_parents_check()")
    for parent in PARENTS:
        op.create_foreign_key(f"fk_fact_{parent}_id_{parent}", "fact", parent,
                              [f"{parent}_id"], ["id"])
