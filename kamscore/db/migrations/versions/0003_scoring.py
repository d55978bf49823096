"""ruleset versions, comments on drafts, score runs and payout lines (owned by the
rulesets/engine capability)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ruleset_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('draft', 'approved', 'published', 'retired', name='ruleset_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('drafted_by', sa.String(length=80), nullable=False),
    sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=80), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by', sa.String(length=80), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status = 'draft' OR (approved_by IS NOT NULL AND approved_at IS NOT NULL)", name=op.f('ck_ruleset_version_approved_before_use')),
    sa.CheckConstraint('approved_by IS NULL OR approved_by <> drafted_by', name=op.f('ck_ruleset_version_four_eyes')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_ruleset_version_version')),
    sa.ForeignKeyConstraint(['parent_id'], ['ruleset_version.id'], name=op.f('fk_ruleset_version_parent_id_ruleset_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ruleset_version')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_ruleset_version_name_version'))
    )
    with op.batch_alter_table('ruleset_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ruleset_version_name'), ['name'], unique=False)
        batch_op.create_index('ix_ruleset_version_one_published', ['name'], unique=True, sqlite_where=sa.text("status = 'published'"), postgresql_where=sa.text("status = 'published'"))

    op.create_table('ruleset_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ruleset_version_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=80), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('key_path', sa.String(length=200), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_ruleset_comment_person_id_person')),
    sa.ForeignKeyConstraint(['ruleset_version_id'], ['ruleset_version.id'], name=op.f('fk_ruleset_comment_ruleset_version_id_ruleset_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ruleset_comment'))
    )
    with op.batch_alter_table('ruleset_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ruleset_comment_ruleset_version_id'), ['ruleset_version_id'], unique=False)

    op.create_table('score_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('ruleset_version_id', sa.Integer(), nullable=False),
    sa.Column('ruleset_name', sa.String(length=80), nullable=False),
    sa.Column('status', sa.Enum('complete', 'partial', name='score_run_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('plugins', sa.JSON(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('layout', sa.JSON(), nullable=False),
    sa.Column('input_hash', sa.String(length=64), nullable=False),
    sa.Column('result_hash', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('kam_count', sa.Integer(), nullable=False),
    sa.Column('eligible_count', sa.Integer(), nullable=False),
    sa.Column('held_count', sa.Integer(), nullable=False),
    sa.Column('total_payout', sa.Numeric(precision=20, scale=6, asdecimal=False), nullable=False),
    sa.Column('total_target', sa.Float(), nullable=False),
    sa.Column('corrects_run_id', sa.Integer(), nullable=True),
    sa.Column('correction_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.CheckConstraint('(corrects_run_id IS NULL) = (correction_reason IS NULL)', name=op.f('ck_score_run_correction_reason')),
    sa.CheckConstraint('kam_count >= 0', name=op.f('ck_score_run_kam_count')),
    sa.ForeignKeyConstraint(['corrects_run_id'], ['score_run.id'], name=op.f('fk_score_run_corrects_run_id_score_run')),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_score_run_period_id_period')),
    sa.ForeignKeyConstraint(['ruleset_version_id'], ['ruleset_version.id'], name=op.f('fk_score_run_ruleset_version_id_ruleset_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_run'))
    )
    with op.batch_alter_table('score_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_run_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_run_ruleset_version_id'), ['ruleset_version_id'], unique=False)

    op.create_table('score_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kam_code', sa.String(length=40), nullable=False),
    sa.Column('ruleset_version_id', sa.Integer(), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('target_incentive', sa.Float(), nullable=True),
    sa.Column('proration', sa.Float(), nullable=True),
    sa.Column('payout', sa.Numeric(precision=18, scale=6, asdecimal=False), nullable=False),
    sa.Column('input_hash', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_score_line_person_id_person')),
    sa.ForeignKeyConstraint(['ruleset_version_id'], ['ruleset_version.id'], name=op.f('fk_score_line_ruleset_version_id_ruleset_version')),
    sa.ForeignKeyConstraint(['run_id'], ['score_run.id'], name=op.f('fk_score_line_run_id_score_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_line')),
    sa.UniqueConstraint('run_id', 'person_id', name=op.f('uq_score_line_run_id_person_id'))
    )
    with op.batch_alter_table('score_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_line_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_line_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('score_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_line_run_id'))
        batch_op.drop_index(batch_op.f('ix_score_line_person_id'))

    op.drop_table('score_line')
    with op.batch_alter_table('score_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_run_ruleset_version_id'))
        batch_op.drop_index(batch_op.f('ix_score_run_period_id'))

    op.drop_table('score_run')
    with op.batch_alter_table('ruleset_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ruleset_comment_ruleset_version_id'))

    op.drop_table('ruleset_comment')
    with op.batch_alter_table('ruleset_version', schema=None) as batch_op:
        batch_op.drop_index('ix_ruleset_version_one_published', sqlite_where=sa.text("status = 'published'"), postgresql_where=sa.text("status = 'published'"))
        batch_op.drop_index(batch_op.f('ix_ruleset_version_name'))

    op.drop_table('ruleset_version')
