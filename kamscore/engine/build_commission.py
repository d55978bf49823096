"""Reading a commission component (``commission:``) and a plan's ramp (``ramp:``) from YAML.

A commission pays rate x amount in the plan's currency (``kamscore.engine.commission``): its
metric must give an amount (unit ``currency``); its rows carry ``rate``s (shares of the
amount, 0 to 100 %), not factors of a target, so the 1000 % limit on factors does not apply.
"""

from __future__ import annotations

from typing import Any

from kamscore.content.yaml_source import KeyPath
from kamscore.engine.build_tables import commission_rate, read_tier_rows
from kamscore.engine.building import BuildContext
from kamscore.engine.model import (
    TENURE_ATTRIBUTE,
    AttributeType,
    Basis,
    Commission,
    Component,
    Missing,
    Ramp,
    RampOn,
    RatingUnit,
    TierMode,
    Variant,
)
from kamscore.engine.reader import describe, suggestion
from kamscore.sentences import N_

COMMISSION_KEYS = ("basis", "attainment", "rating", "base_rate")
#: What a commission component may set besides ``commission`` itself.
COMMISSION_SCORING = ("commission", "missing")


def read_commission(ctx: BuildContext, path: KeyPath, raw: Any, component_id: str,
                    unit: str | None) -> Commission | None:
    data = ctx.reader.mapping(path, raw, required=("mode", "rows"), optional=COMMISSION_KEYS,
                              what=N_("a commission (mode, rows, basis, rating)"))
    if data is None:
        return None
    ok = True
    if unit is not None and unit != "currency":
        ctx.reader.problem(path, N_("a commission is paid on an amount: metric %(metric)s "
                                    "gives a %(unit)s, not a currency amount (use the "
                                    "`amount` metric)",
                                    metric=repr(ctx.metrics.get(component_id)), unit=unit))
        ok = False
    mode = ctx.reader.choice((*path, "mode"), data.get("mode"),
                             [TierMode.FLAT.value, TierMode.MARGINAL.value])
    basis = ctx.reader.choice((*path, "basis"), data.get("basis", "amount"),
                              [b.value for b in Basis])
    rating = ctx.reader.choice((*path, "rating"), data.get("rating", "period"),
                               [r.value for r in RatingUnit])
    if None in (mode, basis, rating):
        return None
    attainment = _attainment(ctx, path, data, basis)
    if basis == Basis.ATTAINMENT and attainment is None:
        ok = False
    if basis == Basis.ATTAINMENT and rating == RatingUnit.TRANSACTION:
        ctx.reader.problem((*path, "rating"), N_("a transaction has no attainment of its "
                                                 "own: rate each transaction on its amount "
                                                 "(basis: amount), or rate the period "
                                                 "(rating: period)"))
        ok = False
    tier_unit = "currency" if basis == Basis.AMOUNT else "ratio"
    table = read_tier_rows(ctx, path, data, str(mode), tier_unit, "higher", "rate",
                           commission=True)
    if table is None:
        return None
    base_rate = table.tiers[0].rate
    if "base_rate" in data:
        read = commission_rate(ctx, (*path, "base_rate"), data["base_rate"])
        ok = ok and read is not None
        base_rate = read if read is not None else base_rate
    if not ok:
        return None
    return Commission(TierMode(mode), table.tiers, Basis(basis), attainment,
                      RatingUnit(rating), base_rate)


def _attainment(ctx: BuildContext, path: KeyPath, data: dict[str, Any],
                basis: str) -> str | None:
    if basis != Basis.ATTAINMENT:
        if "attainment" in data:
            ctx.reader.problem((*path, "attainment"), N_("`attainment` names the component "
                                                         "giving the attainment; it goes with "
                                                         "basis: attainment"))
        return None
    component = data.get("attainment")
    if component not in ctx.metrics:
        ctx.reader.problem((*path, "attainment"),
                           N_("basis: attainment needs `attainment:` naming the component "
                              "that gives the attainment (a ratio), found %(found)s%(hint)s",
                              found=describe(component),
                              hint=suggestion(str(component), list(ctx.metrics))))
        return None
    unit = ctx.unit_of(component)
    if unit != "ratio":
        ctx.reader.problem((*path, "attainment"), N_("component %(component)s gives a "
                                                     "%(unit)s, not an attainment (a ratio)",
                                                     component=repr(component), unit=unit))
        return None
    return str(component)


