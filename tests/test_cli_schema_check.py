"""Every command on a database without kamscore's schema, or with a schema behind the code,
says to run ``kamscore db upgrade`` instead of printing a traceback; nothing is written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from kamscore.cli import main
from kamscore.db.migrate import head_revision, upgrade


@pytest.fixture
def invoke(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/kamscore.sqlite"
    monkeypatch.setenv("KAMSCORE_DATABASE_URL", url)
    monkeypatch.setenv("KAMSCORE_INSTANCE_PATH", str(tmp_path / "instance"))
    facts = tmp_path / "periods.csv"
    facts.write_text("code\n2026-Q1\n")

    def run(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, [a.replace("FILE", str(facts)) for a in args])

    run.url = url  # type: ignore[attr-defined]
    return run


@pytest.mark.parametrize("args", [("import", "periods", "FILE"), ("user", "list"),
                                  ("period", "list")])
def test_an_empty_database_asks_for_db_upgrade(invoke, args):
    result = invoke(*args)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: The database schema is at revision none (empty database) but this kamscore "
        f"needs {head_revision()}: run `kamscore db upgrade`.")
    assert "Traceback" not in result.output
    assert "period" not in inspect(create_engine(invoke.url)).get_table_names()


def test_a_schema_behind_the_code_asks_for_db_upgrade_then_works(invoke):
    upgrade(invoke.url, "0010")
    result = invoke("import", "periods", "FILE")
    assert result.exit_code == 1
    assert "is at revision 0010 but this kamscore needs" in result.output
    assert "run `kamscore db upgrade`" in result.output
    assert invoke("db", "upgrade").exit_code == 0
    imported = invoke("import", "periods", "FILE")
    assert imported.exit_code == 0, imported.output
    assert "1 created" in imported.output
