"""compute_metrics: alignment to the population, team attribution, and isolation of a metric
that raises or returns the wrong shape (it fails alone, named, never a zero)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from metric_ctx import context, kams, plugin_manager_of

from kamscore.metrics.assemble import TeamMemberRow, TeamRow
from kamscore.metrics.compute import MetricRequest, compute_metrics, request_key

PLUGIN = '''
import numpy as np
from marshmallow import Schema, fields
from kamscore import Metric, MetricResult, MetricValue, hookimpl


def metric(metric_name, body, subject="kam"):
    class M(Metric):
        name = metric_name
        title = metric_name
        kind = "quantitative" if subject == "kam" else "team"
        unit = "ratio"

        class Params(Schema):
            factor = fields.Float(load_default=1.0)

        def compute(self, ctx, params):
            return body(ctx, params)

    return M


def good(ctx, params):
    return MetricResult.from_arrays(ctx.kams.codes[::-1],
                                    np.arange(len(ctx.kams), dtype=float) * params["factor"],
                                    inputs={"rank": np.arange(len(ctx.kams))})


def own_codes(ctx, params):  # the population's own array: aligned without a lookup
    return MetricResult.from_arrays(ctx.kams.codes, [0.5, np.nan, 2.0], n=[3, 0, -1],
                                    inputs={"why": ["a", "b", None],
                                            "accounts": ctx.assignment_inputs()},
                                    reasons=[None, "none", None])


def copied_codes(ctx, params):  # the same codes in a list: looked up one by one
    own = own_codes(ctx, params)
    return MetricResult.from_arrays(list(ctx.kams.codes), own.columns.values, n=own.columns.n,
                                    inputs=own.columns.inputs, reasons=own.columns.reasons)


def own_codes_too_few(ctx, params):
    return MetricResult.from_arrays(ctx.kams.codes, [1.0])


def mapping(ctx, params):
    return MetricResult({"K2": MetricValue(0.0, {"why": "a real zero"}),
                         "K1": MetricValue.no_data("nothing reported", n=0)})


def raises(ctx, params):
    return {}["missing"]


def returns_dict(ctx, params):
    return {"K1": 1.0}


def too_few(ctx, params):
    return MetricResult.from_arrays(["K1", "K2"], [1.0])


def strangers(ctx, params):
    return MetricResult.from_arrays(["K1", "X9"], [1.0, 2.0])


def infinite(ctx, params):
    return MetricResult.from_arrays(["K1"], [np.inf])


def bad_values(ctx, params):
    return MetricResult({"K1": 1.0})


def partial_counts(ctx, params):  # K2 has no entry: its inputs must say None
    return MetricResult.from_arrays(["K3", "K1"], [1.0, 2.0],
                                    inputs={"count": np.array([300, 400]),
                                            "flag": np.array([True, False])})


def per_team(ctx, params):
    return MetricResult.from_arrays(["T1", "T2"], [0.9, np.nan], subject_type="team",
                                    reasons=[None, "T2 reported nothing"])


@hookimpl
def kamscore_register_metrics():
    return [metric("good", good), metric("mapping", mapping), metric("raises", raises),
            metric("returns_dict", returns_dict), metric("too_few", too_few),
            metric("strangers", strangers), metric("infinite", infinite),
            metric("bad_values", bad_values), metric("per_team", per_team, "team"),
            metric("own_codes", own_codes), metric("copied_codes", copied_codes),
            metric("own_codes_too_few", own_codes_too_few),
            metric("partial_counts", partial_counts)]
'''


@pytest.fixture(scope="module")
def pm(tmp_path_factory):
    return plugin_manager_of(tmp_path_factory.mktemp("plugins"), "faulty", PLUGIN)


@pytest.fixture
def ctx():
    return context(
        people=kams("K1", "K2", "K3"),
        teams=[TeamRow("T1", "Team one", "K1"), TeamRow("T2", "Team two", "K3")],
        team_members=[TeamMemberRow("T1", "K2", "kam")],
    )


def test_values_are_aligned_to_the_population(pm, ctx):
    out = compute_metrics(pm, ctx, [("good", {"factor": 10})])
    values = out[request_key("good", {"factor": 10})]
    # the metric listed K3, K2, K1 with 0, 10, 20
    assert list(values.kams) == ["K1", "K2", "K3"]
    assert list(values.values) == [20.0, 10.0, 0.0]
    assert values.inputs(0) == {"rank": 2}
    assert list(values.n) == [-1, -1, -1]
    assert values.params == {"factor": 10.0}
    assert values.plugin == "faulty"


def test_whole_number_and_flag_inputs_stay_typed_unless_a_kam_has_no_entry(pm, ctx):
    out = compute_metrics(pm, ctx, [("good", {}), ("partial_counts", {})])
    rank = out["good"].input_columns["rank"]
    assert rank.dtype == np.int64 and rank.tolist() == [2, 1, 0]  # 8 bytes a KAM, not ~36
    assert type(out["good"].inputs(0)["rank"]) is int  # plain JSON data all the same
    partial = out["partial_counts"]
    assert partial.input_columns["count"].dtype == object  # a gap: None for K2
    assert [partial.inputs(i) for i in range(3)] == [
        {"count": 400, "flag": False}, {"count": None, "flag": None},
        {"count": 300, "flag": True}]


def test_a_result_of_the_population_codes_aligns_as_one_looked_up(pm, ctx):
    out = compute_metrics(pm, ctx, [("own_codes", {}), ("copied_codes", {}),
                                    ("own_codes_too_few", {})])
    own, copied = out["own_codes"], out["copied_codes"]
    assert own.ok and copied.ok
    assert [own.value(i) for i in range(3)] == [copied.value(i) for i in range(3)]
    assert own.value(1).reason == "none" and own.value(0).n == 3
    assert not out["own_codes_too_few"].ok
    assert "1 values for 3 subjects" in out["own_codes_too_few"].error


def test_mapping_results_and_explicit_no_data(pm, ctx):
    values = compute_metrics(pm, ctx, [MetricRequest("mapping", key="c1")])["c1"]
    assert math.isnan(values.values[0]) and values.reasons[0] == "nothing reported"
    assert values.n[0] == 0
    assert values.values[1] == 0.0 and values.reasons[1] is None  # zero is a value
    assert values.inputs(1) == {"why": "a real zero"}
    assert values.reasons[2] == "the metric returned no value for this KAM"
    assert values.value(0).value is None and values.value(1).value == 0.0


def test_team_values_are_attributed_to_members(pm, ctx):
    values = compute_metrics(pm, ctx, [("per_team", {})])["per_team"]
    assert values.values[0] == 0.9 and values.values[1] == 0.9  # K1 leads T1, K2 is in it
    assert values.inputs(1) == {"team": "T1"}
    assert math.isnan(values.values[2]) and values.reasons[2] == "T2 reported nothing"


@pytest.mark.parametrize(("metric", "message"), [
    ("raises", "KeyError: 'missing'"),
    ("returns_dict", "wrong result: compute() must return a MetricResult, not dict"),
    ("too_few", "wrong result: 1 values for 2 subjects"),
    ("strangers", "wrong result: values for subjects that are not KAMs of the population: X9"),
    ("infinite", "wrong result: values must be finite numbers or NaN for no data"),
    ("bad_values", "wrong result: values must be MetricValue objects (subject 'K1')"),
])
def test_a_failing_metric_fails_alone_and_is_named(pm, ctx, metric, message, caplog):
    out = compute_metrics(pm, ctx, [("good", {}), (metric, {}), ("mapping", {})])
    failure = out[metric]
    assert not failure.ok
    assert failure.plugin == "faulty" and failure.metric == metric
    assert message in failure.error
    assert f"metric {metric!r} (plugin 'faulty') failed" in str(failure)
    assert f"metric {metric!r} (plugin 'faulty') failed" in caplog.text
    assert out["good"].ok and out["mapping"].ok  # the others are computed all the same


def test_the_traceback_of_an_exception_is_kept(pm, ctx):
    failure = compute_metrics(pm, ctx, [("raises", {})])["raises"]
    assert "faulty.py" in failure.traceback and "KeyError" in failure.traceback


def test_unknown_metric_and_invalid_parameters_are_failures(pm, ctx):
    out = compute_metrics(pm, ctx, [("nope", {}), MetricRequest("good", {"factor": "x"}, "g"),
                                    MetricRequest("good", {"colour": 1}, "h")])
    assert out["nope"].error == "no plugin provides a metric named 'nope'"
    assert out["nope"].plugin is None
    assert out["g"].plugin == "faulty" and "factor" in out["g"].error
    assert "colour" in out["h"].error


def test_same_request_is_computed_once(pm, ctx):
    out = compute_metrics(pm, ctx, [("good", {}), ("good", {}), MetricRequest("good", {})])
    assert list(out) == ["good"]


def test_an_empty_population(pm):
    values = compute_metrics(pm, context(), [("good", {})])["good"]
    assert values.values.shape == (0,) and values.values.dtype == np.float64
