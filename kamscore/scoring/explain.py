"""A statement in words: what the KAM reads on his statement page and in ``score show``.

``explain(statement, units)`` turns a stored statement (``kamscore.scoring.statements``) into
plain-language rows — one per component and one per step from the score to the payout — so
the web page and the terminal say the same thing the same way. Pure formatting: no numbers
are computed here except the products already stated in the statement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kamscore.texts import _

TIMES = "\N{MULTIPLICATION SIGN}"
NONE = "\N{EN DASH}"  # shown where there is no number

#: Units shown as percentages (1.0 = 100 %): ratios and shares.
_FRACTION_UNITS = {"ratio", "share", "fraction"}


def pct(value: float | None, digits: int = 1) -> str:
    """0.875 → ``87.5 %``."""
    if value is None:
        return NONE
    return f"{value * 100:,.{digits}f} %"


def money(value: Any, currency: str) -> str:
    """``"1175.00"`` → ``1,175.00 EUR`` (the stored decimal text, grouped)."""
    if value is None:
        return NONE
    text = str(value)
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-') or 0):,}"
    return f"{sign}{grouped}{'.' + fraction if fraction else ''} {currency}"


def metric_value(value: Any, unit: str | None) -> str:
    """A metric value in its unit: ratios and shares as percentages, others as numbers."""
    if value is None:
        return _("no data")
    if isinstance(value, str):
        return value
    if unit in _FRACTION_UNITS:
        return pct(value)
    if unit in ("percent", "pct"):
        return f"{value:,.1f} %"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def _inputs(inputs: Mapping[str, Any]) -> str:
    parts = []
    for name, value in inputs.items():
        if isinstance(value, list):
            parts.append(f"{name.replace('_', ' ')}: {len(value)}")
        elif isinstance(value, float):  # grouped, never in exponent form (2.80694e+07)
            text = f"{value:,.2f}" if abs(value) >= 1000 else f"{value:.6g}"
            parts.append(f"{name.replace('_', ' ')} {text}")
        elif value is not None:
            parts.append(f"{name.replace('_', ' ')} {value}")
    return "; ".join(parts)


@dataclass
class ComponentExplanation:
    id: str
    title: str
    metric: str
    value: str
    n: str
    inputs: str
    reason: str | None
    treatment: str
    segment: str
    factor: str
    adjustments: list[str] = field(default_factory=list)
    weight: str = ""
    contribution: str = ""
    gates: list[str] = field(default_factory=list)
    details: list[dict[str, Any]] = field(default_factory=list)  # assignments etc.
    commission: str = ""  # a commission line: rate x amount = commission


@dataclass
class Explanation:
    kam: str
    name: str
    status: str
    payout: str
    reasons: list[str]
    variant: str
    components: list[ComponentExplanation]
    steps: list[tuple[str, str]]  # (step, what happened)
    splits: list[tuple[str, str]]


def _gate_text(gate: Mapping[str, Any]) -> str:
    if gate["missing"]:
        outcome = {"pass": _("no data: passed"), "fail": _("no data: failed"),
                   "hold": _("no data: held for review")}[gate["if_missing"]]
    else:
        outcome = _("met") if gate["passed"] else _("missed")
    text = _("%(gate)s (%(condition)s): %(outcome)s", gate=gate["title"],
             condition=gate["condition"], outcome=outcome)
    if not gate["passed"] and gate.get("blocks") == "accelerator":
        text += _(" — the part above target %(times)s %(share)s", times=TIMES,
                  share=pct(gate["otherwise"], 0))
    elif not gate["passed"]:
        text += _(" — factor %(times)s %(share)s", times=TIMES, share=pct(gate["otherwise"], 0))
    return text


def _component(line: Mapping[str, Any], unit: str | None) -> ComponentExplanation:
    adjustments = []
    for modifier in line["modifiers"]:
        if modifier["applied"]:
            adjustments.append(f"{modifier['title']}: {TIMES} {pct(modifier['value'])}")
        elif modifier["missing"]:
            adjustments.append(_("%(modifier)s: no data, not applied",
                                 modifier=modifier["title"]))
    if line["floored"]:
        adjustments.append(_("raised to the floor of %(floor)s", floor=pct(line["floor"])))
    if line["capped"]:
        adjustments.append(_("capped at %(cap)s", cap=pct(line["cap"])))
    weight = pct(line["weight"])
    if line["effective_weight"] != line["weight"]:
        weight += _(" (reweighted to %(weight)s)", weight=pct(line["effective_weight"]))
    n = "" if line["n"] is None else f"{line['n']:.0f}"
    details = [item for value in line["inputs"].values() if isinstance(value, list)
               for item in value if isinstance(item, dict)]
    return ComponentExplanation(
        id=line["id"], title=line["title"], metric=line["metric"],
        value=metric_value(line["value"], unit), n=n, inputs=_inputs(line["inputs"]),
        reason=line["reason"], treatment=line["treatment_label"],
        segment=line["segment"] or NONE,
        factor=pct(line["factor"]) if line["treatment"] != "not_paid" else NONE,
        adjustments=adjustments, weight=weight, contribution=pct(line["contribution"], 2),
        gates=[_gate_text(g) for g in line["gates"]], details=details,
        commission=_commission_text(line),
    )


def _commission_text(line: Mapping[str, Any]) -> str:
    if line.get("commission") is None:
        return ""
    rate = "" if line.get("rate") is None else f"rate {pct(line['rate'], 2)} of the amount; "
    return f"{rate}commission {line['commission']:,.2f}"


def explain(statement: Mapping[str, Any], units: Mapping[str, str | None]) -> Explanation:
    """The statement in words; ``units`` maps a component's source (request key) to the
    metric's unit (from the run's ``metrics``)."""
    currency = statement["currency"]
    components = [_component(line, units.get(line["source"]))
                  for line in statement["components"]]
    steps: list[tuple[str, str]] = [
        ("Score", f"sum of the contributions: {pct(statement['score'], 2)}"),
    ]
    for modifier in statement["modifiers"]:
        if modifier["applied"]:
            steps.append((modifier["title"], f"{TIMES} {pct(modifier['value'])}"))
    for gate in statement["gates"]:
        steps.append(("Gate", _gate_text(gate)))
    if statement["plan_floored"]:
        steps.append(("Floor", _("raised to %(floor)s", floor=pct(statement["plan_floor"]))))
    if statement["plan_capped"]:
        steps.append(("Cap", _("limited to %(cap)s", cap=pct(statement["plan_cap"]))))
    steps.append(("Final factor", pct(statement["final_factor"], 2)))
    target = statement["target"]
    if statement.get("ramp") is not None:
        steps.append(("Ramp", _("%(ramp)s (by periods in the role)",
                                ramp=pct(statement["ramp"]))))
    if target is not None:
        steps.append(("Target incentive", money(f"{target:.2f}", currency)))
    steps.append(("Proration", f"{pct(statement['proration'])} of the period in role"))
    commission = statement.get("commission")
    if commission is not None:
        steps.append(("Commissions", money(f"{commission:.2f}", currency)))
    if target is not None:
        plus = "" if commission is None else f" + {commission:,.2f}"
        steps.append(("Amount", f"{money(f'{target:.2f}', currency)} {TIMES} "
                                f"{pct(statement['final_factor'], 2)} {TIMES} "
                                f"{pct(statement['proration'])}{plus} = "
                                f"{statement['amount']:,.4f} {currency}"))
    if statement["amount_capped"]:
        steps.append(("Payout cap", f"limited to {statement['cap_amount']:,.2f} {currency}"))
    steps.append(("Rounding", statement["rounding"].replace("_", " ")))
    steps.append(("Payout", money(statement["payout"], currency)))
    splits = [(f"{name.replace('_', ' ')} part", money(value, currency))
              for name, value in sorted(statement["parts"].items())]
    splits += [(name.replace("_", " "), money(value, currency))
               for name, value in sorted(statement["horizons"].items())]
    return Explanation(
        kam=statement["kam"]["code"], name=statement["kam"]["name"],
        status=statement["status"], payout=money(statement["payout"], currency),
        reasons=list(statement["reasons"]), variant=statement["variant"],
        components=components, steps=steps, splits=splits,
    )


def units_of(run_metrics: list[Mapping[str, Any]]) -> dict[str, str | None]:
    """Request key → metric unit, from a run's ``metrics`` list."""
    return {m["key"]: m.get("unit") for m in run_metrics}


