"""Declared facts (kamscore.metrics.needs): a metric sees only the facts it declares, an
undeclared metric sees every fact, and a bad declaration is refused at start-up."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from metric_ctx import accounts, assigned, context, fact, kams, plugin_manager_of

from kamscore.metrics.compute import compute_metrics
from kamscore.metrics.contract import check_metric_class
from kamscore.metrics.needs import FactNeeds, UndeclaredFactError
from kamscore.plugin_host.manager import PluginError, build_plugin_manager

PLUGIN = '''
import numpy as np
from kamscore import FactNeeds, Metric, MetricResult, hookimpl


def metric(metric_name, fact_name, declared):
    class M(Metric):
        name = metric_name
        title = metric_name
        kind = "quantitative"
        unit = "currency"
        facts = declared

        def compute(self, ctx, params):
            totals = ctx.credit(ctx.facts.account_totals(fact_name)).total
            return MetricResult.from_arrays(ctx.kams.codes, totals)

    return M


class ByParams(Metric):
    name = "by_params"
    title = "reads the fact its parameters name"
    kind = "quantitative"
    unit = "currency"

    @classmethod
    def fact_needs(cls, params):
        return FactNeeds.of(["sales"], ["sales"])

    def compute(self, ctx, params):
        now = ctx.credit(ctx.facts.account_totals("sales")).total
        before = ctx.credit(ctx.previous_facts.account_totals("sales")).total
        return MetricResult.from_arrays(ctx.kams.codes, now - np.nan_to_num(before))


@hookimpl
def kamscore_register_metrics():
    return [metric("declared", "sales", ("sales",)),
            metric("forgot", "costs", ("sales",)),
            metric("undeclared", "costs", None),
            ByParams]
'''


@pytest.fixture(scope="module")
def pm(tmp_path_factory):
    return plugin_manager_of(tmp_path_factory.mktemp("plugins"), "reads_facts", PLUGIN)


@pytest.fixture
def ctx():
    return context(
        people=kams("K1"),
        account_rows=accounts("A1"),
        assignments=[assigned("K1", "A1")],
        facts=[fact("sales", 100.0, account="A1"), fact("costs", 40.0, account="A1")],
        previous_facts=[fact("sales", 80.0, account="A1")],
    )


def test_needs_union_and_cover():
    a = FactNeeds.of(["net_sales"], [])
    b = FactNeeds.of(["sales_target", "net_sales"], ["net_sales"])
    both = a.union(b)
    assert both == FactNeeds(frozenset({"net_sales", "sales_target"}), frozenset({"net_sales"}))
    assert both.covers(a) and both.covers(b) and not a.covers(b)
    everything = a.union(FactNeeds.everything())
    assert everything == FactNeeds(None, None, None)
    assert everything.covers(both) and not both.covers(everything)
    assert FactNeeds.of(["x"], None, ["nps"]).describe() == {
        "facts": ["x"], "previous_facts": None, "survey_measures": ["nps"]}
    surveys = FactNeeds.of((), (), ["nps"]).union(FactNeeds.of((), (), ["overall_satisfaction"]))
    assert surveys.surveys == {"nps", "overall_satisfaction"}
    assert surveys.covers(FactNeeds.of((), (), ["nps"]))
    assert not FactNeeds.of((), (), ["nps"]).covers(surveys)


@pytest.mark.parametrize("bad", ["net_sales", [""], [3]])
def test_a_declaration_must_be_a_collection_of_names(bad):
    with pytest.raises(TypeError, match="fact names"):
        FactNeeds.of(bad)


def test_a_fact_table_refuses_names_outside_its_scope(ctx):
    table = ctx.facts.restricted(frozenset({"sales"}))
    assert table.names() == ["sales"]
    assert table.account_totals("sales").tolist() == [100.0]
    with pytest.raises(UndeclaredFactError, match=r"'costs' was read from ctx\.facts"):
        table.select("costs")
    # narrowing a narrowed table never widens it
    assert table.restricted(frozenset({"costs"})).names() == []
    assert ctx.facts.restricted(None) is ctx.facts


def test_a_metric_sees_only_the_facts_it_declares(pm, ctx):
    out = compute_metrics(pm, ctx, [("declared", {}), ("forgot", {}), ("undeclared", {}),
                                    ("by_params", {})])
    assert out["declared"].values.tolist() == [100.0]
    assert out["undeclared"].values.tolist() == [40.0]  # not declared: sees every fact
    assert out["by_params"].values.tolist() == [20.0]
    failure = out["forgot"]
    assert not failure.ok
    assert "UndeclaredFactError" in failure.error and "'costs'" in failure.error
    assert "add it to the metric's facts" in failure.error


def test_the_previous_year_is_declared_separately(ctx):
    view = ctx.for_needs(FactNeeds.of(["sales"], []))
    with pytest.raises(UndeclaredFactError, match=r"ctx\.previous_facts.*previous_facts"):
        view.previous_facts.select("sales")
    assert view.facts.select("sales").value.tolist() == [100.0]
    assert ctx.for_needs(FactNeeds.everything()) is ctx


@pytest.mark.parametrize("bad", ["net_sales", 5, ["ok", None]])
def test_a_bad_declaration_is_a_contract_problem(bad):
    from kamscore import Metric, MetricResult

    class Bad(Metric):
        name = "bad"
        title = "Bad"
        kind = "quantitative"
        unit = "ratio"
        facts = bad

        def compute(self, ctx, params):
            return MetricResult.from_arrays(ctx.kams.codes, np.zeros(len(ctx.kams)))

    assert any("facts must be None or a collection of names" in p
               for p in check_metric_class(Bad))


def test_a_plugin_with_a_bad_declaration_does_not_start(tmp_path):
    (tmp_path / "bad_facts.py").write_text(textwrap.dedent('''
        from kamscore import Metric, MetricResult, hookimpl

        class M(Metric):
            name = "bad_facts"
            title = "Bad facts"
            kind = "quantitative"
            unit = "ratio"
            facts = "net_sales"

            def compute(self, ctx, params):
                return MetricResult({})

        @hookimpl
        def kamscore_register_metrics():
            return [M]
    '''))
    with pytest.raises(PluginError, match=r"bad_facts.*facts must be None"):
        build_plugin_manager(plugins_dir=tmp_path, bundled=False, entry_points=False)


def test_every_built_in_metric_declares_its_facts():
    shipped = build_plugin_manager(entry_points=False)
    for name, registered in shipped.metrics.items():
        needs = registered.cls.fact_needs(registered.cls.Params().load({}))
        assert None not in (needs.current, needs.previous, needs.surveys), name


def test_survey_results_are_scoped_to_the_declared_measures():
    from kamscore.metrics.needs import scoped_survey_results
    from kamscore.metrics.survey_results import SurveyAggregate, SurveyResults

    results = SurveyResults([
        SurveyAggregate("customer_satisfaction", "account", "A1", "nps", "all", 4, 8.0),
        SurveyAggregate("customer_satisfaction", "account", "A1", "overall_satisfaction",
                        "all", 4, 4.5),
    ], source="test")
    scoped = scoped_survey_results(results, frozenset({"nps"}))
    assert scoped.source == "test" and len(scoped) == 1
    assert scoped.get("customer_satisfaction", "account", "A1", "nps", "all").mean == 8.0
    assert len(scoped.measure_table("customer_satisfaction", "nps",
                                    subject_type="account")) == 1
    for read in (lambda: scoped.get("customer_satisfaction", "account", "A1",
                                    "overall_satisfaction", "all"),
                 lambda: scoped.for_measure("customer_satisfaction", "overall_satisfaction",
                                            subject_type="account")):
        with pytest.raises(UndeclaredFactError, match=r"survey measure 'overall_satisfaction'"
                           r".*ctx\.survey_results.*survey_measures"):
            read()
    # narrowing again never widens; None leaves the results as they are
    assert len(scoped_survey_results(scoped, frozenset({"overall_satisfaction"}))) == 0
    assert scoped_survey_results(results, None) is results
