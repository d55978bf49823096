"""The CI script runs exactly the README's test command, as its last line."""

from __future__ import annotations

import re
from pathlib import Path


def _commands(readme: str) -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", readme, flags=re.S)


def test_readme_has_exactly_two_set_up_commands(repo_root: Path):
    commands = _commands((repo_root / "README.md").read_text())
    assert len(commands) == 2
    install_and_demo, test = commands
    assert install_and_demo.endswith("kamscore demo") and "\n" not in install_and_demo
    assert test.endswith("python -m pytest") and "\n" not in test


def test_ci_runs_the_readme_test_command_as_its_last_line(repo_root: Path):
    script = (repo_root / ".ci" / "run").read_text()
    lines = [line for line in script.splitlines() if line.strip()]
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines
    assert lines[-1] == _commands((repo_root / "README.md").read_text())[1]
    assert "rm -rf .venv" in lines  # a fresh virtual environment every time
