"""``kamscore plugins``: lists plugins, versions and metrics; a broken plugin is a clear error."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_lists_plugins_and_their_metrics(runner):
    result = runner.invoke(args=["plugins"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(line for line in lines if line.startswith("sales_attainment "))
    assert "0.1.0" in header and "bundled" in header
    metric = lines[lines.index(header) + 1].split()
    assert metric[:4] == ["sales_attainment", "quantitative", "ratio", "higher"]
    assert any(line.split()[:4] == ["revenue_to_profit", "quantitative", "ratio", "lower"]
               for line in lines)
    assert "kamscore.facts.survey_results_from_facts" in result.output
    assert lines[-2].endswith("17 metrics")
    # said plainly: a plugin added or changed is picked up only by a restart
    assert lines[-1].startswith("Plugins are loaded when kamscore starts: after adding, "
                                "changing or removing a plugin, restart")


def test_json_output(runner):
    result = runner.invoke(args=["plugins", "--json"])
    plugins = {p["name"]: p for p in json.loads(result.output)}
    csat = plugins["csat"]["metrics"][0]
    assert csat["kind"] == "qualitative" and csat["unit"] == "share"
    assert "min_responses" in csat["params"]


def test_a_broken_plugin_is_named_without_a_traceback(tmp_path):
    (tmp_path / "broken.py").write_text("x = (\n")
    env = {**os.environ, "KAMSCORE_PLUGINS_DIR": str(tmp_path),
           "KAMSCORE_INSTANCE_PATH": str(tmp_path / "instance"),
           "KAMSCORE_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"}
    done = subprocess.run([sys.executable, "-c", "from kamscore.cli import main; main()",
                           "plugins"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert f"Error: plugin 'broken' ({tmp_path / 'broken.py'}): syntax error in" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_plugin_guide_says_a_restart_is_needed(repo_root):
    guide = (repo_root / "docs" / "plugins.md").read_text()
    assert "**Restart after adding or changing a plugin.**" in guide
    assert "is *not* picked\nup" in guide


def test_a_plugin_changed_after_start_up_is_not_picked_up_until_a_restart(tmp_path):
    """What the guide and ``kamscore plugins`` say: the manager built at start-up keeps the
    code and the version it loaded; a new build (a restart) sees the change."""
    from kamscore.plugin_host.manager import build_plugin_manager

    plugin = tmp_path / "alpha.py"
    plugin.write_text("from kamscore import hookimpl\n")
    running = build_plugin_manager(plugins_dir=tmp_path, bundled=False, entry_points=False)
    loaded = running.infos["alpha"].version
    plugin.write_text("from kamscore import hookimpl\n# changed\n")
    (tmp_path / "beta.py").write_text("from kamscore import hookimpl\n")
    assert running.infos["alpha"].version == loaded and "beta" not in running.infos
    restarted = build_plugin_manager(plugins_dir=tmp_path, bundled=False, entry_points=False)
    assert restarted.infos["alpha"].version != loaded and "beta" in restarted.infos
