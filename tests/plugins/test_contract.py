"""The metric contract's value types."""

import numpy as np
import pytest

from kamscore import Metric, MetricResult, MetricValue
from kamscore.metrics.contract import check_metric_class


def test_no_data_is_none_with_a_reason_never_nan():
    assert MetricValue.no_data("no survey").value is None
    with pytest.raises(ValueError, match="use value=None"):
        MetricValue(float("nan"))
    with pytest.raises(ValueError, match="finite"):
        MetricValue(float("inf"))
    with pytest.raises(TypeError):
        MetricValue("1.0")
    with pytest.raises(ValueError, match="n must be"):
        MetricValue(1.0, n=-2)


def test_result_from_arrays_is_a_mapping_of_values():
    result = MetricResult.from_arrays(
        ["K1", "K2"], np.array([0.5, np.nan]), n=np.array([4, 1]),
        inputs={"hits": np.array([2, 0])}, reasons=[None, "1 response"])
    assert list(result) == ["K1", "K2"]
    assert result["K1"] == MetricValue(0.5, {"hits": 2}, 4, None)
    assert result["K2"].value is None and result["K2"].reason == "1 response"
    assert isinstance(result["K1"].inputs["hits"], int)  # plain Python for statements


def test_check_metric_class_lists_every_problem():
    class Bad(Metric):
        name = "9lives"
        title = ""
        kind = "quantitative"
        unit = "furlongs"
        direction = "sideways"
        Params = dict

    problems = check_metric_class(Bad)
    assert len(problems) == 6
    assert any("unit 'furlongs'" in p for p in problems)
    assert any("compute() is not implemented" in p for p in problems)
    assert check_metric_class(int) == [f"{int!r} is not a subclass of kamscore.Metric"]

