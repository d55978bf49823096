"""The ruleset expression language: a small, safe formula language compiled to numpy.

``compile_expression(source, scope)`` parses (``parser``), checks names, types and units and
compiles (``compiler``) a formula; the result is an ``Expression`` that evaluates over whole
population arrays. The language reference for analysts is in docs/rulesets.md
("Formulas").
"""

from kamscore.engine.expressions.compiler import BUILTINS, compile_expression
from kamscore.engine.expressions.expression import (
    Expression,
    ExpressionRuntimeError,
    ExprType,
    Scope,
    Symbol,
)
from kamscore.engine.expressions.parser import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    ExpressionError,
    parse,
)

__all__ = [
    "BUILTINS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "ExprType",
    "Expression",
    "ExpressionError",
    "ExpressionRuntimeError",
    "Scope",
    "Symbol",
    "compile_expression",
    "parse",
]
