"""Discovery and the start-up errors: each names the plugin and the cause."""

from __future__ import annotations

import textwrap

import pytest

from kamscore import create_app
from kamscore.plugin_host.manager import PluginError, build_plugin_manager

GOOD = '''
from kamscore import Metric, MetricResult, hookimpl

__version__ = "2.3"


class {cls}(Metric):
    name = "{name}"
    title = "{name}"
    kind = "quantitative"
    unit = "ratio"

    def compute(self, ctx, params):
        return MetricResult.from_arrays(ctx.kams.codes, [1.0] * len(ctx.kams))


@hookimpl
def kamscore_register_metrics():
    return [{cls}]
'''


def write(folder, name, source):
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


def metric_plugin(folder, module, metric, cls="M"):
    return write(folder, f"{module}.py", GOOD.format(cls=cls, name=metric))


def build(folder, **kwargs):
    return build_plugin_manager(plugins_dir=folder, bundled=False, entry_points=False, **kwargs)


def test_modules_and_packages_of_plugins_dir_are_plugins(tmp_path):
    metric_plugin(tmp_path, "alpha", "alpha_metric")
    (tmp_path / "beta").mkdir()
    metric_plugin(tmp_path / "beta", "__init__", "beta_metric")
    write(tmp_path, "_private.py", "raise RuntimeError('never imported')")
    write(tmp_path, "notes.txt", "not a plugin")
    pm = build(tmp_path)
    assert set(pm.metrics) == {"alpha_metric", "beta_metric"}
    assert pm.metrics["alpha_metric"].plugin == "alpha"
    assert pm.infos["alpha"].version.startswith("2.3+sha256:")
    assert pm.infos["alpha"].source == "plugins_dir"
    assert pm.infos["beta"].metrics == ("beta_metric",)
    assert "kamscore.facts.survey_results_from_facts" in pm.infos


def test_a_plugin_without_version_is_identified_by_its_content(tmp_path):
    path = metric_plugin(tmp_path, "alpha", "alpha_metric")
    path.write_text(path.read_text().replace('__version__ = "2.3"', ""))
    version = build(tmp_path).infos["alpha"].version
    assert version.startswith("sha256:") and len(version) == len("sha256:") + 12
    path.write_text(path.read_text() + "\n# changed\n")
    assert build(tmp_path).infos["alpha"].version != version


def test_a_changed_plugin_changes_its_version_even_with_the_same_version_number(tmp_path):
    path = metric_plugin(tmp_path, "alpha", "alpha_metric")
    first = build(tmp_path).infos["alpha"].version
    assert first.startswith("2.3+sha256:")
    path.write_text(path.read_text() + "\n# a changed formula, the same __version__\n")
    assert build(tmp_path).infos["alpha"].version != first
    # a package: any of its files counts
    (tmp_path / "beta").mkdir()
    metric_plugin(tmp_path / "beta", "__init__", "beta_metric")
    write(tmp_path / "beta", "helpers.py", "FACTOR = 1\n")
    before = build(tmp_path).infos["beta"].version
    write(tmp_path / "beta", "helpers.py", "FACTOR = 2\n")
    assert build(tmp_path).infos["beta"].version != before


def test_the_bundled_plugins_are_plugins_like_any_other(pm):
    info = pm.infos["sales_attainment"]
    assert info.source == "bundled"
    assert info.location.endswith("plugins/sales_attainment.py")
    assert pm.metrics["sales_attainment"].plugin == "sales_attainment"
    assert len(pm.metrics) == 17


def test_syntax_error_names_the_plugin_file_and_line(tmp_path):
    write(tmp_path, "broken.py", "from kamscore import hookimpl\n\ndef oops(:\n    pass\n")
    with pytest.raises(PluginError) as err:
        build(tmp_path)
    assert err.value.plugin == "broken"
    assert f"syntax error in {tmp_path / 'broken.py'}, line 3" in str(err.value)


def test_import_error_names_the_plugin_and_the_line(tmp_path):
    write(tmp_path, "needs.py", "import os\nimport kamscore_no_such_module\n")
    with pytest.raises(PluginError, match=r"plugin 'needs' .*ModuleNotFoundError.*line 2"):
        build(tmp_path)


def test_duplicate_metric_name_names_both_plugins(tmp_path):
    metric_plugin(tmp_path, "first", "shared_name")
    metric_plugin(tmp_path, "second", "shared_name")
    with pytest.raises(PluginError) as err:
        build(tmp_path)
    assert err.value.plugin == "second"
    assert "metric 'shared_name' is already provided by plugin 'first'" in str(err.value)


def test_a_plugin_cannot_take_a_built_in_metric_name(tmp_path):
    metric_plugin(tmp_path, "my_csat", "csat")
    with pytest.raises(PluginError, match=r"plugin 'my_csat'.*'csat' is already provided by "
                                          r"plugin 'csat'"):
        build_plugin_manager(plugins_dir=tmp_path, entry_points=False)


