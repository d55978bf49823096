"""docs/plugins.md stays true: every hook is in the reference, every built-in metric in the
table, and the guide's example plugin and test run as written."""

from __future__ import annotations

import re

import pytest

from kamscore import hookspecs
from kamscore.hookspecs import PROJECT


@pytest.fixture(scope="module")
def guide(repo_root_path):
    return (repo_root_path / "docs" / "plugins.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def repo_root_path():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]


def hook_names() -> list[str]:
    return sorted(name for name, obj in vars(hookspecs).items()
                  if callable(obj) and hasattr(obj, f"{PROJECT}_spec"))


def test_every_hook_is_in_the_reference(guide):
    assert len(hook_names()) >= 4
    documented = set(re.findall(r"^### (\w+)$", guide, flags=re.MULTILINE))
    missing = [name for name in hook_names() if name not in documented]
    assert not missing, f"hooks missing from docs/plugins.md's hook reference: {missing}"


def test_every_built_in_metric_is_in_the_table(guide, pm):
    rows = dict(re.findall(r"^\| `(\w+)` \| (\w+) \|", guide, flags=re.MULTILINE))
    for name, metric in pm.metrics.items():
        assert rows.get(name) == metric.kind, f"{name} missing or wrong in the metrics table"


def test_the_guides_example_runs_as_written(guide, tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", guide, flags=re.DOTALL)
    plugin, usage = blocks[0], blocks[1]
    (tmp_path / "launch_uptake.py").write_text(plugin)
    exec(compile(usage.replace("/srv/kamscore/plugins", str(tmp_path)), "plugins.md", "exec"),
         {})
