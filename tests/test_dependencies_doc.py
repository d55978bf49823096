"""docs/dependencies.md says why each dependency is there: every runtime dependency and every
package of an extra in pyproject.toml has a row (by its distribution name)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement.strip(), maxsplit=1)[0].lower()


def _documented() -> set[str]:
    text = (REPO / "docs" / "dependencies.md").read_text(encoding="utf-8")
    return {_name(row.split("|")[1]) for row in text.splitlines()
            if row.startswith("| ") and not row.startswith("| package") }


def test_every_dependency_has_a_row():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for requirements in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in requirements if not r.startswith("kamscore[")}
    missing = sorted(wanted - _documented())
    assert missing == [], f"add a row to docs/dependencies.md for: {missing}"


def test_the_check_reads_the_table():
    assert {"flask", "numpy", "flask-mailman", "redis", "psycopg"} <= _documented()
