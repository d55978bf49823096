"""The one direction of imports: the import-linter contracts in pyproject.toml hold (layers,
a pure engine and metric contract, services that know no Flask request), and a module that
imports a higher layer breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]



def _lint_imports_command() -> list[str]:
    return [sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
            "lint_imports_command()"]


def test_the_contracts_hold():
    result = subprocess.run([*_lint_imports_command(), "--no-cache"], cwd=REPO,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_an_import_from_a_lower_layer_into_a_higher_one_breaks_them(tmp_path):
    copy = tmp_path / "checkout"
    copy.mkdir()
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    shutil.copytree(REPO / "kamscore", copy / "kamscore", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    models = copy / "kamscore" / "models" / "base.py"
    models.write_text(models.read_text() + "\nimport kamscore.scoring.runs  # noqa\n")
    result = subprocess.run([*_lint_imports_command(), "--no-cache"], cwd=copy,
                            env={**os.environ, "PYTHONPATH": str(copy)},
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "kamscore.models is not allowed to import kamscore.scoring" in result.stdout
