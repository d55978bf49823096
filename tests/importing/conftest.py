"""Fixtures of the import tests: run an import in its own transaction, the example files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from kamscore.db.session import get_db
from kamscore.importing import ImportRejected, import_csv, import_kinds
from kamscore.models import Period, PeriodStatus


@pytest.fixture
def db(app):
    return get_db(app)


@pytest.fixture
def run_import(db):
    """run_import(kind, csv_text_or_bytes, filename=..., dry_run=...) → ImportReport (committed)."""

    def run(kind: str, data: str | bytes, *, filename: str | None = None, dry_run: bool = False):
        raw = data.encode() if isinstance(data, str) else data
        with db.session() as session:
            return import_csv(
                session, kind, raw, filename=filename or f"{kind}.csv", dry_run=dry_run
            )

    return run


@pytest.fixture
def rejected(run_import):
    """rejected(kind, csv) → {(line, column): message}; fails unless the file is refused."""

    def run(kind: str, data: str | bytes, **kwargs) -> dict[tuple[int, str], str]:
        with pytest.raises(ImportRejected) as info:
            run_import(kind, data, **kwargs)
        return {(e.line, e.column): e.message for e in info.value.errors}

    return run


@pytest.fixture
def examples() -> Path:
    return Path(__file__).resolve().parents[2] / "examples" / "import"


@pytest.fixture
def org(run_import, examples):
    """The example organisation, every kind imported in order; returns the reports."""
    return {
        kind: run_import(kind, (examples / f"{kind}.csv").read_bytes()) for kind in import_kinds()
    }


@pytest.fixture
def count(db):
    def run(model) -> int:
        with db.session() as session:
            return session.scalar(select(func.count()).select_from(model))

    return run


@pytest.fixture
def close_period(db):
    def run(code: str) -> None:
        with db.session() as session:
            session.execute(
                update(Period).where(Period.code == code).values(status=PeriodStatus.CLOSED)
            )

    return run
