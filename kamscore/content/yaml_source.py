"""YAML with line numbers, and problems that say file, line and key path.

Hand-written YAML (survey definitions, rulesets) is validated all at once, and every problem
must point at the place to fix: ``surveys/x.yaml:14: sections[1].questions[0].type: unknown
question type 'ratng'``. PyYAML's ``safe_load`` loses the positions, so ``load_yaml`` composes
the node tree, builds the plain data from it (with PyYAML's own safe constructors, so values
mean exactly what ``safe_load`` would make of them) and keeps the line of every mapping key
and sequence item by its key path. Duplicate keys, which ``safe_load`` silently lets the
last one win, are reported as problems.

Hand-written files need none of YAML's riskier features, so ``load_yaml`` refuses, with the
file and line, before building anything:

- anchors and aliases (``&name``, ``*name``): a few lines of them can stand for billions of
  values ("billion laughs"), and a reader must look elsewhere to know what a line means;
- mappings and lists nested deeper than ``MAX_DEPTH`` (PyYAML composes recursively, so a file
  nested 100,000 deep would end in a ``RecursionError``);
- a number written with more than ``MAX_NUMBER_LENGTH`` characters (Python refuses to turn
  more than 4,300 digits into an int), and a value PyYAML cannot construct, such as the date
  2026-02-31, is a problem at its key path.

Texts stored before aliases were refused (survey versions) are read with ``aliases=True``:
their aliases are expanded, up to a number of values proportional to the text's length.

Pure: no file is opened here except by ``load_yaml_file``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kamscore.sentences import N_, Sentence

#: A key path: mapping keys (str) and sequence indexes (int), from the document root.
KeyPath = tuple[str | int, ...]

MAX_DEPTH = 30  # mappings and lists within each other
_TOO_DEEP = (f"mappings and lists are nested more than {MAX_DEPTH} levels deep here; at most "
             "that many are allowed")
#: More than MAX_DEPTH flow brackets opened in a row (``[[[[…``): PyYAML's scanner reads every
#: one of them before the composer could refuse the depth, so such a text is refused first.
_DEEP_FLOW = re.compile(r"[\[{](?:\s*[\[{]){" + str(MAX_DEPTH) + "}")
MAX_NUMBER_LENGTH = 100  # characters of a number
#: The refusal of an alias, ``{kind}`` being what the file is ("rulesets").
ALIASES_REFUSED = ("YAML anchors and aliases (&name, *name) are not allowed in {kind}: write "
                   "each value out, so every line says what it means")
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def format_path(path: KeyPath) -> str:
    """``("sections", 1, "questions", 0, "type")`` → ``sections[1].questions[0].type``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(document)"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a source file."""

    file: str
    line: int | None
    path: str
    message: str
    #: the message as a sentence to translate when it is shown (None: ``message`` is plain
    #: text); ``message`` is its English, for the CLI, the logs and the API
    sentence: Sentence | None = field(default=None, compare=False, repr=False)

    @property
    def said(self) -> Sentence | str:
        """What a page shows, through ``kamscore.texts.translated``."""
        return self.sentence if self.sentence is not None else self.message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}"


class SourceError(Exception):
    """Raised with every problem found in a file (never just the first)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.path, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class YamlSource:
    """Plain data loaded from YAML, plus the line (1-based) of each key path."""

    filename: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, else of its nearest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def problem(self, path: KeyPath, message: str | Sentence) -> Problem:
        """Record (and return) a problem at ``path``: ``message`` is a text, or a sentence
        (``kamscore.sentences.N_``) that pages show in the reader's language."""
        found = Problem(self.filename, self.line_of(path), format_path(path), str(message),
                        message if isinstance(message, Sentence) else None)
        self.problems.append(found)
        return found

    def raise_if_problems(self) -> None:
        if self.problems:
            raise SourceError(self.problems)


