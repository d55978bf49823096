"""Type-check an expression tree against the names a ruleset defines, and compile it into a
vectorised numpy function.

Checking happens once, at validation: every name must be defined (a component's metric
value, a ruleset parameter, a population attribute, or ``value`` inside a component formula),
every function known with the right number of arguments, types must fit (numbers, yes/no
conditions, texts) and units must agree (``units.compatible``). The result is an
``Expression``: a closure tree that evaluates the formula for a whole population in one go
(each node is one numpy operation on whole arrays). Python's ``eval`` is never used.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from kamscore.engine import units
from kamscore.engine.expressions.expression import (
    Env,
    Expression,
    ExpressionRuntimeError,
    ExprType,
    Scope,
)
from kamscore.engine.expressions.nodes import (
    ARITHMETIC,
    COMPARISON,
    LOGIC,
    Binary,
    Bool,
    Call,
    ListOf,
    Name,
    Node,
    Num,
    Text,
    Unary,
)
from kamscore.engine.expressions.parser import ExpressionError, parse

MAX_EXPONENT = 10.0


@dataclass(frozen=True)
class _Out:
    type: ExprType
    unit: str | None
    fn: Callable[[Env], Any]
    const: float | None = None  # a plain number literal (after unary minus)


# Built-in functions: name -> (min args, max args or None); compiled specially below.
BUILTINS: Mapping[str, tuple[int, int | None]] = {
    "min": (2, None),
    "max": (2, None),
    "clip": (3, 3),
    "if": (3, 3),
    "abs": (1, 1),
    "coalesce": (2, 2),
    "has": (1, 1),
    "n": (1, 1),
}


def compile_expression(source: str, scope: Scope, expect: ExprType | None = None) -> Expression:
    """Parse, check and compile ``source``; raises ExpressionError with the first problem."""
    tree = parse(source)
    compiler = _Compiler(scope)
    out = compiler.node(tree)
    if expect is not None and out.type is not expect:
        raise ExpressionError(f"expected a {expect.value}, but the formula gives a "
                              f"{out.type.value}")
    return Expression(source, out.type, out.unit, frozenset(compiler.names),
                      frozenset(compiler.counted), tree, out.fn)


class _Compiler:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.names: set[str] = set()
        self.counted: set[str] = set()

    def node(self, node: Node) -> _Out:
        if isinstance(node, Num):
            value = node.value
            return _Out(ExprType.NUMBER, node.unit, lambda env: value,
                        value if node.unit is None else None)
        if isinstance(node, Text):
            text = node.value
            return _Out(ExprType.TEXT, None, lambda env: text)
        if isinstance(node, Bool):
            flag = node.value
            return _Out(ExprType.BOOL, None, lambda env: flag)
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        assert isinstance(node, ListOf)
        raise ExpressionError("a list [...] may only follow 'in'", node.pos)

    def name(self, node: Name) -> _Out:
        symbol = self.scope.symbols.get(node.id)
        if symbol is None:
            raise ExpressionError(self.unknown(node.id), node.pos)
        self.names.add(node.id)
        key = node.id
        return _Out(symbol.type, symbol.unit, lambda env: env[key])

    def unknown(self, name: str) -> str:
        import difflib

        if name in BUILTINS or name in self.scope.functions:
            return f"{name} is a function: call it as {name}(...)"
        if name in self.scope.hints:
            return self.scope.hints[name]
        known = sorted(self.scope.symbols)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown name {name!r}{hint}"

    def unary(self, node: Unary) -> _Out:
        inner = self.node(node.operand)
        if node.op == "not":
            self.require(inner, ExprType.BOOL, node.operand, "'not'")
            fn = inner.fn
            return _Out(ExprType.BOOL, None, lambda env: np.logical_not(fn(env)))
        self.require(inner, ExprType.NUMBER, node.operand, f"'{node.op}'")
        if node.op == "+":
            return inner
        fn = inner.fn
        const = -inner.const if inner.const is not None else None
        return _Out(ExprType.NUMBER, inner.unit, lambda env: -fn(env), const)

    def binary(self, node: Binary) -> _Out:
        if node.op == "in":
            return self.membership(node)
        left, right = self.node(node.left), self.node(node.right)
        if node.op in LOGIC:
            self.require(left, ExprType.BOOL, node.left, f"'{node.op}'")
            self.require(right, ExprType.BOOL, node.right, f"'{node.op}'")
            lf, rf = left.fn, right.fn
            op = np.logical_and if node.op == "and" else np.logical_or
            return _Out(ExprType.BOOL, None, lambda env: op(lf(env), rf(env)))
        if node.op in COMPARISON:
            return self.comparison(node, left, right)
        assert node.op in ARITHMETIC
        self.require(left, ExprType.NUMBER, node.left, f"'{node.op}'")
        self.require(right, ExprType.NUMBER, node.right, f"'{node.op}'")
        lf, rf = left.fn, right.fn
        if node.op in ("+", "-"):
            self.same_units(left, right, node, f"'{node.op}'")
            unit = left.unit or right.unit
            if node.op == "+":
                return _Out(ExprType.NUMBER, unit, lambda env: lf(env) + rf(env))
            return _Out(ExprType.NUMBER, unit, lambda env: lf(env) - rf(env))
        if node.op == "**":
            if right.const is None or abs(right.const) > MAX_EXPONENT:
                raise ExpressionError(
                    f"the exponent of ** must be a plain number between {-MAX_EXPONENT:g} "
                    f"and {MAX_EXPONENT:g}", node.right.pos)
            exponent = right.const
            return _Out(ExprType.NUMBER, None,
                        lambda env: np.power(np.asarray(lf(env), dtype=float), exponent))
        unit = left.unit if right.unit is None else (right.unit if left.unit is None else None)
        if node.op == "/":
            if left.unit is not None and right.unit is not None:
                unit = None
            elif right.unit is not None:
                unit = None  # 1 / ratio has no sensible unit
            return _Out(ExprType.NUMBER, unit,
                        lambda env: np.true_divide(lf(env), rf(env)))
        return _Out(ExprType.NUMBER, unit, lambda env: np.multiply(lf(env), rf(env)))

    def comparison(self, node: Binary, left: _Out, right: _Out) -> _Out:
        lf, rf = left.fn, right.fn
        if ExprType.TEXT in (left.type, right.type):
            if left.type is not right.type:
                raise ExpressionError(f"cannot compare a {left.type.value} with a "
                                      f"{right.type.value}", node.pos)
            if node.op not in ("==", "!="):
                raise ExpressionError(f"texts can only be compared with == or !=, not "
                                      f"{node.op}", node.pos)
        elif ExprType.BOOL in (left.type, right.type):
            raise ExpressionError("conditions cannot be compared; combine them with and/or",
                                  node.pos)
        else:
            self.same_units(left, right, node, f"'{node.op}'")
        op = {
            "==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal,
            ">": np.greater, ">=": np.greater_equal,
        }[node.op]
        return _Out(ExprType.BOOL, None, lambda env: op(lf(env), rf(env)))

    def membership(self, node: Binary) -> _Out:
        left = self.node(node.left)
        assert isinstance(node.right, ListOf)
        items = node.right.items
        if left.type is ExprType.BOOL:
            raise ExpressionError("'in' needs a number or a text on its left", node.pos)
        wanted = Text if left.type is ExprType.TEXT else Num
        for item in items:
            if not isinstance(item, wanted):
                raise ExpressionError(f"the list after 'in' must hold only "
                                      f"{left.type.value}s", item.pos)
        values = [item.value for item in items]  # type: ignore[union-attr]
        lf = left.fn
        return _Out(ExprType.BOOL, None, lambda env: one_of(lf(env), values))

    def call(self, node: Call) -> _Out:
        name = node.func
        if name in BUILTINS:
            low, high = BUILTINS[name]
            count = len(node.args)
            if count < low or (high is not None and count > high):
                wanted = f"{low}" if low == high else f"at least {low}"
                raise ExpressionError(f"{name}() takes {wanted} argument(s), got {count}",
                                      node.pos)
            return getattr(self, f"call_{name}")(node)
        function = self.scope.functions.get(name)
        if function is None:
            known = sorted({*BUILTINS, *self.scope.functions})
            import difflib

            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}()?" if close else ""
            raise ExpressionError(f"unknown function {name}(){hint}", node.pos)
        return self.plugin_call(node, function)

    def numbers(self, node: Call) -> list[_Out]:
        outs = [self.node(arg) for arg in node.args]
        for arg, out in zip(node.args, outs, strict=True):
            self.require(out, ExprType.NUMBER, arg, f"{node.func}()")
        for out in outs[1:]:
            self.same_units(outs[0], out, node, f"{node.func}()")
        return outs

    def call_min(self, node: Call) -> _Out:
        return self.reduce(node, np.minimum)

    def call_max(self, node: Call) -> _Out:
        return self.reduce(node, np.maximum)

    def reduce(self, node: Call, op: Callable[[Any, Any], Any]) -> _Out:
        outs = self.numbers(node)
        fns = [o.fn for o in outs]
        unit = next((o.unit for o in outs if o.unit), None)

        def run(env: Env) -> Any:
            result = fns[0](env)
            for fn in fns[1:]:
                result = op(result, fn(env))
            return result

        return _Out(ExprType.NUMBER, unit, run)

    def call_clip(self, node: Call) -> _Out:
        x, lo, hi = self.numbers(node)
        xf, lf, hf = x.fn, lo.fn, hi.fn
        unit = x.unit or lo.unit or hi.unit
        return _Out(ExprType.NUMBER, unit,
                    lambda env: np.minimum(np.maximum(xf(env), lf(env)), hf(env)))

    def call_abs(self, node: Call) -> _Out:
        (x,) = self.numbers(node)
        xf = x.fn
        return _Out(ExprType.NUMBER, x.unit, lambda env: np.abs(xf(env)))

    def call_if(self, node: Call) -> _Out:
        cond, yes, no = (self.node(arg) for arg in node.args)
        self.require(cond, ExprType.BOOL, node.args[0], "the first argument of if()")
        if yes.type is not no.type:
            raise ExpressionError(f"both branches of if() must give the same kind of value "
                                  f"(got a {yes.type.value} and a {no.type.value})", node.pos)
        if yes.type is ExprType.NUMBER:
            self.same_units(yes, no, node, "if()")
        cf, yf, nf = cond.fn, yes.fn, no.fn
        return _Out(yes.type, yes.unit or no.unit,
                    lambda env: np.where(cf(env), yf(env), nf(env)))

    def call_coalesce(self, node: Call) -> _Out:
        x, fallback = self.numbers(node)
        xf, ff = x.fn, fallback.fn
        return _Out(ExprType.NUMBER, x.unit or fallback.unit, lambda env: _coalesce(xf, ff, env))

    def component_ref(self, node: Call) -> str:
        (arg,) = node.args
        symbol = self.scope.symbols.get(arg.id) if isinstance(arg, Name) else None
        if not isinstance(arg, Name) or symbol is None or symbol.kind not in ("component",
                                                                            "value"):
            raise ExpressionError(f"{node.func}() takes the id of a component of this ruleset",
                                  arg.pos)
        self.names.add(arg.id)
        self.counted.add(arg.id)
        return arg.id

    def call_has(self, node: Call) -> _Out:
        key = self.component_ref(node)
        return _Out(ExprType.BOOL, None,
                    lambda env: np.logical_not(np.isnan(np.asarray(env[key], dtype=float))))

    def call_n(self, node: Call) -> _Out:
        key = "n:" + self.component_ref(node)
        return _Out(ExprType.NUMBER, "count", lambda env: env[key])

    def plugin_call(self, node: Call, function: Callable[..., Any]) -> _Out:
        try:
            inspect.signature(function).bind(*node.args)
        except TypeError as exc:
            raise ExpressionError(f"{node.func}() does not take {len(node.args)} argument(s): "
                                  f"{exc}", node.pos) from None
        except ValueError:
            pass  # no signature available (a C function): checked when called
        outs = [self.node(arg) for arg in node.args]
        for arg, out in zip(node.args, outs, strict=True):
            self.require(out, ExprType.NUMBER, arg, f"{node.func}()")
        fns = [o.fn for o in outs]
        name = node.func

        def run(env: Env) -> Any:
            args = [np.asarray(fn(env), dtype=float) for fn in fns]
            try:
                return np.asarray(function(*args), dtype=float)
            except Exception as exc:  # a plugin's bug must name the plugin function
                raise ExpressionRuntimeError(f"function {name}() failed: {exc!r}") from exc

        return _Out(ExprType.NUMBER, None, run)

    # -- checks -----------------------------------------------------------------------------
    @staticmethod
    def require(out: _Out, wanted: ExprType, node: Node, where: str) -> None:
        if out.type is not wanted:
            raise ExpressionError(f"{where} needs a {wanted.value}, got a {out.type.value}",
                                  node.pos)

    @staticmethod
    def same_units(left: _Out, right: _Out, node: Node, where: str) -> None:
        if not units.compatible(left.unit, right.unit):
            raise ExpressionError(f"unit mismatch in {where}: {left.unit} and {right.unit}",
                                  node.pos)


def one_of(values: Any, choices: list[Any]) -> Any:
    """``values in choices`` elementwise: equality tests OR-ed together (faster than
    ``np.isin`` for the few choices a formula lists, and the same for text and numbers)."""
    result = np.equal(values, choices[0])
    for choice in choices[1:]:
        result = result | np.equal(values, choice)
    return result


def _coalesce(xf: Callable[[Env], Any], ff: Callable[[Env], Any], env: Env) -> Any:
    x = np.asarray(xf(env), dtype=float)
    return np.where(np.isnan(x), ff(env), x)
