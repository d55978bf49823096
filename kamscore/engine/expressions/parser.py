"""Tokenizer and Pratt parser for the ruleset expression language.

Why a hand-written parser rather than Python's ``ast``: the language is tiny (numbers,
percentages, text, names, arithmetic, comparison, ``and``/``or``/``not``, ``in [...]`` and
function calls), and a parser of our own accepts exactly that grammar — no attribute access,
subscripts, lambdas, comprehensions or f-strings exist in it to be forgotten in a whitelist —
and it enforces the limits (length, nesting depth, node count) *while* parsing, so a hostile
input like 1,000 nested parentheses is refused after reading at most ``MAX_DEPTH`` of them,
in microseconds, with an error that points at the column. Nothing is ever evaluated here.

Grammar, loosest binding first::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | cmp
    cmp     := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum | "in" list)?
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | power
    power   := atom ("**" unary)?            # right-associative: 2 ** -1, -x ** 2 = -(x ** 2)
    atom    := NUMBER ["%" | "pts"] | TEXT | "true" | "false" | NAME | NAME "(" args ")"
             | "(" expr ")"
    list    := "[" [literal ("," literal)*] "]"

Comparisons do not chain (``a < b < c`` is an error: write ``a < b and b < c``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kamscore.engine.expressions.nodes import (
    Binary,
    Bool,
    Call,
    ListOf,
    Name,
    Node,
    Num,
    Text,
    Unary,
    count_nodes,
)

MAX_LENGTH = 1000  # characters
MAX_DEPTH = 30  # nesting of parentheses, calls and operators
MAX_NODES = 300
MAX_TEXT = 100  # characters in a text literal

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})


class ExpressionError(ValueError):
    """A formula that is not valid; ``pos`` is the 0-based column of the problem."""

    def __init__(self, message: str, pos: int | None = None) -> None:
        self.message = message
        self.pos = pos
        super().__init__(message if pos is None else f"{message} (at column {pos + 1})")


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "text", "name", "op", "end"
    text: str
    pos: int
    value: float | str | None = None
    unit: str | None = None


_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_UNIT = re.compile(r"\s*(%|pts\b|pt\b)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = ("**", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",")


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens; refuses anything outside the language."""
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the formula is {len(source)} characters long; at most "
                              f"{MAX_LENGTH} are allowed")
    tokens: list[Token] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char in " \t\r\n":
            i += 1
            continue
        if char.isdigit() or (char == "." and source[i + 1:i + 2].isdigit()):
            match = _NUMBER.match(source, i)
            assert match is not None
            value = float(match.group())
            end = match.end()
            unit = None
            unit_match = _UNIT.match(source, end)
            if unit_match:
                unit = "ratio" if unit_match.group(1) == "%" else "points"
                if unit == "ratio":
                    value /= 100.0
                end = unit_match.end()
            tokens.append(Token("num", source[i:end], i, value, unit))
            i = end
            continue
        if char.isalpha() or char == "_":
            match = _NAME.match(source, i)
            assert match is not None
            word = match.group()
            if word.startswith("_"):
                raise ExpressionError(f"names may not start with '_' ({word!r})", i)
            tokens.append(Token("name", word, i, word))
            i = match.end()
            continue
        if char in "'\"":
            end = source.find(char, i + 1)
            if end < 0:
                raise ExpressionError("text is not closed with a matching quote", i)
            value_text = source[i + 1:end]
            if len(value_text) > MAX_TEXT:
                raise ExpressionError(f"text longer than {MAX_TEXT} characters", i)
            tokens.append(Token("text", source[i:end + 1], i, value_text))
            i = end + 1
            continue
        if char == ".":
            raise ExpressionError("'.' is not allowed: there is no attribute access in "
                                  "formulas", i)
        if char == "^":
            raise ExpressionError("'^' is not an operator here; write ** for a power", i)
        for op in _OPERATORS:
            if source.startswith(op, i):
                tokens.append(Token("op", op, i))
                i += len(op)
                break
        else:
            raise ExpressionError(f"unexpected character {char!r}", i)
    tokens.append(Token("end", "", len(source)))
    return tokens


