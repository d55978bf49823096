"""Ruleset YAML -> validated ``Ruleset``, with every problem at its file, line and key path.

``load_ruleset(text, filename, catalogue, functions)`` returns the ruleset or raises
``SourceError`` (``kamscore.content.yaml_source``) listing *all* problems found, each printed as
``rulesets/standard.yaml:42: components[3].curve.points[2].at: breakpoints must be in
increasing order of value: ...``. ``check_ruleset`` returns the problems instead.

The loader reads only the text it is given; the metric catalogue and the formula functions
are plain mappings handed in by the caller (``engine.catalogue``), so validation is the same
in ``kamscore ruleset check``, on import, in the API, and in tests with a fake catalogue.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from kamscore.content.yaml_source import KeyPath, Problem, SourceError, YamlSource, load_yaml
from kamscore.engine.build_commission import check_shapes, read_ramp
from kamscore.engine.build_components import build_component, register_components
from kamscore.engine.build_rules import read_gates, read_modifiers, read_variants
from kamscore.engine.build_tables import factor, read_weight
from kamscore.engine.building import BuildContext, name_clash
from kamscore.engine.catalogue import FunctionTable, MetricCatalogue
from kamscore.engine.checks import check_base_weights, check_plan
from kamscore.engine.model import (
    STANDARD_ATTRIBUTES,
    AttributeType,
    Eligibility,
    Horizon,
    Limits,
    Part,
    PeriodKind,
    RampOn,
    Rounding,
    RoundingMode,
    Ruleset,
    TargetIncentive,
    TargetRule,
)
from kamscore.engine.reader import Reader, describe, parse_quantity
from kamscore.sentences import N_, Sentence

MAX_SOURCE = 500_000  # characters
TOP_REQUIRED = ("name", "version", "period", "currency", "target_incentive", "components")
TOP_OPTIONAL = ("title", "description", "rounding", "eligibility", "parameters", "attributes",
                "parts", "horizons", "variants", "gates", "modifiers", "limits", "ramp",
                "acknowledgment")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def load_ruleset(text: str, filename: str, catalogue: MetricCatalogue,
                 functions: FunctionTable | None = None) -> Ruleset:
    """The validated ruleset; raises ``SourceError`` with every problem."""
    ruleset, problems = _build(text, filename, catalogue, functions or {})
    if problems or ruleset is None:
        raise SourceError(problems)
    return ruleset


def check_ruleset(text: str, filename: str, catalogue: MetricCatalogue,
                  functions: FunctionTable | None = None) -> list[Problem]:
    """Every problem of the ruleset (empty when it is valid), sorted by line."""
    try:
        _ruleset, problems = _build(text, filename, catalogue, functions or {})
    except SourceError as exc:
        return exc.problems
    return sorted(problems, key=lambda p: (p.line or 0, p.path, p.message))


def _build(text: str, filename: str, catalogue: MetricCatalogue, functions: FunctionTable
           ) -> tuple[Ruleset | None, list[Problem]]:
    if len(text) > MAX_SOURCE:
        return None, [Problem(filename, None, "(document)",
                              f"the file is {len(text)} characters long; a ruleset may have at "
                              f"most {MAX_SOURCE}")]
    # a syntax error, an alias or too deep a nesting raises SourceError (with its line)
    source = load_yaml(text, filename, kind="rulesets")
    builder = _Builder(source, catalogue, functions)
    ruleset = builder.build()
    return (ruleset if not source.problems else None), list(source.problems)


def _unpaid(item: dict[str, Any]) -> bool:
    """A component written with weight 0 (computed for gates and formulas, not paid)."""
    quantity = parse_quantity(item.get("weight"))
    return quantity is not None and quantity.value == 0


class _Builder:
    def __init__(self, source: YamlSource, catalogue: MetricCatalogue,
                 functions: FunctionTable) -> None:
        self.source = source
        self.reader = Reader(source)
        self.ctx = BuildContext(self.reader, catalogue, functions)

    def build(self) -> Ruleset | None:
        raw = self.source.data
        items = raw.get("components") if isinstance(raw, dict) else None
        commissions_only = isinstance(items, list) and any(
            isinstance(i, dict) and "commission" in i for i in items) and all(
            isinstance(i, dict) and ("commission" in i or _unpaid(i)) for i in items)
        required = TOP_REQUIRED
        if commissions_only:  # commissions alone: no target incentive needed
            required = tuple(k for k in TOP_REQUIRED if k != "target_incentive")
        data = self.reader.mapping((), raw, required=required,
                                   optional=(*TOP_OPTIONAL, *(
                                       ("target_incentive",) if commissions_only else ())),
                                   what=N_("a ruleset (a mapping)"))
        if data is None:
            return None
        r = self.reader
        name = r.identifier(("name",), data.get("name"), what=N_("a ruleset name")) \
            if "name" in data else None
        version = self._version(data.get("version")) if "version" in data else None
        period = r.choice(("period",), data.get("period"), [p.value for p in PeriodKind]) \
            if "period" in data else None
        currency = data.get("currency")
        if "currency" in data and (not isinstance(currency, str)
                                   or not _CURRENCY.match(currency)):
            r.problem(("currency",), N_("expected a three-letter currency code like EUR, "
                                        "found %(found)s", found=describe(currency)))
        title, titles = r.translated(("title",), data.get("title", name or ""), name or "")
        description = self._optional_text(data, "description", "")
        rounding = self._rounding(data.get("rounding", {}))
        eligibility = self._eligibility(data.get("eligibility", {}))
        hold_unacknowledged = self._acknowledgment(data.get("acknowledgment", {}))
        self._attributes(data.get("attributes", {}))
        self._parameters(data.get("parameters", {}))
        target = self._target(data.get("target_incentive")) \
            if "target_incentive" in data else None
        found = register_components(self.ctx, data.get("components"))
        ramp = read_ramp(self.ctx, data["ramp"]) if "ramp" in data else None
        components = [build_component(self.ctx, path, item) for path, item in found]
        built = [c for c in components if c is not None]
        if isinstance(items, list) and items and len(self.ctx.weights) == len(items) and (
                not commissions_only):
            check_base_weights(self.ctx)
        if "target_incentive" not in data:
            target = TargetIncentive(None, {}, TargetRule(amount=0.0))
        if ramp is not None and ramp.on is RampOn.TARGET_INCENTIVE and commissions_only:
            self.reader.problem(("ramp", "applies_to"), N_("a plan of commissions alone has "
                                                           "no target incentive to ramp: ramp "
                                                           "the quota"))
        variants = read_variants(self.ctx, data.get("variants", []), built)
        gates = read_gates(self.ctx, data.get("gates", []))
        modifiers = read_modifiers(self.ctx, data.get("modifiers", []))
        limits = self._limits(data.get("limits", {}), rounding)
        parts = self._splits("parts", data.get("parts"), [p.value for p in Part])
        horizons = self._splits("horizons", data.get("horizons"), [h.value for h in Horizon])
        if None in components or not built:
            return None
        if variants is None or gates is None or modifiers is None:
            return None
        check_shapes(self.ctx, built, variants)
        check_plan(self.ctx, built, variants, parts, horizons)
        if self.source.problems:
            return None
        assert name and version and period and isinstance(currency, str) and target
        assert rounding and eligibility and limits
        return Ruleset(
            name=name, version=version, title=title, titles=titles, description=description,
            period=PeriodKind(period), currency=currency, rounding=rounding,
            eligibility=eligibility, target=target, components=tuple(built),
            variants=tuple(variants), gates=tuple(gates), modifiers=tuple(modifiers),
            limits=limits, parameters={k: q.value for k, q in self.ctx.parameters.items()},
            attributes=dict(self.ctx.attributes),
            part_splits={Part(k): v for k, v in (parts or {}).items()},
            horizon_splits={Horizon(k): v for k, v in (horizons or {}).items()},
            ramp=ramp, source=self.source.filename,
            hold_unacknowledged=bool(hold_unacknowledged),
        )

    # -- head --------------------------------------------------------------------------------
    def _version(self, raw: Any) -> str | None:
        if isinstance(raw, bool) or not isinstance(raw, int | str) or (
            isinstance(raw, int) and raw < 1) or (isinstance(raw, str) and not raw.strip()):
            self.reader.problem(("version",), N_("expected a version number (1, 2, ...) or a "
                                                 "version text, found %(found)s",
                                                 found=describe(raw)))
            return None
        return str(raw)

    def _optional_text(self, data: dict[str, Any], key: str, default: str) -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            self.reader.problem((key,), N_("expected a text, found %(found)s",
                                           found=describe(value)))
            return default
        return value

    def _rounding(self, raw: Any) -> Rounding | None:
        data = self.reader.mapping(("rounding",), raw, optional=("step", "mode"))
        if data is None:
            return None
        step = Decimal("0.01")
        if "step" in data:
            read = self.reader.decimal(("rounding", "step"), data["step"],
                                       what=N_("a rounding step like 0.01, 0.05 or 1"))
            if read is None:
                return None
            if read <= 0 or (read * 1_000_000) % 1 != 0:
                self.reader.problem(("rounding", "step"), N_("expected a positive step with "
                                                             "at most 6 decimals, found "
                                                             "%(found)s", found=f"{read:f}"))
                return None
            step = read
        mode = self.reader.choice(("rounding", "mode"), data.get("mode", "half_even"),
                                  [m.value for m in RoundingMode])
        return Rounding(step, RoundingMode(mode)) if mode else None

    def _acknowledgment(self, raw: Any) -> bool | None:
        """``acknowledgment: {hold_payouts: true}``: hold the payouts of KAMs who have not
        acknowledged their plan document (default false)."""
        data = self.reader.mapping(("acknowledgment",), raw, optional=("hold_payouts",))
        if data is None:
            return None
        return self.reader.boolean(("acknowledgment", "hold_payouts"),
                                   data.get("hold_payouts", False))

    def _eligibility(self, raw: Any) -> Eligibility | None:
        r = self.reader
        data = r.mapping(("eligibility",), raw, optional=("roles", "min_days", "prorate"))
        if data is None:
            return None
        roles: tuple[str, ...] | None = None
        if data.get("roles") is not None:
            items = r.sequence(("eligibility", "roles"), data["roles"], what=N_("a list of roles"))
            if items is None:
                return None
            texts = [r.text(("eligibility", "roles", i), v, what=N_("a role"))
                     for i, v in enumerate(items)]
            if None in texts:
                return None
            roles = tuple(t for t in texts if t is not None)
        min_days = r.integer(("eligibility", "min_days"), data.get("min_days", 0))
        prorate = r.boolean(("eligibility", "prorate"), data.get("prorate", True))
        if min_days is None or prorate is None:
            return None
        return Eligibility(roles, min_days, prorate)

    def _attributes(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            self.reader.problem(("attributes",), N_("expected a mapping of attribute names to "
                                                    "'text' or 'number', found %(found)s",
                                                    found=describe(raw)))
            return
        for name, kind in raw.items():
            path: KeyPath = ("attributes", str(name))
            if self.reader.identifier(path, name, what=N_("an attribute name")) is None:
                continue
            choice = self.reader.choice(path, kind, [t.value for t in AttributeType])
            if choice is None:
                continue
            standard = STANDARD_ATTRIBUTES.get(name)
            if standard is not None and standard.value != choice:
                self.reader.problem(path, N_("%(name)s is a standard attribute of type "
                                             "%(kind)s", name=repr(name), kind=standard.value))
                continue
            self.ctx.attributes[name] = AttributeType(choice)

    def _parameters(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            self.reader.problem(("parameters",), N_("expected a mapping of names to numbers, "
                                                    "found %(found)s", found=describe(raw)))
            return
        for name, value in raw.items():
            path: KeyPath = ("parameters", str(name))
            if self.reader.identifier(path, name, what=N_("a parameter name")) is None:
                continue
            clash = name_clash(self.ctx, name)
            if clash:
                self.reader.problem(path, clash)
                continue
            quantity = self.reader.quantity(path, value, what=N_("a number"))
            if quantity is not None:
                self.ctx.parameters[name] = quantity

    def _target(self, raw: Any) -> TargetIncentive | None:
        path: KeyPath = ("target_incentive",)
        data = self.reader.mapping(path, raw, optional=(
            "amount", "salary_share", "by", "values", "default"), what=N_("a target incentive"))
        if data is None:
            return None
        if "by" not in data:
            for key in ("values", "default"):
                if key in data:
                    self.reader.problem((*path, key), N_("`%(key)s` needs `by` (the attribute "
                                                         "the targets depend on, e.g. grade)",
                                                         key=key))
                    return None
            rule = self._target_rule(path, data)
            return TargetIncentive(None, {}, rule) if rule else None
        by = data["by"]
        if self.ctx.attributes.get(by) is not AttributeType.TEXT:
            self.reader.problem((*path, "by"), N_("expected a text attribute such as role or "
                                                  "grade, found %(found)s", found=describe(by)))
            return None
        for key in ("amount", "salary_share"):
            if key in data:
                self.reader.problem((*path, key), N_("with `by`, give %(key)s under `values` "
                                                     "or `default`", key=key))
                return None
        values = data.get("values")
        if not isinstance(values, dict) or not values:
            self.reader.problem((*path, "values"), N_("expected a mapping of %(by)s values to "
                                                      "targets, found %(found)s", by=by,
                                                      found=describe(values)))
            return None
        rules = {}
        for key, item in values.items():
            rule = self._target_rule((*path, "values", str(key)), item)
            if rule is None:
                return None
            rules[str(key)] = rule
        default = None
        if "default" in data:
            default = self._target_rule((*path, "default"), data["default"])
            if default is None:
                return None
        return TargetIncentive(by, rules, default)

    def _target_rule(self, path: KeyPath, raw: Any) -> TargetRule | None:
        data = self.reader.mapping(path, raw, optional=("amount", "salary_share"),
                                   what=N_("a target: amount or salary_share"))
        if data is None:
            return None
        if len(data) != 1:
            self.reader.problem(path, N_("give exactly one of `amount` (per period) or "
                                         "`salary_share` (of the period's base salary)"))
            return None
        if "amount" in data:
            amount = self.reader.number((*path, "amount"), data["amount"],
                                        what=N_("an amount of money"), minimum=0.0, percent=False)
            return TargetRule(amount=amount) if amount is not None else None
        quantity = parse_quantity(data["salary_share"])
        if quantity is None or quantity.unit == "points" or not 0 < quantity.value <= 1:
            hint: Sentence | str = ""
            if quantity is not None and quantity.unit is None and 1 < quantity.value <= 100:
                hint = N_(": write %(percent)s%% or %(share)s",
                          percent=f"{quantity.value:g}", share=f"{quantity.value / 100:g}")
            self.reader.problem((*path, "salary_share"),
                                N_("expected a share of salary between 0 and 100%% (like "
                                   "12%%), found %(found)s%(hint)s",
                                   found=describe(data["salary_share"]), hint=hint))
            return None
        return TargetRule(salary_share=quantity.value)

    def _limits(self, raw: Any, rounding: Rounding | None) -> Limits | None:
        path: KeyPath = ("limits",)
        data = self.reader.mapping(path, raw, optional=("cap", "floor", "cap_amount"))
        if data is None:
            return None
        cap = factor(self.ctx, (*path, "cap"), data["cap"], N_("a cap (a factor)")) \
            if "cap" in data else None
        floor = factor(self.ctx, (*path, "floor"), data.get("floor", 0), N_("a floor (a factor)"))
        cap_amount = None
        if "cap_amount" in data:
            cap_amount = self.reader.number((*path, "cap_amount"), data["cap_amount"],
                                            what=N_("an amount of money"), minimum=0.0,
                                            percent=False)
            if cap_amount is not None and rounding is not None:
                steps = Decimal(str(data["cap_amount"])) / rounding.step
                if steps != steps.to_integral_value():
                    self.reader.problem((*path, "cap_amount"),
                                        N_("the cap %(cap)s is not a multiple of the rounding "
                                           "step %(step)s", cap=data["cap_amount"],
                                           step=rounding.step))
                    return None
        if floor is None or ("cap" in data and cap is None) or (
                "cap_amount" in data and cap_amount is None):
            return None
        if cap is not None and floor > cap:
            self.reader.problem((*path, "floor"), N_("the floor %(floor)s is above the cap "
                                                     "%(cap)s", floor=f"{floor:g}",
                                                     cap=f"{cap:g}"))
            return None
        return Limits(cap, floor, cap_amount)

    def _splits(self, key: str, raw: Any, names: list[str]) -> dict[str, float] | None:
        if raw is None:
            return None
        data = self.reader.mapping((key,), raw, optional=names,
                                   what=N_("a mapping of %(key)s to percentages", key=key))
        if data is None:
            return None
        result = {}
        for name, value in data.items():
            weight = read_weight(self.ctx, (key, name), value)
            if weight is not None:
                result[name] = weight
        if len(result) == len(data) and abs(sum(result.values()) - 1.0) > 1e-9:
            self.reader.problem((key,), N_("the %(key)s add up to %(total)s %%, expected "
                                           "100 %%", key=key,
                                           total=f"{sum(result.values()) * 100:g}"))
        return result

