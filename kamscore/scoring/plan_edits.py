"""Edits of a plan's parameters, applied to its YAML text: pure functions, no database.

What-if changes a ruleset the way an analyst would with an editor: the numbers are replaced
where they are written, everything else (comments, layout, the order of keys, line numbers)
stays as it was, so the engine's check still points at the lines the analyst sees.

- ``numeric_leaves`` lists every number of the plan with its key path in the engine's
  notation (``components[0].curve.points[1].at``) — the form for the common edits is
  generated from it;
- ``set_values`` replaces some of them ({key path: new text});
- ``weight_table`` reads the weights of the plan and of every variant (a variant lists only
  the weights it changes; the others are the plan's);
- ``set_weights`` changes weights of the plan and under variants. A variant keeps the
  weights it had unless they are given: when the plan's weight of a component the variant
  does not list changes, the variant gets its old weight written out, so every variant
  still adds up to 100 %. When a plan or a variant does not add up to 100 %, the refusal
  names it.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from kamscore.scoring.errors import InvalidInputError

#: A number as a ruleset writes it: ``40``, ``-5%``, ``0.75``, ``1e3``, ``5 pts``.
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*(%|pts)?$")
#: Sections whose numbers are not parameters of the plan.
NOT_PARAMETERS = frozenset({"version", "rounding"})
TOLERANCE = 1e-6  # percent
#: libyaml's parser when PyYAML has it (ten times faster; the same nodes and character marks)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DIGITS = 40  # characters of a number typed into a form


@dataclass(frozen=True)
class Leaf:
    """A number written in the plan: where (key path, 1-based line, character span)."""

    path: str
    text: str
    line: int
    start: int
    end: int


def _compose(source: str, filename: str) -> Any:
    try:
        return yaml.compose(source, Loader=LOADER)
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"{filename}: YAML syntax: {exc}", field="source") from exc


def _walk(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield from _walk(value, f"{path}.{key.value}" if path else str(key.value))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _walk(item, f"{path}[{i}]")


def _is_number(node: Any) -> bool:
    return (isinstance(node, yaml.ScalarNode) and not node.style  # plain: None, or ""
            and NUMBER.match(node.value) is not None)


def numeric_leaves(source: str, filename: str = "draft.yaml") -> tuple[Leaf, ...]:
    """Every plain number of the plan (not ``version`` nor ``rounding``), in text order."""
    return _numeric_leaves(source, filename)


@functools.lru_cache(maxsize=16)  # the page reads the same plan's text on every request
def _numeric_leaves(source: str, filename: str) -> tuple[Leaf, ...]:
    root = _compose(source, filename)
    leaves = []
    for path, node in _walk(root, ""):
        if path.split(".")[0].split("[")[0] in NOT_PARAMETERS or not _is_number(node):
            continue
        leaves.append(Leaf(path, node.value, node.start_mark.line + 1,
                           node.start_mark.index, node.end_mark.index))
    return tuple(leaves)


def _too_long(value: str, what: str, field: str) -> None:
    if len(value) > MAX_DIGITS:
        raise InvalidInputError(f"{what}: a number written with {len(value)} characters; at "
                                f"most {MAX_DIGITS} are allowed", field=field)


def _check_number(text: Any, what: str, field: str) -> str:
    value = str(text).strip()
    _too_long(value, what, field)
    if not NUMBER.match(value):
        shown = f"'{value}'" if value else "empty"
        raise InvalidInputError(f"{what}: {shown} is not a number (write e.g. 40, 85% or 1.5)",
                                field=field)
    return value


def set_values(source: str, edits: Mapping[str, Any], filename: str = "draft.yaml") -> str:
    """``source`` with the numbers at the given key paths replaced by the given texts.

    Only numbers may be replaced, by numbers: the replaced text stays on its line, so line
    numbers do not move. An unknown path is an error (naming it)."""
    leaves = {leaf.path: leaf for leaf in numeric_leaves(source, filename)}
    unknown = sorted(set(edits) - set(leaves))
    if unknown:
        raise InvalidInputError(f"no number at {', '.join(unknown)} in the ruleset",
                                field="values")
    changes = [(leaves[p].start, leaves[p].end, _check_number(text, p, "values"))
               for p, text in edits.items()]
    return _apply(source, changes)


def _apply(source: str, changes: list[tuple[int, int, str]]) -> str:
    for start, end, text in sorted(changes, reverse=True):
        source = source[:start] + text + source[end:]
    return source


# -- weights ---------------------------------------------------------------------------------


def percent(text: Any) -> float:
    """A weight as written (``40``, ``40%``, ``40 %``) in percent."""
    value = str(text).strip().removesuffix("%").strip()
    return float(value)


def _format(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else format(value, ".10g")


def _value(node: Any, key: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return value_node
    return None


def _scalar(node: Any, key: str) -> str | None:
    found = _value(node, key)
    return found.value if isinstance(found, yaml.ScalarNode) else None


def _title(node: Any) -> str | None:
    """A title written as a text or as translations (``{en: …, zh-Hant: …}``: the English)."""
    found = _value(node, "title")
    if isinstance(found, yaml.MappingNode):
        return _scalar(found, "en")
    return found.value if isinstance(found, yaml.ScalarNode) else None


@dataclass(frozen=True)
class WeightTable:
    """The weights of the plan and of its variants, in percent."""

    components: tuple[str, ...]
    titles: Mapping[str, str]
    variants: tuple[str, ...]
    variant_titles: Mapping[str, str]
    base: Mapping[str, float]
    overrides: Mapping[str, Mapping[str, float]]  # variant → only the weights it lists

    def effective(self, variant: str | None = None) -> dict[str, float]:
        """The weight of every component under ``variant`` (None: the plan as written)."""
        weights = dict(self.base)
        if variant is not None:
            weights.update(self.overrides[variant])
        return weights

    def text(self, variant: str | None, component: str) -> str:
        """A weight as a form shows it: ``25``, ``12.5``."""
        return _format(self.effective(variant)[component])

    def total(self, variant: str | None = None) -> str:
        return _format(round(sum(self.effective(variant).values()), 6))


@dataclass(frozen=True)
class _Nodes:
    table: WeightTable
    base: Mapping[str, Any]  # component → its weight node
    variant: Mapping[str, Any]  # variant → its mapping node
    weights: Mapping[str, Any]  # variant → its ``weights`` node (if any)


@functools.lru_cache(maxsize=16)
def _nodes(source: str, filename: str) -> _Nodes:
    root = _compose(source, filename)
    components, titles, base, base_nodes = [], {}, {}, {}
    listed = _value(root, "components")
    for item in listed.value if isinstance(listed, yaml.SequenceNode) else []:
        cid, weight = _scalar(item, "id"), _value(item, "weight")
        if cid is None or not _is_number(weight):
            continue
        components.append(cid)
        titles[cid] = _title(item) or cid
        base[cid] = percent(weight.value)
        base_nodes[cid] = weight
    variants, vtitles, overrides, vnodes, wnodes = [], {}, {}, {}, {}
    listed = _value(root, "variants")
    for item in listed.value if isinstance(listed, yaml.SequenceNode) else []:
        vid = _scalar(item, "id")
        if vid is None:
            continue
        variants.append(vid)
        vtitles[vid] = _title(item) or vid
        vnodes[vid] = item
        weights = _value(item, "weights")
        overrides[vid] = {}
        if isinstance(weights, yaml.MappingNode):
            wnodes[vid] = weights
            for key, value in weights.value:
                if key.value in base and _is_number(value):
                    overrides[vid][key.value] = percent(value.value)
    table = WeightTable(tuple(components), titles, tuple(variants), vtitles, base, overrides)
    return _Nodes(table, base_nodes, vnodes, wnodes)


def weight_table(source: str, filename: str = "draft.yaml") -> WeightTable:
    """The weights of the plan and of each variant (see ``WeightTable``)."""
    return _nodes(source, filename).table


def _parse_weights(given: Mapping[str, Any], known: tuple[str, ...], where: str
                   ) -> dict[str, tuple[float, str]]:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InvalidInputError(
            f"no component {', '.join(map(repr, unknown))} in the ruleset (its components: "
            f"{', '.join(known)})", field="weights")
    parsed = {}
    for cid, text in given.items():
        value = str(text).strip()
        _too_long(value, f"weight of {cid}{where}", "weights")
        try:
            number = percent(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or not NUMBER.match(value) or value.endswith("pts"):
            shown = f"'{value}'" if value else "empty"
            raise InvalidInputError(f"weight of {cid}{where}: {shown} is not a percentage "
                                    "(write e.g. 15 or 15%)", field="weights")
        parsed[cid] = (number, value)
    return parsed


def _sum_problem(weights: Mapping[str, float], order: tuple[str, ...], where: str
                 ) -> str | None:
    total = sum(weights.values())
    if abs(total - 100) <= TOLERANCE:
        return None
    terms = " + ".join(f"{c} {_format(weights[c])}" for c in order if weights[c])
    return (f"{where}: the weights add up to {_format(round(total, 6))} %, expected 100 % "
            f"({terms})")


def set_weights(source: str, base: Mapping[str, Any] | None = None,
                variants: Mapping[str, Mapping[str, Any]] | None = None,
                filename: str = "draft.yaml") -> str:
    """``source`` with weights changed: ``base`` {component: percent} for the plan,
    ``variants`` {variant: {component: percent}} under variants.

    A variant keeps the weight it had for each component not given for it (its old weight
    is written into its ``weights`` when the plan's changes). The plan and every variant
    must add up to 100 %: otherwise an ``InvalidInputError`` lists each that does not, by
    name, with its sum."""
    nodes = _nodes(source, filename)
    table = nodes.table
    base_given = _parse_weights(base or {}, table.components, "")
    unknown = sorted(set(variants or {}) - set(table.variants))
    if unknown:
        raise InvalidInputError(
            f"no variant {', '.join(map(repr, unknown))} in the ruleset (its variants: "
            f"{', '.join(table.variants) or 'none'})", field="weights")
    new_base = {**table.base, **{c: n for c, (n, _) in base_given.items()}}
    problems = []
    problem = _sum_problem(new_base, table.components, "the plan (default)")
    if problem:
        problems.append(problem)
    wanted: dict[str, dict[str, float]] = {}
    for vid in table.variants:
        given = _parse_weights((variants or {}).get(vid, {}), table.components,
                               f" under variant '{vid}'")
        effective = {**table.effective(vid), **{c: n for c, (n, _) in given.items()}}
        problem = _sum_problem(effective, table.components,
                               f"variant '{vid}' ({table.variant_titles[vid]})")
        if problem:
            problems.append(problem)
        wanted[vid] = {c: w for c, w in effective.items()
                       if c in table.overrides[vid] or abs(w - new_base[c]) > TOLERANCE}
    if problems:
        raise InvalidInputError(problems[0] if len(problems) == 1 else
                                f"{len(problems)} weight sums are not 100 %",
                                field="weights", problems=problems)
    changes = [(nodes.base[c].start_mark.index, nodes.base[c].end_mark.index, text)
               for c, (n, text) in base_given.items() if n != table.base[c]
               or text != nodes.base[c].value]
    for vid in table.variants:
        changes.extend(_variant_changes(source, nodes, vid, wanted[vid]))
    return _apply(source, changes)


def _line_end(source: str, index: int) -> int:
    """The index just after the end of the line holding ``index``."""
    found = source.find("\n", index)
    return len(source) if found < 0 else found + 1


def _variant_changes(source: str, nodes: _Nodes, vid: str, wanted: Mapping[str, float]
                     ) -> list[tuple[int, int, str]]:
    old = nodes.table.overrides[vid]
    changes = []
    weights = nodes.weights.get(vid)
    for key, value in weights.value if weights is not None else []:
        if key.value in wanted and abs(wanted[key.value] - old[key.value]) > TOLERANCE:
            changes.append((value.start_mark.index, value.end_mark.index,
                            _format(wanted[key.value])))
    new = [(c, w) for c, w in wanted.items() if c not in old]
    if not new:
        return changes
    pairs = ", ".join(f"{c}: {_format(w)}" for c, w in new)
    if weights is None:  # a line `weights: {...}` after the variant's id
        item = nodes.variant[vid]
        if item.flow_style:
            at = item.end_mark.index - 1
            return [*changes, (at, at, f", weights: {{{pairs}}}")]
        id_key = next(k for k, _ in item.value if k.value == "id")
        at = _line_end(source, id_key.start_mark.index)
        prefix = "" if source[at - 1:at] == "\n" else "\n"
        return [*changes, (at, at, f"{prefix}{' ' * id_key.start_mark.column}weights: "
                                   f"{{{pairs}}}\n")]
    if weights.flow_style:
        at = weights.end_mark.index - 1  # the closing brace
        return [*changes, (at, at, (", " if weights.value else "") + pairs)]
    column = weights.value[0][0].start_mark.column
    at = _line_end(source, weights.value[-1][1].end_mark.index - 1)
    prefix = "" if source[at - 1:at] == "\n" else "\n"
    lines = "".join(f"{' ' * column}{c}: {_format(w)}\n" for c, w in new)
    return [*changes, (at, at, prefix + lines)]