_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.index = 0
        self.depth = 0

    # -- helpers ----------------------------------------------------------------------------
    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.current
        if token.kind != kind:
            return False
        return text is None or token.text == text

    def at_word(self, word: str) -> bool:
        return self.at("name", word)

    def expect(self, text: str, what: str) -> Token:
        if not self.at("op", text):
            raise ExpressionError(f"expected {what}, found {self.describe(self.current)}",
                                  self.current.pos)
        return self.advance()

    @staticmethod
    def describe(token: Token) -> str:
        return "the end of the formula" if token.kind == "end" else repr(token.text)

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"the formula is nested more than {MAX_DEPTH} levels deep",
                                  pos)

    def leave(self) -> None:
        self.depth -= 1

    # -- grammar ----------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expr()
        if not self.at("end"):
            raise ExpressionError(f"unexpected {self.describe(self.current)} after a complete "
                                  "expression", self.current.pos)
        return node

    def expr(self) -> Node:
        self.enter(self.current.pos)
        try:
            return self.or_()
        finally:
            self.leave()

    def or_(self) -> Node:
        node = self.and_()
        while self.at_word("or"):
            token = self.advance()
            node = Binary(token.pos, "or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.at_word("and"):
            token = self.advance()
            node = Binary(token.pos, "and", node, self.not_())
        return node

    def not_(self) -> Node:
        if self.at_word("not"):
            token = self.advance()
            self.enter(token.pos)
            try:
                return Unary(token.pos, "not", self.not_())
            finally:
                self.leave()
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum_()
        if self.current.kind == "op" and self.current.text in _COMPARISONS:
            token = self.advance()
            node = Binary(token.pos, token.text, node, self.sum_())
            if self.current.kind == "op" and self.current.text in _COMPARISONS:
                raise ExpressionError("comparisons do not chain; write 'a < b and b < c'",
                                      self.current.pos)
        elif self.at_word("in"):
            token = self.advance()
            node = Binary(token.pos, "in", node, self.list_())
        return node

    def sum_(self) -> Node:
        node = self.product()
        while self.current.kind == "op" and self.current.text in ("+", "-"):
            token = self.advance()
            node = Binary(token.pos, token.text, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.current.kind == "op" and self.current.text in ("*", "/"):
            token = self.advance()
            node = Binary(token.pos, token.text, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.current.kind == "op" and self.current.text in ("-", "+"):
            token = self.advance()
            self.enter(token.pos)
            try:
                return Unary(token.pos, token.text, self.unary())
            finally:
                self.leave()
        return self.power()

    def power(self) -> Node:
        node = self.atom()
        if self.at("op", "**"):
            token = self.advance()
            self.enter(token.pos)
            try:
                node = Binary(token.pos, "**", node, self.unary())
            finally:
                self.leave()
        return node

    def atom(self) -> Node:
        token = self.current
        if token.kind == "num":
            self.advance()
            assert isinstance(token.value, float)
            return Num(token.pos, token.value, token.unit)
        if token.kind == "text":
            self.advance()
            assert isinstance(token.value, str)
            return Text(token.pos, token.value)
        if token.kind == "name":
            word = token.text
            if word in ("true", "false"):
                self.advance()
                return Bool(token.pos, word == "true")
            if word in KEYWORDS:
                raise ExpressionError(f"expected a value, found the keyword {word!r}", token.pos)
            self.advance()
            if self.at("op", "("):
                return self.call(token)
            return Name(token.pos, word)
        if self.at("op", "("):
            self.advance()
            if self.at("op", ")"):
                raise ExpressionError("empty parentheses: expected an expression inside",
                                      token.pos)
            node = self.expr()
            self.expect(")", "')' to close the '(' at column " + str(token.pos + 1))
            return node
        if self.at("op", "["):
            raise ExpressionError("a list [...] may only follow 'in'", token.pos)
        raise ExpressionError(f"expected a value, found {self.describe(token)}", token.pos)

    def call(self, name: Token) -> Node:
        open_paren = self.advance()
        self.enter(open_paren.pos)
        try:
            args: list[Node] = []
            if not self.at("op", ")"):
                args.append(self.expr())
                while self.at("op", ","):
                    self.advance()
                    args.append(self.expr())
            self.expect(")", f"',' or ')' in the call of {name.text}()")
        finally:
            self.leave()
        return Call(name.pos, name.text, tuple(args))

    def list_(self) -> Node:
        start = self.expect("[", "a list like ['a', 'b'] after 'in'")
        items: list[Node] = []
        while not self.at("op", "]"):
            token = self.current
            if token.kind == "text":
                assert isinstance(token.value, str)
                items.append(Text(token.pos, token.value))
            elif token.kind == "num":
                assert isinstance(token.value, float)
                items.append(Num(token.pos, token.value, token.unit))
            else:
                raise ExpressionError(f"a list holds only numbers and texts, found "
                                      f"{self.describe(token)}", token.pos)
            self.advance()
            if not self.at("op", "]"):
                self.expect(",", "',' or ']' in the list")
        self.advance()
        if not items:
            raise ExpressionError("the list after 'in' is empty", start.pos)
        return ListOf(start.pos, tuple(items))


def parse(source: str) -> Node:
    """Parse ``source`` into a tree, enforcing every size limit; raises ExpressionError."""
    if not source.strip():
        raise ExpressionError("the formula is empty")
    node = _Parser(source).parse()
    nodes = count_nodes(node)
    if nodes > MAX_NODES:
        raise ExpressionError(f"the formula has {nodes} parts; at most {MAX_NODES} are allowed")
    return node
