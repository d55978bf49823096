"""YAML with line numbers, and problems that say file, line and key path.

Hand-written YAML (survey definitions, rulesets) is validated all at once, and every problem
must point at the place to fix: ``surveys/x.yaml:14: sections[1].questions[0].type: unknown
question type 'ratng'``. PyYAML's ``safe_load`` loses the positions, so ``load_yaml`` composes
the node tree, builds the plain data from it (with PyYAML's own safe constructors, so values
mean exactly what ``safe_load`` would make of them) and keeps the line of every mapping key
and sequence item by its key path. Duplicate keys, which ``safe_load`` silently lets the
last one win, are reported as problems.

Pure: no file is opened here except by ``load_yaml_file``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: A key path: mapping keys (str) and sequence indexes (int), from the document root.
KeyPath = tuple[str | int, ...]


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

    def problem(self, path: KeyPath, message: str) -> Problem:
        """Record (and return) a problem at ``path``."""
        found = Problem(self.filename, self.line_of(path), format_path(path), message)
        self.problems.append(found)
        return found

    def raise_if_problems(self) -> None:
        if self.problems:
            raise SourceError(self.problems)


class _Loader(yaml.SafeLoader):
    """A safe loader whose constructors we call ourselves, node by node."""


def load_yaml(text: str, filename: str) -> YamlSource:
    """Parse one YAML document; a syntax error is raised as a ``SourceError`` with its line.

    Structural problems found while walking the tree (duplicate keys, non-scalar keys) are
    collected in ``YamlSource.problems`` so that a validator can add its own and report all.
    """
    try:
        loader = _Loader(text)
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
    source.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolve YAML merge keys (<<) like safe_load does
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                source.lines[path] = key_node.start_mark.line + 1
                source.problem(path, "a key must be a plain value, not a list or mapping")
                continue
            key = loader.construct_object(key_node, deep=True)
            child = (*path, key if isinstance(key, str | int) else str(key))
            if key in result:
                first = source.lines[child]
                source.lines[child] = key_node.start_mark.line + 1
                source.problem(child, f"duplicate key {key!r} (first given on line {first})")
                source.lines[child] = first
                continue
            source.lines[child] = key_node.start_mark.line + 1
            result[key] = _build(loader, value_node, child, source)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, (*path, index), source) for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)
