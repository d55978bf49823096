"""A real, non-editable ``pip install .`` into a fresh virtual environment, used from another
directory: the console script, the migrations, the bundled plugins/surveys/rulesets, the
templates and static files must all come from the installed wheel.

The new environment borrows this one's dependencies (a ``.pth`` file naming this
environment's site-packages), the build backend included (hatchling, in the test extra), so
nothing is downloaded; kamscore itself is installed into it from the checkout with
``--no-deps --no-build-isolation``. One environment serves every test of the module.
"""

from __future__ import annotations

import json
import os
import site
import sqlite3
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

# one worker builds the module's environment once (see tests/conftest.py)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]

REPO = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KAMSCORE_", "PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("packaging")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root)
    python = venv / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                   cwd=root).stdout.strip()
    Path(purelib, "_test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
          "--no-deps", "--no-build-isolation", "--no-index", "--no-cache-dir", str(REPO)],
         cwd=root, timeout=600)
    return venv


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory) -> Path:
    """A working directory with no kamscore checkout anywhere above it."""
    return tmp_path_factory.mktemp("elsewhere")


def test_kamscore_is_installed_as_a_regular_package(venv, elsewhere):
    probe = _run([str(venv / "bin" / "python"), "-c", (
        "import json, kamscore\n"
        "from kamscore.content import bundled as resources\n"
        "print(json.dumps({'package': kamscore.__file__,\n"
        "  'location': str(resources.bundle_location()),\n"
        "  'dirs': {n: str(resources.bundled_dir(n)) for n in resources.BUNDLED_NAMES},\n"
        "  'rulesets': sorted(p.name for p in resources.bundled_files('rulesets')),\n"
        "  'surveys': sorted(p.name for p in resources.bundled_files('surveys')),\n"
        "}))")], cwd=elsewhere)
    found = json.loads(probe.stdout)
    package = Path(found["package"]).parent
    assert package.is_relative_to(venv) and not package.is_relative_to(REPO)
    assert found["location"] == "installed"
    for name, path in found["dirs"].items():
        assert Path(path) == package / "_bundled" / name
    shipped = sorted(p.name for p in (REPO / "rulesets").iterdir()
                     if p.is_file() and not p.name.startswith("."))
    assert found["rulesets"] == shipped
    assert found["surveys"] == sorted(p.name for p in (REPO / "surveys").iterdir()
                                      if p.is_file() and not p.name.startswith("."))
    assert (package / "web" / "templates" / "base.html").is_file()
    assert (package / "web" / "static" / "web" / "kamscore.css").is_file()
    assert (package / "db" / "migrations" / "versions" / "0001_foundation.py").is_file()


def test_built_in_metrics_are_registered_through_the_wheel_entry_points(venv, elsewhere):
    probe = _run([str(venv / "bin" / "python"), "-c", (
        "import json, kamscore\n"
        "from kamscore.plugin_host.discovery import discover_plugins\n"
        "from kamscore.plugin_host.manager import build_plugin_manager\n"
        "pm = build_plugin_manager()\n"
        "csat = pm.metrics['csat'].cls\n"
        "print(json.dumps({'package': kamscore.__file__,\n"
        "  'infos': {n: [i.source, i.entry_point, i.location] for n, i in pm.infos.items()},\n"
        "  'csat_file': __import__(csat.__module__, fromlist=['x']).__file__,\n"
        "  'found': [f.name for f in discover_plugins()],\n"
        "  'metrics': len(pm.metrics),\n"
        "}))")], cwd=elsewhere)
    found = json.loads(probe.stdout)
    package = Path(found["package"]).parent
    built_ins = sorted(p.stem for p in (REPO / "plugins").glob("*.py"))
    for name in built_ins:
        module = f"kamscore._bundled.plugins.{name}"
        assert found["infos"][name] == [
            "bundled", module, f"distribution kamscore 0.1.0, entry point {module}"]
    assert Path(found["csat_file"]) == package / "_bundled" / "plugins" / "csat.py"
    assert sorted(found["found"]) == sorted(set(found["found"]))  # each plugin once
    assert found["metrics"] == len(built_ins) == 17


def test_the_sdist_has_the_top_level_folders_and_its_wheel_the_same_content(tmp_path):
    """The links kamscore/_bundled/<name> stay out of the sdist, which has the real folders,
    and a wheel built from the sdist holds what a wheel built from the checkout holds."""
    build = ("import sys, hatchling.build as b; "
             "print(getattr(b, sys.argv[1])(sys.argv[2]))")
    sdist = _run([sys.executable, "-c", build, "build_sdist", str(tmp_path)], cwd=REPO)
    archive = tmp_path / sdist.stdout.strip()
    with tarfile.open(archive) as tar:
        names = [name.split("/", 1)[1] for name in tar.getnames()]
        tar.extractall(tmp_path / "unpacked", filter="data")
    for folder in ("plugins", "surveys", "rulesets"):
        assert f"{folder}/.keep" in names
        assert not any(n.startswith(f"kamscore/_bundled/{folder}") for n in names)
    assert "plugins/csat.py" in names and "kamscore/_bundled/__init__.py" in names

    def wheel_files(source: Path, out: Path) -> list[str]:
        wheel = _run([sys.executable, "-c", build, "build_wheel", str(out)], cwd=source)
        with zipfile.ZipFile(out / wheel.stdout.strip()) as zf:
            return sorted(n for n in zf.namelist() if ".dist-info/" not in n)

    from_sdist = wheel_files(tmp_path / "unpacked" / archive.name.removesuffix(".tar.gz"),
                             tmp_path / "from_sdist")
    from_checkout = wheel_files(REPO, tmp_path / "from_checkout")
    assert from_sdist == from_checkout
    assert "kamscore/_bundled/plugins/csat.py" in from_checkout
    assert "kamscore/_bundled/rulesets/standard.yaml" in from_checkout


def test_kamscore_demo_no_serve_works_from_another_directory(venv, elsewhere):
    result = _run([str(venv / "bin" / "kamscore"), "demo", "--no-serve", "--size", "0.1",
                   "--year", "2025"], cwd=elsewhere)
    assert "Built the demo" in result.stdout and "(4 KAMs)" in result.stdout
    # Flask's instance folder of an installed package: <prefix>/var/kamscore-instance
    instance = venv / "var" / "kamscore-instance"
    database = instance / "kamscore.sqlite"
    assert database.is_file() and (instance / "secret_key").is_file()
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM person WHERE role = 'kam'").fetchone() == (4,)
        assert conn.execute("SELECT count(*) FROM account").fetchone() == (30,)
        assert conn.execute("SELECT count(*) FROM fact").fetchone()[0] > 2000
        # the bundled rulesets were found in the wheel, published and run
        assert conn.execute("SELECT count(*) FROM ruleset_version WHERE status = 'published'"
                            ).fetchone() == (3,)
        assert conn.execute("SELECT ruleset_name, kam_count FROM score_run").fetchall() == [
            ("standard", 4)]
    assert list(elsewhere.iterdir()) == []  # nothing written into the working directory

    # the installed app serves its pages and style sheet from the wheel
    pages = _run([str(venv / "bin" / "python"), "-c", (
        "from kamscore import create_app\n"
        "app = create_app()\n"
        "c = app.test_client()\n"
        "print(c.get('/').status_code, c.get('/static/web/kamscore.css').status_code,\n"
        "      c.get('/health').json['status'])\n"
        "print(c.get('/').get_data(as_text=True))")], cwd=elsewhere)
    assert pages.stdout.startswith("200 200 ok")
    assert 'stats__number">4</span> KAMs' in pages.stdout
