"""The expression tree: what the parser produces and the checker/compiler consume.

Every node carries ``pos``, the 0-based character offset in the source where it starts, so
that an error can point at the place in the formula.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Num:
    pos: int
    value: float
    unit: str | None = None  # "ratio" for 60 %, "points" for 5 pts, None for a plain number


@dataclass(frozen=True)
class Text:
    pos: int
    value: str


@dataclass(frozen=True)
class Bool:
    pos: int
    value: bool


@dataclass(frozen=True)
class Name:
    pos: int
    id: str


@dataclass(frozen=True)
class ListOf:
    """``[a, b, c]``: only as the right-hand side of ``in``, and only of literals."""

    pos: int
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Unary:
    pos: int
    op: str  # "-", "+", "not"
    operand: Node


@dataclass(frozen=True)
class Binary:
    pos: int
    op: str  # "+", "-", "*", "/", "**", "==", "!=", "<", "<=", ">", ">=", "and", "or", "in"
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    pos: int
    func: str
    args: tuple[Node, ...]


Node = Num | Text | Bool | Name | ListOf | Unary | Binary | Call

ARITHMETIC = frozenset({"+", "-", "*", "/", "**"})
COMPARISON = frozenset({"==", "!=", "<", "<=", ">", ">="})
LOGIC = frozenset({"and", "or"})


def count_nodes(node: Node) -> int:
    """Number of nodes in the tree (iterative: trees can be deep)."""
    total, stack = 0, [node]
    while stack:
        current = stack.pop()
        total += 1
        stack.extend(children(current))
    return total


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call | ListOf):
        return node.args if isinstance(node, Call) else node.items
    return ()
