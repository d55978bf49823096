"""Finding plugins/, surveys/ and rulesets/ from a checkout and from an installed layout.

The installed layout is reproduced here without pip (a copy of the package with real folders
in ``_bundled`` on PYTHONPATH, run from another directory) so that the lookup logic is
tested in a second; ``test_packaging.py`` does the real ``pip install .``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kamscore.content import bundled as resources


def test_checkout_folders_are_found(repo_root: Path):
    assert resources.bundle_location() is resources.BundleLocation.CHECKOUT
    assert resources.checkout_root() == repo_root
    for name in resources.BUNDLED_NAMES:
        assert resources.bundled_dir(name) == repo_root / name


def test_unknown_folder_is_refused():
    with pytest.raises(ValueError, match="unknown bundled folder 'templates'"):
        resources.bundled_dir("templates")


def test_bundled_files_skip_hidden_files_and_sort(repo_root: Path):
    files = resources.bundled_files("rulesets")
    assert all(not f.name.startswith(".") for f in files)
    assert files == sorted(files)
    assert all(f.parent == repo_root / "rulesets" for f in files)


_PROBE = """
import json
from kamscore.content import bundled as resources
print(json.dumps({
    "location": str(resources.bundle_location()),
    "dirs": {n: str(resources.bundled_dir(n)) for n in resources.BUNDLED_NAMES},
    "files": [p.name for p in resources.bundled_files("rulesets", "*.yaml")],
}))
"""


def _probe(pythonpath: Path, cwd: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(pythonpath)!r})\n"
         + _PROBE],
        cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _copy_package_without_content(repo_root: Path, site: Path) -> None:
    """A copy of the ``kamscore`` package without the checkout's links to the bundled
    folders (``kamscore/_bundled/<name>``), which a copy would follow."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = {"__pycache__"}
        if Path(folder).name == "_bundled":
            skip.update(resources.BUNDLED_NAMES)
        return skip.intersection(names)

    shutil.copytree(repo_root / "kamscore", site / "kamscore", ignore=ignore)


def test_installed_layout_is_found_from_another_directory(repo_root: Path, tmp_path: Path):
    site = tmp_path / "site-packages"
    _copy_package_without_content(repo_root, site)
    for name in resources.BUNDLED_NAMES:
        (site / "kamscore" / "_bundled" / name).mkdir(parents=True)
    (site / "kamscore" / "_bundled" / "rulesets" / "plan.yaml").write_text("name: plan\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    found = _probe(site, elsewhere)

    assert found["location"] == "installed"
    for name in resources.BUNDLED_NAMES:
        assert found["dirs"][name] == str(site / "kamscore" / "_bundled" / name)
    assert found["files"] == ["plan.yaml"]


def test_package_without_content_says_how_to_fix(repo_root: Path, tmp_path: Path):
    site = tmp_path / "site-packages"
    _copy_package_without_content(repo_root, site)
    result = subprocess.run(
        [sys.executable, "-I", "-c",
         f"import sys; sys.path.insert(0, {str(site)!r})\n"
         "from kamscore.content import bundled; bundled.bundled_dir('plugins')"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "bundled content is missing" in result.stderr
    assert "reinstall kamscore" in result.stderr
