"""The migration chain against the models, on every backend.

Written generically so that it keeps checking every revision the capabilities add: the chain
must have one head, go up from an empty database and down to nothing again, and leave a schema
that Alembic's autogenerate finds identical to the models.
"""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, make_url, text

from kamscore.db.migrate import (
    NOT_ON_DIALECTS,
    alembic_config,
    downgrade,
    head_revision,
    include_object_for,
    upgrade,
)
from kamscore.db.session import make_engine
from kamscore.models import Base
from kamscore.models import base as models_base


def _migration_script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


@pytest.fixture
def empty_url(backend, request, tmp_path):
    """A database with no tables at all (not the session's migrated one), on ``backend``."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    server = make_url(request.config._kamscore_pg_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"kamscore_mig_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_object": include_object_for(conn.dialect.name)})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_single_head_and_linear_chain():
    script = _migration_script()
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None  # one base
    for revision in revisions:
        assert not revision.is_merge_point, f"{revision.revision} is a merge"
    assert head_revision() == script.get_current_head()


def test_upgrade_from_empty_matches_the_models(empty_url):
    upgrade(empty_url)
    assert _tables(empty_url) == set(Base.metadata.tables)
    differences = _differences(empty_url)
    assert differences == [], "migrations and models differ:\n" + "\n".join(map(str, differences))


def test_downgrade_to_base_and_up_again(empty_url):
    upgrade(empty_url)
    downgrade(empty_url, "base")
    assert _tables(empty_url) == set()
    upgrade(empty_url)
    assert _differences(empty_url) == []


def test_every_revision_steps_down_and_up(empty_url):
    """Each revision's downgrade undoes exactly its upgrade (checked one step at a time)."""
    upgrade(empty_url)
    revisions = [r.revision for r in _migration_script().walk_revisions()]  # head first
    for revision in revisions:
        downgrade(empty_url, "-1")
        upgrade(empty_url, revision)
        downgrade(empty_url, "-1")
    assert _tables(empty_url) == set()
    upgrade(empty_url)
    assert _differences(empty_url) == []


def test_constraints_left_out_of_a_dialect_are_named_by_one_key():
    """The models mark them with the key the comparison reads (SurveyAggregate's foreign
    key and Fact's five: not on PostgreSQL, where the triggers of migrations 0023 and 0024
    do their work)."""
    assert NOT_ON_DIALECTS == models_base.NOT_ON_DIALECTS
    marked = [c for t in Base.metadata.tables.values() for c in t.constraints
              if NOT_ON_DIALECTS in c.info]
    assert sorted((c.table.name, c.name, c.info[NOT_ON_DIALECTS]) for c in marked) == [
        ("fact", f"fk_fact_{parent}_id_{parent}", ("postgresql",))
        for parent in ("account", "period", "person", "product", "team")] + [
        ("survey_aggregate", "fk_survey_aggregate_campaign_id_survey_campaign",
         ("postgresql",))]
