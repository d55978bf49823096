"""docs/security.md's tables are the code's: the grants (``GRANTS``) and the audited actions
(``ACTIONS``)."""

from __future__ import annotations

from pathlib import Path

from kamscore.audit.log import ACTIONS
from kamscore.auth.roles import GRANTS, ROLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def _table_after(marker: str) -> list[list[str]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if marker in line) + 1
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows[2:]  # past the header and the rule


def test_the_grants_table_is_the_code():
    rows = _table_after("<!-- grants:")
    assert [row[0].strip("`") for row in rows] == list(GRANTS)
    for row in rows:
        grants = GRANTS[row[0].strip("`")]
        assert row[1:] == [grants.get(role, "—") for role in ROLES], row[0]


def test_the_actions_table_is_the_code():
    rows = _table_after("<!-- actions:")
    assert {row[0].strip("`"): row[1] for row in rows} == dict(ACTIONS)