def test_two_plugins_with_the_same_name(tmp_path):
    metric_plugin(tmp_path, "csat", "other_csat")
    with pytest.raises(PluginError, match=r"plugin 'csat'.*two plugins have this name"):
        build_plugin_manager(plugins_dir=tmp_path, entry_points=False)


def test_unknown_hook_names_the_plugin_and_suggests_the_hook(tmp_path):
    write(tmp_path, "typo.py", """
        from kamscore import hookimpl

        @hookimpl
        def kamscore_register_metric():
            return []
    """)
    with pytest.raises(PluginError) as err:
        build(tmp_path)
    assert err.value.plugin == "typo"
    assert "'kamscore_register_metric' matches no hook specification" in str(err.value)
    assert "did you mean 'kamscore_register_metrics'?" in str(err.value)


def test_hook_arguments_the_spec_does_not_offer(tmp_path):
    write(tmp_path, "extra_arg.py", """
        from kamscore import hookimpl

        @hookimpl
        def kamscore_survey_results(session, period, campaign):
            return None
    """)
    with pytest.raises(PluginError, match=r"plugin 'extra_arg'.*\{'campaign'\}.*can not be "
                                          "found in the hookspec"):
        build(tmp_path)


def test_a_metric_class_that_breaks_the_contract(tmp_path):
    path = metric_plugin(tmp_path, "sloppy", "Sloppy-Name")
    path.write_text(path.read_text().replace('kind = "quantitative"', 'kind = "vibes"'))
    with pytest.raises(PluginError) as err:
        build(tmp_path)
    assert err.value.plugin == "sloppy"
    assert "name 'Sloppy-Name' must be lowercase" in str(err.value)
    assert "kind 'vibes' must be one of" in str(err.value)


def test_register_hook_that_raises(tmp_path):
    write(tmp_path, "moody.py", """
        from kamscore import hookimpl

        @hookimpl
        def kamscore_register_metrics():
            raise KeyError("config")
    """)
    with pytest.raises(PluginError, match=r"plugin 'moody'.*kamscore_register_metrics\(\) "
                                          "raised KeyError"):
        build(tmp_path)


def test_disabled_plugins_are_not_even_imported(tmp_path):
    write(tmp_path, "broken.py", "def oops(:\n")
    metric_plugin(tmp_path, "fine", "fine_metric")
    pm = build(tmp_path, disabled=["broken"])
    assert pm.infos["broken"].disabled
    assert "broken" not in pm.plugin_versions()
    assert set(pm.metrics) == {"fine_metric"}


def test_disabling_a_built_in_metric(pm):
    smaller = build_plugin_manager(entry_points=False, disabled=["nps"])
    assert "nps" not in smaller.metrics
    assert len(smaller.metrics) == len(pm.metrics) - 1


def test_disabling_a_plugin_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(PluginError, match=r"plugin 'nsp'.*DISABLED_PLUGINS names a plugin"):
        build(tmp_path, disabled=["nsp"])


def test_expression_functions(tmp_path):
    source = """
        import numpy as np
        from kamscore import hookimpl

        @hookimpl
        def kamscore_expression_functions():
            return {"{name}": np.round}
    """
    write(tmp_path, "rounding.py", source.replace("{name}", "round_half"))
    pm = build(tmp_path)
    assert pm.expression_functions["round_half"].plugin == "rounding"
    write(tmp_path, "rounding2.py", source.replace("{name}", "round_half"))
    with pytest.raises(PluginError, match=r"plugin 'rounding2'.*'round_half' is already "
                                          r"provided by plugin 'rounding'"):
        build(tmp_path)
    (tmp_path / "rounding2.py").unlink()
    write(tmp_path, "minimal.py", source.replace("{name}", "clip"))
    with pytest.raises(PluginError, match=r"plugin 'minimal'.*'clip' is a built-in"):
        build(tmp_path)
    (tmp_path / "minimal.py").unlink()
    write(tmp_path, "shouty.py", source.replace("{name}", "Round"))
    with pytest.raises(PluginError, match=r"plugin 'shouty'.*must be a lowercase identifier"):
        build(tmp_path)


def test_a_broken_plugin_stops_the_app_start_up(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    write(plugins, "broken.py", "def oops(:\n")
    config = {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite",
              "PLUGINS_DIR": str(plugins)}
    with pytest.raises(PluginError, match=r"plugin 'broken'.*syntax error"):
        create_app(config, instance_path=str(tmp_path / "instance"))
    app = create_app({**config, "DISABLED_PLUGINS": "broken"},  # as from the environment
                     instance_path=str(tmp_path / "instance"))
    assert app.extensions["kamscore.plugins"].infos["broken"].disabled


def test_plugins_dir_must_be_a_folder(tmp_path):
    with pytest.raises(PluginError, match=r"PLUGINS_DIR.*is not a folder"):
        build(tmp_path / "missing")