def as_text(explanation: Explanation) -> str:
    """The explanation as plain text for a terminal."""
    e = explanation
    lines = [f"{e.kam} {e.name}: {e.payout} ({e.status}; plan variant {e.variant})"]
    lines += [f"  ! {reason}" for reason in e.reasons]
    for c in e.components:
        lines.append(f"\n  {c.title} [{c.metric}]: {c.value}"
                     + (f" (n = {c.n})" if c.n else ""))
        if c.inputs:
            lines.append(f"    from: {c.inputs}")
        if c.reason:
            lines.append(f"    no data: {c.reason}")
        if c.commission:
            lines.append(f"    {c.treatment}; tier: {c.segment}; {c.commission}")
        else:
            lines.append(f"    {c.treatment}; segment: {c.segment}; factor {c.factor}")
        lines += [f"    {a}" for a in c.adjustments]
        lines += [f"    gate {g}" for g in c.gates]
        if not c.commission:
            lines.append(f"    weight {c.weight} → contribution {c.contribution}")
    lines.append("")
    width = max(len(step) for step, _ in e.steps)
    lines += [f"  {step:<{width}}  {text}" for step, text in e.steps]
    if e.splits:
        lines.append("  split: " + ", ".join(f"{k} {v}" for k, v in e.splits))
    return "\n".join(lines)
