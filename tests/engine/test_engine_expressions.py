"""The formula language: grammar, evaluation over arrays, missing data, units, safety."""

from __future__ import annotations

import numpy as np
import pytest

from kamscore.engine.expressions import (
    MAX_DEPTH,
    ExpressionError,
    ExpressionRuntimeError,
    ExprType,
    Scope,
    Symbol,
    compile_expression,
    parse,
)
from kamscore.engine.rounding import split_minor
from kamscore.engine.units import compatible, literal_problem

NUMBER = ExprType.NUMBER
SCOPE = Scope(
    symbols={
        "x": Symbol(NUMBER), "y": Symbol(NUMBER),
        "csat": Symbol(NUMBER, "share", "component"),
        "nps": Symbol(NUMBER, "nps", "component"),
        "segment": Symbol(ExprType.TEXT),
        "limit": Symbol(NUMBER, "ratio", "parameter"),
    },
    functions={"twice": lambda a: a * 2, "broken": lambda a: 1 / 0},
)
ENV = {
    "x": np.array([1.0, 2.0, np.nan]), "y": np.array([3.0, 0.0, 1.0]),
    "csat": np.array([0.7, np.nan, 0.9]), "n:csat": np.array([5.0, np.nan, 2.0]),
    "nps": np.array([10.0, 20.0, 30.0]), "n:nps": np.array([np.nan] * 3),
    "segment": np.array(["key", None, "strategic"], dtype=object), "limit": 0.8,
}


def run(source: str) -> list:
    return compile_expression(source, SCOPE).evaluate(ENV, 3).tolist()


@pytest.mark.parametrize(("source", "expected"), [
    ("1 + 2 * 3", [7.0] * 3),
    ("(1 + 2) * 3", [9.0] * 3),
    ("-2 ** 2", [-4.0] * 3),  # the power binds tighter than the minus
    ("2 ** -1", [0.5] * 3),
    ("x ** 0.5", [1.0, 2 ** 0.5, None]),
    ("10 - 4 - 3", [3.0] * 3),  # left-associative
    ("12 / 3 / 2", [2.0] * 3),
    ("60%", [0.6] * 3),
    ("x + y", [4.0, 2.0, None]),  # no data propagates
    ("x / y", [1 / 3, float("inf"), None]),
    ("min(x, y, 1.5)", [1.0, 0.0, None]),
    ("max(x, y)", [3.0, 2.0, None]),
    ("clip(x * 2, 1, 3)", [2.0, 3.0, None]),
    ("abs(y - 2)", [1.0, 2.0, 1.0]),
    ("coalesce(x, 9)", [1.0, 2.0, 9.0]),
    ("if(segment == 'key', 1, 2)", [1.0, 2.0, 2.0]),
    ("if(csat >= limit, 1, 0)", [0.0, 0.0, 1.0]),
    ("twice(y)", [6.0, 0.0, 2.0]),
    ("n(csat)", [5.0, None, 2.0]),
])
def test_numbers(source, expected):
    got = [None if v != v else v for v in run(source)]  # NaN (no data) as None
    assert [v is None for v in got] == [v is None for v in expected]
    assert [v for v in got if v is not None] == pytest.approx(
        [v for v in expected if v is not None])


@pytest.mark.parametrize(("source", "expected"), [
    ("x > 1", [False, True, False]),  # a comparison with no data is false
    ("not x > 1", [True, False, True]),
    ("x >= 1 and y > 0", [True, False, False]),
    ("x >= 2 or y >= 3", [True, True, False]),
    ("segment in ['key', 'strategic']", [True, False, True]),
    ("segment != 'key'", [False, True, True]),
    ("has(csat)", [True, False, True]),
    ("csat >= 60% and n(csat) >= 5", [True, False, False]),
    ("true and not false", [True, True, True]),
    ("y in [0, 1]", [False, True, True]),
])
def test_conditions(source, expected):
    expression = compile_expression(source, SCOPE, ExprType.BOOL)
    assert expression.evaluate(ENV, 3).tolist() == expected


def test_an_expression_knows_what_it_reads():
    expression = compile_expression("if(n(csat) >= 5, csat, limit) + x", SCOPE)
    assert expression.names == {"csat", "limit", "x"}
    assert expression.counted == {"csat"}
    assert expression.unit == "share"