def commission_rules(ctx: BuildContext, path: KeyPath, data: dict[str, Any]) -> bool:
    """A commission component sets only ``commission`` and ``missing`` (not at_target:
    a commission has no target)."""
    ok = True
    for key in ("cap", "floor"):
        if key in data:
            ctx.reader.problem((*path, key), N_("`%(key)s` bounds a factor of the target; a "
                                                "commission pays rate x amount (limit the "
                                                "payout with limits.cap_amount)", key=key))
            ok = False
    if data.get("missing") == Missing.AT_TARGET.value:
        ctx.reader.problem((*path, "missing"), N_("a commission has no target to pay at: "
                                                  "use exclude, zero or hold"))
        ok = False
    return ok


def read_ramp(ctx: BuildContext, raw: Any) -> Ramp | None:
    path: KeyPath = ("ramp",)
    data = ctx.reader.mapping(path, raw, required=("applies_to", "periods"),
                              optional=("components",), what=N_("a ramp (applies_to, periods)"))
    if data is None:
        return None
    on = ctx.reader.choice((*path, "applies_to"), data.get("applies_to"),
                           [r.value for r in RampOn])
    items = ctx.reader.sequence((*path, "periods"), data.get("periods"),
                                what=N_("a list of factors, one per period from the start"))
    if on is None or items is None:
        return None
    factors = []
    ok = True
    for index, item in enumerate(items):
        read = ctx.reader.number((*path, "periods", index), item,
                                 what=N_("a ramp factor (like 50%)"), minimum=0.0, maximum=1.0)
        if read is None:
            ok = False
        elif read == 0 and on == RampOn.QUOTA:
            ctx.reader.problem((*path, "periods", index),
                               N_("a quota ramped to 0 has no attainment: give a factor "
                                  "above 0"))
            ok = False
        factors.append(read or 0.0)
    components: list[str] = []
    raw_components = data.get("components", [])
    if on == RampOn.QUOTA:
        listed = ctx.reader.sequence((*path, "components"), raw_components,
                                     what=N_("a list of component ids"))
        for index, cid in enumerate(listed or []):
            if cid not in ctx.metrics:
                ctx.reader.problem((*path, "components", index),
                                   N_("unknown component %(component)s%(hint)s",
                                      component=describe(cid),
                                      hint=suggestion(str(cid), list(ctx.metrics))))
                ok = False
            elif ctx.unit_of(cid) != "ratio":
                ctx.reader.problem((*path, "components", index),
                                   N_("component %(component)s gives a %(unit)s, not an "
                                      "attainment (a ratio): only attainment has a quota",
                                      component=repr(cid), unit=ctx.unit_of(cid)))
                ok = False
            else:
                components.append(str(cid))
        ok = ok and listed is not None
    elif "components" in data:
        ctx.reader.problem((*path, "components"), N_("`components` names the attainments "
                                                     "whose quota is ramped; it goes with "
                                                     "applies_to: quota"))
        ok = False
    if not ok:
        return None
    ctx.attributes.setdefault(TENURE_ATTRIBUTE, AttributeType.NUMBER)
    return Ramp(RampOn(on), tuple(factors), tuple(components))


def check_shapes(ctx: BuildContext, components: list[Component], variants: list[Variant]
                 ) -> None:
    """Whole-plan rules of commissions: a variant keeps a commission a commission (and
    gives it no weight)."""
    base = {c.id: isinstance(c.scoring.transform, Commission) for c in components}
    for index, variant in enumerate(variants):
        for cid, scoring in variant.scoring.items():
            commission = isinstance(scoring.transform, Commission)
            if commission != base.get(cid, commission):
                ctx.reader.problem(("variants", index, "components", cid),
                                   N_("component %(component)s is a commission in the plan; "
                                      "a variant may change its table but not make it a bonus "
                                      "component", component=repr(cid)) if base[cid] else
                                   N_("component %(component)s is a bonus component in the "
                                      "plan; a variant may change its table but not make it a "
                                      "commission", component=repr(cid)))
            elif commission and scoring.weight:
                ctx.reader.problem(("variants", index, "weights", cid),
                                   N_("component %(component)s is a commission (rate x "
                                      "amount): it has no weight", component=repr(cid)))
