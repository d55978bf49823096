"""Alembic migrations, driven from code (``kamscore db upgrade``) rather than alembic.ini, so
they work the same from a checkout and from an installed wheel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: The key of a constraint's ``info`` naming the dialects whose schema leaves it out
#: (``kamscore.models.base.NOT_ON_DIALECTS``; ``kamscore.db`` does not import the models).
NOT_ON_DIALECTS = "not_on_dialects"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def include_object_for(dialect: str) -> Callable[..., bool]:
    """Alembic's ``include_object`` for a database of ``dialect``: a model's constraint whose
    ``info`` names the dialect under ``NOT_ON_DIALECTS`` is not compared there."""

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                       compare_to: Any) -> bool:
        return reflected or dialect not in getattr(obj, "info", {}).get(NOT_ON_DIALECTS, ())

    return include_object


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    heads = script.get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads: {heads}; merge them")
    return heads[0]


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def message(self) -> str:
        return (
            f"The database schema is at revision {self.current or 'none (empty database)'} "
            f"but this kamscore needs {self.head}: run `kamscore db upgrade`."
        )


def schema_status(engine: Engine) -> SchemaStatus:
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return SchemaStatus(current=current, head=head_revision())