@pytest.mark.parametrize(("source", "message"), [
    ("csat + nps", "unit mismatch in '+': share and nps"),
    ("csat > 5 pts", "unit mismatch in '>': share and points"),
    ("max(csat, nps)", "unit mismatch in max(): share and nps"),
    ("if(x > 1, csat, nps)", "unit mismatch in if(): share and nps"),
    ("x and y", "'and' needs a condition, got a number"),
    ("if(x, 1, 2)", "the first argument of if() needs a condition, got a number"),
    ("if(x > 1, 1, segment)", "both branches of if() must give the same kind of value"),
    ("segment < 'a'", "texts can only be compared with == or !=, not <"),
    ("segment in [1, 2]", "the list after 'in' must hold only texts"),
    ("n(x)", "n() takes the id of a component of this ruleset"),
    ("has(1)", "has() takes the id of a component of this ruleset"),
    ("twice(x, y)", "twice() does not take 2 argument(s)"),
    ("max", "max is a function: call it as max(...)"),
    ("x ^ 2", "'^' is not an operator here; write ** for a power"),
    ("x ** 11", "the exponent of ** must be a plain number between -10 and 10"),
    ("x ** 60%", "the exponent of ** must be a plain number"),
    ("2 ** 3 ** 2", "the exponent of ** must be a plain number"),  # 3 ** 2 is a formula
    ("x $ 2", "unexpected character '$'"),
    ("'open", "text is not closed with a matching quote"),
    ("[1, 2]", "a list [...] may only follow 'in'"),
    ("x in []", "the list after 'in' is empty"),
    ("1 2", "unexpected '2' after a complete expression"),
    ("and", "expected a value, found the keyword 'and'"),
    ("lambda", "unknown name 'lambda'"),
    ("x.__class__", "'.' is not allowed"),
    ("_x", "names may not start with '_'"),
])
def test_refused_formulas(source, message):
    with pytest.raises(ExpressionError) as raised:
        compile_expression(source, SCOPE)
    assert message in str(raised.value)


def test_limits_are_enforced_while_parsing():
    deep = "(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(ExpressionError, match="nested more than"):
        parse(deep)
    parse("(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1))
    with pytest.raises(ExpressionError, match="at most 300 are allowed"):
        parse(" + ".join(["1"] * 200))
    with pytest.raises(ExpressionError, match="nested more than"):
        parse("-" * 100 + "1")
    with pytest.raises(ExpressionError, match="nested more than"):
        parse("not " * 100 + "true")


def test_a_failing_plugin_function_is_named():
    expression = compile_expression("broken(x)", SCOPE)
    with pytest.raises(ExpressionRuntimeError, match=r"function broken\(\) failed"):
        expression.evaluate(ENV, 3)


def test_unit_rules():
    assert compatible("ratio", "share") and compatible(None, "nps")
    assert not compatible("share", "points")
    assert literal_problem("share", 0.6, "ratio", "60%") is None
    assert str(literal_problem("percent", 0.6, "ratio", "60%")) == (
        "unit mismatch: 60% is a percentage but the metric's unit is percent; write a plain "
        "number in percent")
    assert str(literal_problem("nps", 120, None, "120")) == (
        "120 is outside the range of the metric's unit nps (-100 to 100)")
    assert str(literal_problem("share", 60, None, "60")) == (
        "60 is outside the range of the metric's unit share (0 to 1): 60 looks like a "
        "percentage, write 0.6 or 60%")
    assert literal_problem("score", 4, "points", "4 pts") is None
    assert str(literal_problem("count", 4, "points", "4 pts")) == (
        "unit mismatch: 4 pts is in points but the metric's unit is count")


def test_split_minor_adds_up_exactly():
    total = np.array([1001, 0, 7, 100])
    parts = split_minor(total, [np.array([1.0, 0.0, 1.0, 0.0]), np.array([2.0, 0.0, 1.0, 3.0]),
                                np.array([0.0, 0.0, 1.0, 1.0])])
    assert (sum(parts) == np.array([1001, 0, 7, 100])).all()
    assert [p.tolist() for p in parts] == [[334, 0, 2, 0], [667, 0, 3, 75], [0, 0, 2, 25]]
