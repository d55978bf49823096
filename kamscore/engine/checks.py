"""Whole-plan checks, made once every component and variant has been read: weights add up
to 100 % under the default plan and under every variant, and declared part and horizon splits
(``parts: {individual: 80, team: 20}``) match the components' weights."""

from __future__ import annotations

from collections.abc import Mapping

from kamscore.content.yaml_source import KeyPath
from kamscore.engine.building import BuildContext
from kamscore.engine.model import Commission, Component, Scoring, Variant
from kamscore.sentences import N_, Sentence

TOLERANCE = 1e-9


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.10g} %"


def check_base_weights(ctx: BuildContext) -> None:
    """The default plan's weights add up to 100 % (checked even when other parts of the
    components are wrong, as soon as every weight could be read)."""
    total = sum(ctx.weights.values())
    if abs(total - 1.0) <= TOLERANCE:
        return
    terms = " + ".join(f"{cid} {_percent(w)}" for cid, w in ctx.weights.items() if w)
    _weights_problem(ctx, ("components",), "", total, terms)


def check_plan(ctx: BuildContext, components: list[Component], variants: list[Variant],
               parts: Mapping[str, float] | None, horizons: Mapping[str, float] | None) -> None:
    """Variants' weights, and part and horizon splits (everything built without problems)."""
    plans: list[tuple[Sentence | str, KeyPath, Mapping[str, Scoring]]] = [
        ("", ("components",), {c.id: c.scoring for c in components}),
    ]
    for index, variant in enumerate(variants):
        plans.append((N_(" under variant %(variant)s", variant=repr(variant.id)),
                      ("variants", index, "weights"), variant.scoring))
    for label, path, scoring in plans[1:]:
        _check_weights(ctx, path, label, scoring)
    for label, path, scoring in plans:
        for axis, split in (("part", parts), ("horizon", horizons)):
            if split:
                _check_split(ctx, path, label, axis, split, components, scoring)


def _check_weights(ctx: BuildContext, path: KeyPath, label: Sentence | str,
                   scoring: Mapping[str, Scoring]) -> None:
    if any(isinstance(s.transform, Commission) for s in scoring.values()) and not any(
            s.weight for s in scoring.values()):
        return  # commissions alone (and unpaid components): no weights
    total = sum(s.weight for s in scoring.values())
    if abs(total - 1.0) <= TOLERANCE:
        return
    terms = " + ".join(f"{cid} {_percent(s.weight)}" for cid, s in scoring.items() if s.weight)
    _weights_problem(ctx, path, label, total, terms)


def _weights_problem(ctx: BuildContext, path: KeyPath, label: Sentence | str, total: float,
                     terms: str) -> None:
    hint: Sentence | str = ""
    if abs(total * 100 - 1.0) <= 1e-6:
        hint = N_("; weights are percentages: write 40 or 40%%, not %(wrong)s", wrong="0.4")
    ctx.reader.problem(path, N_("weights add up to %(total)s%(label)s (%(terms)s), expected "
                                "100 %%%(hint)s", total=_percent(total), label=label,
                                terms=terms or N_("none"), hint=hint))


def _check_split(ctx: BuildContext, path: KeyPath, label: Sentence | str, axis: str,
                 split: Mapping[str, float], components: list[Component],
                 scoring: Mapping[str, Scoring]) -> None:
    for name, wanted in split.items():
        have = sum(scoring[c.id].weight for c in components
                   if getattr(c, axis).value == name)
        if abs(have - wanted) > TOLERANCE:
            ctx.reader.problem(path, N_("the %(name)s components weigh %(have)s%(label)s, but "
                                        "%(axis)ss declares %(name)s: %(wanted)s", name=name,
                                        have=_percent(have), label=label, axis=axis,
                                        wanted=_percent(wanted)))
    for component in components:
        name = getattr(component, axis).value
        if name not in split and scoring[component.id].weight > 0:
            ctx.reader.problem(path, N_("component %(component)s is %(axis)s %(name)s, which "
                                        "the declared %(axis)ss leave out",
                                        component=repr(component.id), axis=axis,
                                        name=repr(name)))
