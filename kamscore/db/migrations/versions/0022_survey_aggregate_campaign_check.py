"""survey aggregates: the campaign checked once per statement, not once per row

A large campaign stores hundreds of thousands of ``survey_aggregate`` rows in one ``COPY``
(``kamscore.surveys.aggregate_store.store_cells``). The foreign key to ``survey_campaign``
checked each row with its own lookup and lock: on PostgreSQL about 40 % of the server's work
for 740,000 rows. It is replaced by triggers doing what it did:

- rows whose campaign does not exist are refused (inserted, or ``campaign_id`` changed), and
  the campaigns they name are locked ``FOR KEY SHARE`` until the transaction ends (as the
  key's check locked them), so none can be deleted under them;
- deleting a campaign deletes its aggregates (the key's ``ON DELETE CASCADE``).

PostgreSQL: one trigger call per statement, over its transition table (the distinct campaign
ids of the rows). SQLite: row triggers (SQLite has no statement triggers), as cheap as its key
check was.

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

FK = "fk_survey_aggregate_campaign_id_survey_campaign"
PG_CHECK = """
CREATE FUNCTION kamscore_survey_aggregate_campaign_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing integer;
BEGIN
  SELECT a.campaign_id INTO missing
    FROM (SELECT DISTINCT campaign_id FROM added) a
    LEFT JOIN (SELECT id FROM survey_campaign
               WHERE id IN (SELECT campaign_id FROM added) FOR KEY SHARE) c
      ON c.id = a.campaign_id
   WHERE c.id IS NULL LIMIT 1;
  IF FOUND THEN
    RAISE foreign_key_violation USING MESSAGE = format(
      'insert or update on table "survey_aggregate" violates its campaign check: '
      'no survey_campaign with id %s', missing);
  END IF;
  RETURN NULL;
END $$"""
PG_CASCADE = """
CREATE FUNCTION kamscore_survey_aggregate_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM survey_aggregate WHERE campaign_id IN (SELECT id FROM removed);
  RETURN NULL;
END $$"""
SQLITE_CHECK = ("CREATE TRIGGER survey_aggregate_campaign_{event} BEFORE {clause} ON "
                "survey_aggregate WHEN NOT EXISTS (SELECT 1 FROM survey_campaign WHERE id = "
                "NEW.campaign_id) BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: "
                "no survey_campaign for survey_aggregate.campaign_id'); END")


def upgrade() -> None:
    with op.batch_alter_table('survey_aggregate', schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_='foreignkey')
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_CHECK)
        op.execute(PG_CASCADE)
        for event in ("insert", "update"):
            op.execute(f"CREATE TRIGGER survey_aggregate_campaign_{event} AFTER {event.upper()} "
                       "ON survey_aggregate REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
                       "EXECUTE FUNCTION kamscore_survey_aggregate_campaign_check()")
        op.execute("CREATE TRIGGER survey_campaign_aggregates_delete AFTER DELETE ON "
                   "survey_campaign REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
                   "EXECUTE FUNCTION kamscore_survey_aggregate_cascade()")
        return
    op.execute(SQLITE_CHECK.format(event="insert", clause="INSERT"))
    op.execute(SQLITE_CHECK.format(event="update", clause="UPDATE OF campaign_id"))
    op.execute("CREATE TRIGGER survey_campaign_aggregates_delete AFTER DELETE ON survey_campaign "
               "BEGIN DELETE FROM survey_aggregate WHERE campaign_id = OLD.id; END")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for trigger, table in (("survey_aggregate_campaign_insert", "survey_aggregate"),
                           ("survey_aggregate_campaign_update", "survey_aggregate"),
                           ("survey_campaign_aggregates_delete", "survey_campaign")):
        op.execute(f"DROP TRIGGER {trigger}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION kamscore_survey_aggregate_campaign_check()")
        op.execute("DROP FUNCTION kamscore_survey_aggregate_cascade()")
    with op.batch_alter_table('survey_aggregate', schema=None) as batch_op:
        batch_op.create_foreign_key(FK, 'survey_campaign', ['campaign_id'], ['id'],
                                    ondelete='CASCADE')
