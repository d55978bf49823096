"""money records are immutable in the database itself: triggers refuse any UPDATE or DELETE
of a score run or a score line, and any change to what a ruleset version says

The ORM and the services already refuse such changes (``kamscore.models.scoring``); these
triggers make a hand-written ``UPDATE`` in a SQL console fail too. A correction is a new run,
a change to a plan a new version. Emptying a whole database (``kamscore demo --reset``) is
still possible: PostgreSQL's TRUNCATE fires no row triggers, and on SQLite
``kamscore.demo.build.clear_database`` lifts the triggers for its one transaction.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUN_TABLES = ("score_run", "score_line")
RUN_REASON = "a correction is a new score run"
#: What a ruleset version says; its status and approval stamps still change (draft → ...).
RULESET_COLUMNS = ("name", "version", "filename", "source", "content_hash", "drafted_by",
                   "drafted_at")
RULESET_REASON = "a change to a plan is a new version"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION kamscore_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  RAISE EXCEPTION '% % is immutable: %', TG_TABLE_NAME, OLD.id, TG_ARGV[0]\n"
            "    USING ERRCODE = 'restrict_violation';\n"
            "END $$")
        for table in RUN_TABLES:
            op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION kamscore_refuse_change('{RUN_REASON}')")
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in RULESET_COLUMNS)
        op.execute("CREATE TRIGGER ruleset_version_immutable BEFORE UPDATE ON ruleset_version "
                   f"FOR EACH ROW WHEN ({changed}) "
                   f"EXECUTE FUNCTION kamscore_refuse_change('{RULESET_REASON}')")
        return
    for table in RUN_TABLES:
        for action in ("update", "delete"):
            op.execute(f"CREATE TRIGGER {table}_no_{action} BEFORE {action.upper()} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is immutable: {RUN_REASON}'); END")
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in RULESET_COLUMNS)
    op.execute(f"CREATE TRIGGER ruleset_version_immutable BEFORE UPDATE ON ruleset_version "
               f"WHEN {changed} BEGIN SELECT RAISE(ABORT, "
               f"'ruleset_version is immutable: {RULESET_REASON}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in RUN_TABLES:
            op.execute(f"DROP TRIGGER {table}_immutable ON {table}")
        op.execute("DROP TRIGGER ruleset_version_immutable ON ruleset_version")
        op.execute("DROP FUNCTION kamscore_refuse_change()")
        return
    for table in RUN_TABLES:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER {table}_no_{action}")
    op.execute("DROP TRIGGER ruleset_version_immutable")
