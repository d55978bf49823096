"""PostgreSQL: survey aggregates' campaign checked once per statement, not once per row

A large campaign stores hundreds of thousands of ``survey_aggregate`` rows in one ``COPY``
(``kamscore.surveys.aggregate_store.store_cells``). On PostgreSQL the foreign key to
``survey_campaign`` checked each row with its own query and row lock: about 40 % of the
server's work for 740,000 rows. There it is replaced by statement triggers doing what it did:

- rows whose campaign does not exist are refused (inserted, or ``campaign_id`` changed), and
  the campaigns they name are locked ``FOR KEY SHARE`` until the transaction ends (as the
  key's check locked them), so none can be deleted under them — one query per statement
  over its transition table;
- deleting campaigns deletes their aggregates (the key's ``ON DELETE CASCADE``).

SQLite keeps the foreign key: its check is cheaper than a row trigger (SQLite has no statement
triggers). The model keeps the constraint, marked as not on PostgreSQL
(``kamscore.models.base.NOT_ON_DIALECTS``).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_survey_aggregate_campaign_id_survey_campaign"
CHECK = """
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
      'insert or update on table "survey_aggregate" violates its foreign key (trigger): '
      'no survey_campaign with id %s', missing);
  END IF;
  RETURN NULL;
END $$"""
CASCADE = """
CREATE FUNCTION kamscore_survey_aggregate_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM survey_aggregate WHERE campaign_id IN (SELECT id FROM removed);
  RETURN NULL;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_constraint(FK, "survey_aggregate", type_="foreignkey")
    op.execute(CHECK)
    op.execute(CASCADE)
    for event in ("insert", "update"):  # one event per trigger with a transition table
        op.execute(f"CREATE TRIGGER survey_aggregate_campaign_{event} AFTER {event.upper()} "
                   "ON survey_aggregate REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
                   "EXECUTE FUNCTION kamscore_survey_aggregate_campaign_check()")
    op.execute("CREATE TRIGGER survey_campaign_aggregates_delete AFTER DELETE ON "
               "survey_campaign REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
               "EXECUTE FUNCTION kamscore_survey_aggregate_cascade()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER survey_campaign_aggregates_delete ON survey_campaign")
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER survey_aggregate_campaign_{event} ON survey_aggregate")
    op.execute("DROP FUNCTION kamscore_survey_aggregate_cascade()")
    op.execute("DROP FUNCTION kamscore_survey_aggregate_campaign_check()")
    op.create_foreign_key(FK, "survey_aggregate", "survey_campaign", ["campaign_id"], ["id"],
                          ondelete="CASCADE")
