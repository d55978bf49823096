"""access: sessions that can be ended, managers' teams, the append-only audit log, and one
table of throttle counts

- ``app_user.session_token`` (in every session cookie; replaced to end all of a user's
  sessions) and ``app_user.disabled_at``;
- ``user_team``: the teams a manager user is responsible for;
- ``audit_event``: who did what when; triggers refuse any UPDATE or DELETE (both backends);
- ``throttle_count`` replaces ``survey_token_miss``: the counts of every throttle (sign-in,
  survey links, API credentials). The old counts are dropped (they live ten minutes).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kamscore.models.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_REASON = "the audit log is append-only"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("disabled_at", kamscore.models.types.UTCDateTime(
            timezone=True), nullable=True))
    random_hex = "md5(random()::text || id::text)" if postgres else "lower(hex(randomblob(16)))"
    op.execute(f"UPDATE app_user SET session_token = {random_hex}")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=32),
                              nullable=False)

    op.create_table(
        "user_team",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_user_team_team_id_team"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_user_team_user_id_app_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "team_id", name=op.f("pk_user_team")),
    )

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", kamscore.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_key", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["app_user.id"],
                                name=op.f("fk_audit_event_actor_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_event_object", ["object_type", "object_key"],
                              unique=False)
    if postgres:
        # kamscore_refuse_change() is migration 0004's
        op.execute("CREATE TRIGGER audit_event_immutable BEFORE UPDATE OR DELETE ON "
                   "audit_event FOR EACH ROW EXECUTE FUNCTION "
                   f"kamscore_refuse_change('{AUDIT_REASON}')")
    else:
        for action in ("update", "delete"):
            op.execute(f"CREATE TRIGGER audit_event_no_{action} BEFORE {action.upper()} ON "
                       f"audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is immutable: "
                       f"{AUDIT_REASON}'); END")

    op.create_table(
        "throttle_count",
        sa.Column("throttle", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("throttle", "key", "window_start",
                                name=op.f("pk_throttle_count")),
    )
    with op.batch_alter_table("throttle_count", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_throttle_count_window_start"), ["window_start"],
                              unique=False)
    with op.batch_alter_table("survey_token_miss", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_token_miss_window_start"))
    op.drop_table("survey_token_miss")


def downgrade() -> None:
    op.create_table(
        "survey_token_miss",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("window_start", kamscore.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_token_miss")),
        sa.UniqueConstraint("client", "window_start",
                            name=op.f("uq_survey_token_miss_client_window_start")),
    )
    with op.batch_alter_table("survey_token_miss", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_token_miss_window_start"), ["window_start"],
                              unique=False)
    op.drop_table("throttle_count")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_immutable ON audit_event")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER audit_event_no_{action}")
    op.drop_table("audit_event")
    op.drop_table("user_team")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("session_token")