class _Refused(Exception):
    """A document ``load_yaml`` does not read any further: the line and the reason."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


class _Loader(yaml.SafeLoader):
    """A safe loader whose constructors we call ourselves, node by node; composing, it
    refuses aliases (unless allowed) and nesting deeper than ``MAX_DEPTH``."""

    def __init__(self, text: str, *, aliases: bool, kind: str) -> None:
        super().__init__(text)
        self.aliases_allowed, self.kind = aliases, kind
        self.depth = 0
        self.values_left = 2 * len(text) + 1000  # without aliases, never reached

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if not self.aliases_allowed and (isinstance(event, yaml.AliasEvent) or event.anchor):
            raise _Refused(line, ALIASES_REFUSED.format(kind=self.kind))
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            if self.depth >= MAX_DEPTH:
                raise _Refused(line, _TOO_DEEP)
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1
        return super().compose_node(parent, index)


def load_yaml(text: str, filename: str, *, aliases: bool = False,
              kind: str = "these files") -> YamlSource:
    """Parse one YAML document; a syntax error is raised as a ``SourceError`` with its line,
    and so are aliases (unless ``aliases``; the message says they are not allowed in
    ``kind``) and nesting deeper than ``MAX_DEPTH``.

    Structural problems found while walking the tree (duplicate keys, non-scalar keys, numbers
    too long) are collected in ``YamlSource.problems`` so that a validator can add its own and
    report all.
    """
    deep = _DEEP_FLOW.search(text)
    if deep is not None:  # refused before PyYAML scans every bracket (it looks far ahead)
        line = text.count("\n", 0, deep.start()) + 1
        raise SourceError([Problem(filename, line, "(document)", _TOO_DEEP)])
    try:
        loader = _Loader(text, aliases=aliases, kind=kind)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (control codes)
        line = text.count("\n", 0, exc.position) + 1
        message = f"unacceptable character #x{exc.character:04x}: {exc.reason}"
        raise SourceError([Problem(filename, line, "(document)", f"YAML syntax: {message}")]
                          ) from exc
    try:
        node = loader.get_single_node()
        source = YamlSource(filename=filename, data=None)
        if node is not None:
            source.data = _build(loader, node, (), source)
    except _Refused as exc:
        raise SourceError([Problem(filename, exc.line, "(document)", exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(str(m) for m in (exc.context, exc.problem) if m)
        problem = Problem(filename, line, "(document)", f"YAML syntax: {message}")
        raise SourceError([problem]) from exc
    except yaml.YAMLError as exc:
        raise SourceError([Problem(filename, None, "(document)", f"YAML: {exc}")]) from exc
    finally:
        loader.dispose()
    return source


def read_source(path: str | Path) -> str:
    """A source file's text; a file that is not UTF-8 is a ``SourceError`` naming it."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem(str(path), None, "(document)", f"not UTF-8 text: {exc}")
        raise SourceError([problem]) from exc


def load_yaml_file(path: str | Path) -> YamlSource:
    """Read and parse a YAML file (UTF-8); problems name the file as given."""
    return load_yaml(read_source(path), str(path))


def _build(loader: _Loader, node: yaml.Node, path: KeyPath, source: YamlSource) -> Any:
    # Both limits matter only where aliases are allowed: chained or recursive aliases can
    # nest deeper than the text does, and stand for more values than it has characters.
    loader.values_left -= 1
    if loader.values_left < 0:
        raise _Refused(node.start_mark.line + 1, "too many values once its aliases are "
                                                 "expanded")
    if len(path) > MAX_DEPTH:
        raise _Refused(node.start_mark.line + 1, f"mappings and lists are nested more than "
                                                 f"{MAX_DEPTH} levels deep once its aliases "
                                                 "are expanded")
    source.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolve YAML merge keys (<<) like safe_load does
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                source.lines[path] = key_node.start_mark.line + 1
                source.problem(path, N_("a key must be a plain value, not a list or mapping"))
                continue
            key = _scalar(loader, key_node, path, source)
            child = (*path, key if isinstance(key, str | int) else str(key))
            if key in result:
                first = source.lines[child]
                source.lines[child] = key_node.start_mark.line + 1
                source.problem(child, N_("duplicate key %(key)s (first given on line %(line)s)",
                                         key=repr(key), line=first))
                source.lines[child] = first
                continue
            source.lines[child] = key_node.start_mark.line + 1
            result[key] = _build(loader, value_node, child, source)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, (*path, index), source) for index, item in enumerate(node.value)
        ]
    return _scalar(loader, node, path, source)


def _scalar(loader: _Loader, node: yaml.Node, path: KeyPath, source: YamlSource) -> Any:
    """The value of a scalar node, as ``safe_load`` makes it; ``None`` and a problem at
    ``path`` for a number too long to read or a value that cannot be constructed."""
    if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_LENGTH:
        source.lines.setdefault(path, node.start_mark.line + 1)
        source.problem(path, N_("a number written with %(length)s characters; at most "
                                "%(most)s are allowed", length=len(node.value),
                                most=MAX_NUMBER_LENGTH))
        return None
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. the date 2026-02-31
        source.lines.setdefault(path, node.start_mark.line + 1)
        source.problem(path, N_("cannot read %(value)s: %(error)s", value=repr(node.value),
                                error=str(exc)))
        return None
