"""360° collaboration: the others' mean, self excluded; worked by hand."""

import pytest
from metric_ctx import context, kam_result, kams, survey


def test_others_mean_self_excluded(compute, value_of, pm):
    measure = "scale:collaboration"
    ctx = context(
        people=kams("K1", "K2", "K3"),
        survey_results=survey([
            kam_result("K1", measure, "others", 4.2, 6),
            kam_result("K1", measure, "self", 4.8, 1),
            # everyone including himself: (6 * 4.2 + 4.8) / 7 — must not be used
            kam_result("K1", measure, "all", (6 * 4.2 + 4.8) / 7, 7),
            kam_result("K2", measure, "others", 3.0, 2),
        ]),
    )
    values = compute(ctx, "collaboration_360")
    assert value_of(values, "K1") == pytest.approx(4.2)
    assert values.n[0] == 6
    assert values.inputs(0)["self_mean"] == pytest.approx(4.8)
    assert value_of(values, "K2") is None
    assert values.reasons[1] == "2 responses, 3 needed"
    assert values.inputs(1)["others_mean"] is None  # not shown under the minimum either
    assert value_of(values, "K3") is None
    assert pm.metrics["collaboration_360"].kind == "team"
