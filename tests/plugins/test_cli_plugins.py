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
    assert lines[-1].endswith("17 metrics")


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
