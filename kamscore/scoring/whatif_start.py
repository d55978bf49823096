"""Where the what-if page opens, and the parameters of a plan as the page's form shows them.

``start`` picks the period and the published plan: the ones asked for (the page's choice,
else the last the user looked at, which the page remembers) when they exist, otherwise the
*current* period — the latest with a score run, else the latest that has begun — and the
plan run on it (its latest run's ruleset, if still published), else the plan published
last. Never an arbitrary first plan in alphabetical order.

``parameter_sections`` groups the plan's numbers (``plan_edits.numeric_leaves``) as the form
shows them: target incentive, each component's scoring (curve points, tiers, cap, floor),
gates, modifiers, limits, each variant's changes — the weights are in the weight table.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.models import Period, RulesetStatus, RulesetVersion, ScoreRun
from kamscore.scoring.lifecycle import list_versions
from kamscore.scoring.plan_edits import Leaf, numeric_leaves


@dataclass(frozen=True)
class Start:
    periods: list[Period]
    plans: list[RulesetVersion]  # the published versions
    period: Period | None
    plan: RulesetVersion | None


def _current_period(session: Session, periods: list[Period], today: dt.date) -> Period | None:
    run = session.scalars(select(ScoreRun).order_by(ScoreRun.created_at.desc(),
                                                    ScoreRun.id.desc()).limit(1)).first()
    if run is not None:
        return next((p for p in periods if p.id == run.period_id), None)
    begun = [p for p in periods if p.start_date <= today]
    return begun[0] if begun else (periods[0] if periods else None)


def start(session: Session, *, period: str | None, plan: str | None, today: dt.date) -> Start:
    """The periods, the published plans and the chosen ones (see the module)."""
    periods = list(session.scalars(select(Period).order_by(Period.start_date.desc(),
                                                           Period.kind)))
    plans = [v for v in list_versions(session) if v.status is RulesetStatus.PUBLISHED]
    chosen_period = next((p for p in periods if p.code == period), None) \
        or _current_period(session, periods, today)
    chosen_plan = next((v for v in plans if v.name == plan), None)
    if chosen_plan is None and chosen_period is not None:
        ran = session.scalars(
            select(ScoreRun.ruleset_name).where(ScoreRun.period_id == chosen_period.id)
            .order_by(ScoreRun.created_at.desc(), ScoreRun.id.desc()).limit(1)).first()
        chosen_plan = next((v for v in plans if v.name == ran), None)
    if chosen_plan is None and plans:
        chosen_plan = max(plans, key=lambda v: (v.published_at or v.drafted_at, v.id))
    return Start(periods, plans, chosen_period, chosen_plan)


# -- the form's parameters -----------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    path: str
    label: str
    text: str
    line: int


@dataclass
class Section:
    key: str
    title: str
    parameters: list[Parameter] = field(default_factory=list)


SKIPPED = re.compile(r"^(components\[\d+\]\.(weight|params)\b|variants\[\d+\]\.(weights|when)\b"
                     r"|eligibility\b|parts\b|horizons\b)")
LABEL = re.compile(r"label:\s*([\w .-]+?)\s*[,}]")
HEADS = {"target_incentive": "Target incentive", "limits": "Caps and floors of the plan",
         "parameters": "Parameters", "gates": "Gates", "modifiers": "Modifiers"}


def _human(rest: str) -> str:
    rest = re.sub(r"points\[(\d+)\]", lambda m: f"point {int(m.group(1)) + 1}", rest)
    rest = re.sub(r"rows\[(\d+)\]", lambda m: f"tier {int(m.group(1)) + 1}", rest)
    rest = re.sub(r"\[(\d+)\]", lambda m: f" {int(m.group(1)) + 1}", rest)
    return rest.replace(".", " · ").replace("_", " ")


def parameter_sections(source: str, titles: dict[str, str], variant_titles: dict[str, str]
                       ) -> list[Section]:
    """The plan's numbers grouped for the form (``titles``: component id → title, in order;
    ``variant_titles`` likewise), in text order within each group."""
    components, variants = list(titles), list(variant_titles)
    lines = source.splitlines()
    sections: dict[str, Section] = {}
    leaf: Leaf
    for leaf in numeric_leaves(source):
        if SKIPPED.match(leaf.path):
            continue
        found = re.match(r"^(components|variants|gates|modifiers)\[(\d+)\]\.?(.*)$", leaf.path)
        if found:
            kind, index, rest = found.group(1), int(found.group(2)), found.group(3)
            if kind == "components" and index < len(components):
                key, title = f"c{index}", titles[components[index]]
            elif kind == "variants" and index < len(variants):
                key = f"v{index}"
                title = f"Variant {variant_titles[variants[index]]}"
            else:
                key, title = kind, HEADS[kind]
                rest = f"{kind[:-1]} {index + 1} · {rest}"
        else:
            head, _, rest = leaf.path.partition(".")
            key, title = head, HEADS.get(head, head.replace("_", " ").capitalize())
        label = _human(rest) or title
        named = LABEL.search(lines[leaf.line - 1]) if "points[" in leaf.path else None
        if named:  # a curve point written on one line with its label: "point 2 (target)"
            label = re.sub(r"(point \d+)", rf"\1 ({named.group(1).strip()})", label, count=1)
        section = sections.setdefault(key, Section(key, title))
        section.parameters.append(Parameter(leaf.path, label, leaf.text, leaf.line))
    return list(sections.values())
