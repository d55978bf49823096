"""The built-in metrics are entry points of kamscore's distribution, registered like any
installed plugin; a module dropped into ``plugins/`` or ``PLUGINS_DIR`` is still found without
one, and nothing is registered twice.

This environment is an editable install (``pip install -e '.[test]'``); a checkout that was
never installed is reproduced in a subprocess, and a regular wheel install is
``tests/test_packaging.py``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
import uuid
from pathlib import Path

import pytest

from kamscore.plugin_host.discovery import discover_plugins, entry_point_plugins
from kamscore.plugin_host.manager import PluginError, build_plugin_manager

METRIC = '''
from kamscore import Metric, MetricResult, hookimpl


class Dropped(Metric):
    name = "{metric}"
    title = "{metric}"
    kind = "quantitative"
    unit = "ratio"

    def compute(self, ctx, params):
        return MetricResult.from_arrays(ctx.kams.codes, [1.0] * len(ctx.kams))


@hookimpl
def kamscore_register_metrics():
    return [Dropped]
'''


def _plugin_modules(folder: Path) -> set[str]:
    """The plugin names the folder scan sees in a folder: modules and packages, no ``_``."""
    return {
        path.stem if path.is_file() else path.name
        for path in folder.iterdir()
        if not path.name.startswith(("_", "."))
        and ((path.is_file() and path.suffix == ".py") or (path / "__init__.py").is_file())
    }


def _declared(repo_root: Path) -> dict[str, str]:
    with (repo_root / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["entry-points"]["kamscore"]


def test_every_module_of_plugins_has_an_entry_point_and_back(repo_root: Path):
    declared = _declared(repo_root)
    assert _plugin_modules(repo_root / "plugins") == set(declared)
    assert declared == {name: f"kamscore._bundled.plugins.{name}" for name in declared}


def test_the_installed_metadata_declares_the_same_entry_points(repo_root: Path):
    installed = {ep.name: ep.value
                 for ep in importlib.metadata.distribution("kamscore").entry_points
                 if ep.group == "kamscore"}
    assert installed == _declared(repo_root), (
        "the installed kamscore's entry points differ from pyproject.toml: run "
        "`pip install -e .` again")


def test_entry_points_import_the_files_of_plugins(repo_root: Path):
    for name, value in _declared(repo_root).items():
        module = importlib.import_module(value)
        assert Path(module.__file__).resolve() == repo_root / "plugins" / f"{name}.py"


def test_built_ins_are_registered_through_their_entry_points(repo_root: Path):
    pm = build_plugin_manager()
    declared = _declared(repo_root)
    for name, value in declared.items():
        info = pm.infos[name]
        assert info.source == "bundled"  # where it comes from: kamscore itself
        assert info.entry_point == value  # how it was found
        assert info.location == f"distribution kamscore 0.1.0, entry point {value}"
        assert info.version.startswith("0.1.0+sha256:")  # kamscore's, and the code's hash
    assert pm.metrics["csat"].cls.__module__ == "kamscore._bundled.plugins.csat"
    assert len(pm.metrics) == 17
    # each built-in found once: by its entry point, not again by the folder scan
    found = [item.name for item in discover_plugins()]
    assert sorted(found) == sorted(set(found))
    assert {item.name for item in discover_plugins() if item.entry_point} >= set(declared)


def test_a_module_dropped_into_plugins_is_found_without_an_entry_point(
        repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # The bundled folder is the repository's plugins/ ...
    from kamscore.content import bundled

    assert bundled.bundled_dir("plugins").resolve() == (repo_root / "plugins").resolve()
    # ... and a module dropped there is found. Dropped into a folder standing in for it, not
    # the real one: tests in other workers build plugin managers from that at the same time
    # (the built-ins come by their entry points either way).
    folder = tmp_path / "plugins"
    folder.mkdir()
    real = bundled.bundled_dir
    monkeypatch.setattr(bundled, "bundled_dir",
                        lambda name: folder if name == "plugins" else real(name))
    name = f"zz_dropped_{uuid.uuid4().hex[:8]}"
    path = folder / f"{name}.py"
    path.write_text(METRIC.format(metric=name))
    pm = build_plugin_manager()
    info = pm.infos[name]
    assert (info.source, info.location, info.entry_point) == ("bundled", str(path), None)
    assert pm.metrics[name].plugin == name
    assert pm.infos["csat"].entry_point == "kamscore._bundled.plugins.csat"
    assert len(pm.metrics) == 18


def _distribution(site: Path, dist: str, entry_points: dict[str, str]) -> None:
    """An installed distribution as pip leaves it: a ``.dist-info`` folder on ``sys.path``."""
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[kamscore]\n{lines}")


def test_a_plugins_dir_module_an_entry_point_names_is_registered_once(tmp_path, monkeypatch):
    module = f"kamscore_test_extra_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(METRIC.format(metric="extra_metric"))
    _distribution(tmp_path, "kamscore-test-extra", {"extra": module})
    monkeypatch.syspath_prepend(str(tmp_path))

    pm = build_plugin_manager(plugins_dir=tmp_path)  # the same file, by both ways

    assert module not in pm.infos
    info = pm.infos["extra"]
    assert (info.source, info.entry_point) == ("entry_point", module)
    assert info.location == f"distribution kamscore-test-extra 1.0, entry point {module}"
    assert pm.metrics["extra_metric"].plugin == "extra"
    assert pm.infos["csat"].source == "bundled"


def test_a_plugin_named_like_a_built_in_is_refused_as_for_any_entry_point(tmp_path,
                                                                          monkeypatch):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "csat.py").write_text(METRIC.format(metric="my_csat"))
    with pytest.raises(PluginError, match=r"plugin 'csat' .*two plugins have this name: "
                       + re.escape(f"{folder / 'csat.py'} and distribution kamscore 0.1.0, "
                                   "entry point kamscore._bundled.plugins.csat")):
        build_plugin_manager(plugins_dir=folder)

    site = tmp_path / "site"
    _distribution(site, "kamscore-test-nps", {"nps": "kamscore_test_nps_never_imported"})
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(PluginError, match=r"plugin 'nps' .*two plugins have this name: ") as err:
        build_plugin_manager()
    both = err.value.cause.removeprefix("two plugins have this name: ").split(" and ")
    assert sorted(both) == [
        "distribution kamscore 0.1.0, entry point kamscore._bundled.plugins.nps",
        "distribution kamscore-test-nps 1.0, entry point kamscore_test_nps_never_imported",
    ]


def test_bundled_false_leaves_out_the_built_in_entry_points():
    names = {item.name for item in entry_point_plugins(builtins=False)}
    assert "csat" not in names
    assert "csat" not in build_plugin_manager(bundled=False).infos


def _run(code: str, cwd: Path, python_args: tuple[str, ...] = ()) -> dict:
    done = subprocess.run([sys.executable, *python_args, "-c", textwrap.dedent(code)],
                          cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
                          env={k: v for k, v in os.environ.items()
                               if not k.startswith(("KAMSCORE_", "PYTHON"))})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_disabled_built_in_is_not_imported(tmp_path):
    found = _run("""
        import json, sys
        from kamscore.plugin_host.manager import build_plugin_manager
        pm = build_plugin_manager(disabled=["nps"])
        imported = sorted(m for m in sys.modules if m.endswith((".nps", ".csat")))
        print(json.dumps({"disabled": pm.infos["nps"].disabled, "imported": imported}))
    """, cwd=tmp_path)
    assert found == {"disabled": True, "imported": ["kamscore._bundled.plugins.csat"]}


def test_a_checkout_never_installed_finds_the_built_ins_in_plugins(repo_root, tmp_path):
    """No distribution metadata, so no entry points: the folder scan finds the built-ins."""
    site_packages = Path(sysconfig.get_paths()["purelib"])
    deps = tmp_path / "deps"  # this environment's packages, kamscore's install left out
    deps.mkdir()
    for entry in site_packages.iterdir():
        if not entry.name.startswith(("kamscore", "_editable_impl_kamscore")):
            (deps / entry.name).symlink_to(entry)
    found = _run(f"""
        import json, sys
        sys.path[:0] = [{str(repo_root)!r}, {str(deps)!r}]
        import importlib.metadata
        from kamscore.content.bundled import bundle_location
        from kamscore.plugin_host.manager import build_plugin_manager
        pm = build_plugin_manager()
        csat = pm.infos["csat"]
        print(json.dumps({{
            "kamscore_installed": [d.name for d in importlib.metadata.distributions()
                                   if d.name == "kamscore"],
            "location": str(bundle_location()),
            "csat": [csat.source, csat.location, csat.entry_point],
            "metrics": len(pm.metrics),
        }}))
    """, cwd=tmp_path, python_args=("-I", "-S"))
    assert found == {
        "kamscore_installed": [],
        "location": "checkout",
        "csat": ["bundled", str(repo_root / "plugins" / "csat.py"), None],
        "metrics": 17,
    }
