"""The example plugin package, pip-installed into a fresh virtual environment, is discovered
through its entry point and its metric computed — without any change to kamscore — exactly
like the built-in metrics, which are entry points of kamscore's own distribution."""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent('''
    import datetime as dt, json, pathlib, tempfile
    from kamscore.metrics.assemble import AccountRow, AssignmentRow, PersonRow, PlanRow
    from kamscore.metrics.assemble import assemble_context
    from kamscore.metrics.compute import compute_metrics
    from kamscore.metrics.context import PeriodInfo
    from kamscore.plugin_host.discovery import entry_point_plugins
    from kamscore.plugin_host.manager import PluginError, build_plugin_manager

    pm = build_plugin_manager()
    # the built-in csat and the installed plan_coverage: found and checked the same way
    found = {f.name: [f.source, f.entry_point] for f in entry_point_plugins()
             if f.name in ("csat", "plan_coverage")}
    clashes = {}
    for name in found:
        with tempfile.TemporaryDirectory() as folder:
            pathlib.Path(folder, f"{name}.py").write_text("")
            try:
                build_plugin_manager(plugins_dir=folder)
            except PluginError as exc:
                clashes[name] = exc.cause.replace(folder, "<PLUGINS_DIR>")
    info = pm.infos["plan_coverage"]
    start = dt.date(2025, 1, 1)
    ctx = assemble_context(
        PeriodInfo("2026-Q1", "quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        people=[PersonRow("K1", "Kay", "kam"), PersonRow("K2", "Bea", "kam")],
        accounts=[AccountRow(c) for c in ("A1", "A2", "A3", "A4")],
        assignments=[AssignmentRow("K1", a, start) for a in ("A1", "A2", "A3", "A4")]
        + [AssignmentRow("K2", "A1", start)],
        plans=[PlanRow("A1", "K1"), PlanRow("A2", "K1"), PlanRow("A3", "K1")],
    )
    out = compute_metrics(pm, ctx, [("plan_coverage", {}), ("plan_coverage", {"min_accounts": 2})])
    print(json.dumps({
        "source": info.source, "version": info.version, "location": info.location,
        "found": found, "clashes": clashes,
        "infos": {n: [pm.infos[n].source, pm.infos[n].entry_point] for n in found},
        "built_in_metrics": len(pm.metrics) - 1,
        "values": [None if v != v else v for v in out["plan_coverage"].values.tolist()],
        "strict": [None if v != v else v
                   for v in out['plan_coverage{"min_accounts":2}'].values.tolist()],
    }))
''')


@pytest.mark.slow
def test_installed_example_is_discovered_and_computed(tmp_path, repo_root, pm):
    # Build from a copy so that setuptools' build files stay out of the checkout.
    source = tmp_path / "src"
    shutil.copytree(repo_root / "examples" / "kamscore-example-plugin", source)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
                    str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The new environment sees kamscore and its dependencies from this one.
    target = Path(subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    (target / "kamscore_parent_env.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in site.getsitepackages()))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-build-isolation", "--no-index", "--quiet", str(source)],
                   check=True, timeout=300)

    done = subprocess.run([python, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["source"] == "entry_point"
    assert result["version"].startswith("1.0.0+sha256:")  # with the hash of its code
    assert "distribution kamscore-example-plugin 1.0.0" in result["location"]
    # a built-in is an entry point too, found by the same function, registered by the same
    # function (its source says it is kamscore's own), and refused the same way when a
    # second plugin takes its name
    assert result["found"] == result["infos"] == {
        "csat": ["bundled", "kamscore._bundled.plugins.csat"],
        "plan_coverage": ["entry_point", "kamscore_example_plugin"],
    }
    assert result["clashes"] == {
        name: f"two plugins have this name: <PLUGINS_DIR>/{name}.py and distribution {dist}, "
              f"entry point {module}"
        for name, dist, module in [
            ("csat", "kamscore 0.1.0", "kamscore._bundled.plugins.csat"),
            ("plan_coverage", "kamscore-example-plugin 1.0.0", "kamscore_example_plugin"),
        ]
    }
    assert result["built_in_metrics"] == len(pm.metrics)
    # K1: 3 of his 4 accounts have a plan = 0.75; K2: his one account has no plan of his = 0.0
    assert result["values"] == [0.75, 0.0]
    # with at least two accounts required, K2 (one account) has no data
    assert result["strict"] == [0.75, None]
    # ... while this environment, where it is not installed, knows nothing of it
    assert "plan_coverage" not in pm.metrics
