"""The words the engine and the scoring services store, in the reader's language (issue 20).

The engine stays pure (no gettext in ``kamscore.engine``): a run keeps its statuses, curve
segments, treatments, reasons and pay-line kinds in English, as computed. Single stored codes
(statuses, pay-line kinds, hold reasons) are named in :mod:`kamscore.web.stored_words` and
shown with its ``word`` filter; the filters here name the engine's own vocabulary
(treatments, statement steps, metric inputs, curve points) and turn the engine's patterns
("below threshold", "tier 2 (…)", "no data for csat (missing: hold)") into catalogue
sentences with their parts filled in. A word not in the tables (a label
a ruleset wrote, a new status) is shown as stored::

    {{ run.status|word("state") }}   {{ c.segment|segment }}   {{ r|engine_reason }}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kamscore.web.stored_words import word

#: What happened to a component for one KAM (``Treatment`` names).
TREATMENTS = {
    "scored": _l("scored"),
    "excluded": _l("no data: excluded, other components reweighted"),
    "zero": _l("no data: paid at zero"),
    "at_target": _l("no data: paid at target"),
    "held": _l("no data: held for review"),
    "not_paid": _l("not paid under this variant (weight 0)"),
}

#: The names a ruleset commonly gives its curve points (a ruleset may write others).
POINTS = {"threshold": _l("threshold"), "target": _l("target"), "cap": _l("cap"),
          "max": _l("maximum"), "stretch": _l("stretch"), "floor": _l("floor"),
          "entry": _l("entry"), "excellence": _l("excellence"), "minimum": _l("minimum")}

#: The steps of a statement, from the score to the payout (``kamscore.scoring.explain``).
STEPS = {"Score": _l("Score"), "Gate": _l("Gate"), "Floor": _l("Floor"), "Cap": _l("Cap"),
         "Final factor": _l("Final factor"), "Ramp": _l("Ramp"),
         "Target incentive": _l("Target incentive"), "Proration": _l("Proration"),
         "Commissions": _l("Commissions"), "Amount": _l("Amount"),
         "Payout cap": _l("Payout cap"), "Rounding": _l("Rounding"), "Payout": _l("Payout")}

#: The inputs the shipped metric plugins report beside a value (``statements.pay_slip``).
INPUTS = {
    "accounts counted": _l("accounts counted"), "key stakeholders": _l("key stakeholders"),
    "key stakeholders engaged": _l("key stakeholders engaged"),
    "accounts with share": _l("accounts with share"), "weighted by": _l("weighted by"),
    "accounts with status": _l("accounts with status"),
    "products with status": _l("products with status"), "actions due": _l("actions due"),
    "actions on time": _l("actions on time"), "actions part": _l("actions part"),
    "objectives assessed": _l("objectives assessed"), "objectives met": _l("objectives met"),
    "objectives part": _l("objectives part"), "excluded": _l("excluded"),
    "response rate": _l("response rate"), "responses": _l("responses"),
    "satisfied": _l("satisfied"), "source": _l("source"), "losses": _l("losses"),
    "wins": _l("wins"), "net sales": _l("net sales"),
    "net sales year earlier": _l("net sales a year earlier"),
    "year earlier": _l("a year earlier"), "sales target": _l("sales target"),
    "others mean": _l("others' mean"), "self mean": _l("self-rating mean"),
    "plans": _l("plans"), "plans rated": _l("plans rated"), "team": _l("team"),
    "team goal actual": _l("team goal actual"), "team goal target": _l("team goal target"),
    "surveys": _l("surveys"), "net_sales": _l("net sales"), "accounts": _l("accounts"),
    "assignments": _l("assignments"), "account": _l("account"), "days": _l("days"),
    "share": _l("share"), "weight": _l("weight"), "products": _l("products"),
    "product": _l("product"), "status": _l("status"), "individual": _l("individual"),
    "short term": _l("short term"), "long term": _l("long term"),
}


def treatment(name: object) -> str:
    text = str(name)
    found = TREATMENTS.get(text)
    return str(found) if found is not None else text


def step(name: str) -> str:
    found = STEPS.get(name)
    return str(found) if found is not None else name


def input_name(name: str) -> str:
    found = INPUTS.get(name)
    return str(found) if found is not None else name


def known_input(name: str) -> bool:
    return name in INPUTS


def _point(name: str) -> str:
    found = POINTS.get(name)
    return str(found) if found is not None else name


_SEGMENTS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"below the first tier \((?P<a>.+)\)"),
     lambda m: _("below the first tier (%(lower)s)", lower=m["a"])),
    (re.compile(r"tier (?P<n>\d+) \((?P<a>.+)\) at (?P<r>\S+ %)"),
     lambda m: _("tier %(number)s (%(range)s) at %(rate)s", number=m["n"],
                 range=_tier_range(m["a"]), rate=m["r"])),
    (re.compile(r"each transaction rated on its own"),
     lambda m: _("each transaction rated on its own")),
    (re.compile(r"tier (?P<n>\d+) \((?P<a>.+)\)"),
     lambda m: _("tier %(number)s (%(range)s)", number=m["n"], range=_tier_range(m["a"]))),
    (re.compile(r"not in the table \(default\)"), lambda m: _("not in the table (default)")),
    (re.compile(r"at or above (?P<a>.+)"),
     lambda m: _("at or above %(point)s", point=_point(m["a"]))),
    (re.compile(r"below (?P<a>.+)"), lambda m: _("below %(point)s", point=_point(m["a"]))),
    (re.compile(r"(?P<a>\S+) to (?P<b>\S+)"),
     lambda m: _("%(start)s to %(end)s", start=_point(m["a"]), end=_point(m["b"]))),
]


def _tier_range(text: str) -> str:
    """``Tier.describe``: ``[label: ]0.2 to below 0.3`` or ``[label: ]0.3 and above``."""
    label, colon, rest = text.rpartition(": ")
    name = f"{_point(label)}{colon}" if colon else ""
    upper = re.fullmatch(r"(?P<a>\S+) to below (?P<b>\S+)", rest)
    if upper:
        return name + _("%(lower)s to below %(upper)s", lower=upper["a"], upper=upper["b"])
    above = re.fullmatch(r"(?P<a>\S+) and above", rest)
    if above:
        return name + _("%(lower)s and above", lower=above["a"])
    return text


#: ``Treatment.label`` → the same words in the catalogue (a comparison shows a treatment
#: where a value has no segment).
_TREATMENT_LABELS = {
    "scored": TREATMENTS["scored"], "no data: excluded, other components reweighted":
    TREATMENTS["excluded"], "no data: paid at zero": TREATMENTS["zero"],
    "no data: paid at target": TREATMENTS["at_target"],
    "no data: held for review": TREATMENTS["held"],
    "not paid under this variant (weight 0)": TREATMENTS["not_paid"],
}


def segment(value: str | None) -> str:
    """A curve segment or tier as the engine names it (``below threshold``, ``target to
    cap``, ``tier 2 (…)``), in the reader's language."""
    if not value:
        return "\N{EN DASH}"
    if value in _TREATMENT_LABELS:
        return str(_TREATMENT_LABELS[value])
    for pattern, say in _SEGMENTS:
        match = pattern.fullmatch(value)
        if match:
            return say(match)
    return _point(value)


_REASONS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"no data for (?P<c>\S+) \(missing: hold\)"),
     lambda m: _("no data for %(component)s (missing: hold)", component=m["c"])),
    (re.compile(r"gate (?P<g>\S+): a value it reads has no data \(if_missing: hold\)"),
     lambda m: _("gate %(gate)s: a value it reads has no data (if_missing: hold)",
                 gate=m["g"])),
    (re.compile(r"no paying component has data"), lambda m: _("no paying component has data")),
    (re.compile(r"no target incentive for (?P<by>\S+) (?P<v>.+)"),
     lambda m: _("no target incentive for %(attribute)s %(value)s", attribute=m["by"],
                 value=m["v"])),
    (re.compile(r"no base salary for a target set as a share of salary"),
     lambda m: _("no base salary for a target set as a share of salary")),
    (re.compile(r"role (?P<r>.+) is not among the eligible roles.*"),
     lambda m: _("role %(role)s is not among the eligible roles", role=m["r"])),
    (re.compile(r"fewer than (?P<n>\d+) eligible days in the period"),
     lambda m: _("fewer than %(days)s eligible days in the period", days=m["n"])),
    (re.compile(r"(?P<n>\d+) responses? \((?P<rest>.+)\)"),
     lambda m: _("%(count)s responses (%(flags)s)", count=m["n"],
                 flags=_flags(m["rest"]))),
    (re.compile(r"left on (?P<d>[\d-]+), before the period began \((?P<s>[\d-]+)\): no days in "
                r"role"),
     lambda m: _("left on %(end)s, before the period began (%(start)s): no days in role",
                 end=m["d"], start=m["s"])),
    (re.compile(r"(?P<r>.+); owed, recovered from later earnings"),
     lambda m: _("%(reason)s; owed, recovered from later earnings",
                 reason=engine_reason(m["r"]))),
    (re.compile(r"draw (?P<d>\S+) minus earnings (?P<e>\S+) \(recoverable\)"),
     lambda m: _("draw %(draw)s minus earnings %(earned)s (recoverable)", draw=m["d"],
                 earned=m["e"])),
    (re.compile(r"draw (?P<d>\S+) minus earnings (?P<e>\S+) \(guaranteed\)"),
     lambda m: _("draw %(draw)s minus earnings %(earned)s (guaranteed)", draw=m["d"],
                 earned=m["e"])),
    (re.compile(r"recovery of (?P<k>\w+) #(?P<i>\d+) \(owed (?P<o>\S+); at most (?P<l>\S+) % "
                r"of earnings (?P<e>\S+)\)"),
     lambda m: _("recovery of %(kind)s #%(id)s (owed %(owed)s; at most %(limit)s%% of "
                 "earnings %(earned)s)", kind=word(m["k"], "pay"), id=m["i"], owed=m["o"],
                 limit=m["l"], earned=m["e"])),
    (re.compile(r"run (?P<a>\d+) pays (?P<x>\S+), run (?P<b>\d+) paid (?P<y>\S+)"),
     lambda m: _("run %(new)s pays %(after)s, run %(old)s paid %(before)s", new=m["a"],
                 after=m["x"], old=m["b"], before=m["y"])),
    (re.compile(r"annual earnings (?P<e>\S+) minus advances (?P<a>\S+) \(runs (?P<r>.*)\)"),
     lambda m: _("annual earnings %(earned)s minus advances %(advances)s (runs %(runs)s)",
                 earned=m["e"], advances=m["a"], runs=m["r"])),
    (re.compile(r"the metric failed: (?P<e>.+)"),
     lambda m: _("the metric failed: %(error)s", error=m["e"])),
    (re.compile(r"left on (?P<d>[\d-]+), mid-period: (?P<s>.+)"),
     lambda m: _("left on %(end)s, mid-period: %(said)s", end=m["d"],
                 said=engine_reason(m["s"]))),
    (re.compile(r"joined on (?P<d>[\d-]+): (?P<s>.+)"),
     lambda m: _("joined on %(start)s: %(said)s", start=m["d"], said=engine_reason(m["s"]))),
    (re.compile(r"only in run (?P<r>\d+)"), lambda m: _("only in run %(id)s", id=m["r"])),
    (re.compile(r"became eligible"), lambda m: _("became eligible")),
    (re.compile(r"no longer eligible: (?P<r>.*)"),
     lambda m: _("no longer eligible: %(reasons)s", reasons=engine_reason(m["r"]))),
    (re.compile(r"status (?P<a>\S+) → (?P<b>\S+)"),
     lambda m: _("status %(before)s → %(after)s", before=word(m["a"], "state"),
                 after=word(m["b"], "state"))),
    (re.compile(r"target incentive (?P<a>\S+) → (?P<b>\S+)"),
     lambda m: _("target incentive %(before)s → %(after)s", before=m["a"], after=m["b"])),
    (re.compile(r"proration (?P<a>\S+) → (?P<b>\S+)"),
     lambda m: _("proration %(before)s → %(after)s", before=m["a"], after=m["b"])),
    (re.compile(r"plan variant (?P<a>\S+) → (?P<b>\S+)"),
     lambda m: _("plan variant %(before)s → %(after)s", before=word(m["a"]),
                 after=word(m["b"]))),
    (re.compile(r"final factor (?P<f>.+): no measure reached its threshold"),
     lambda m: _("final factor %(factor)s: no measure reached its threshold", factor=m["f"])),
]


def _flags(text: str) -> str:
    words = {"speeder": _l("speeder"), "speeders": _l("speeders"),
             "straight-liner": _l("straight-liner"), "straight-liners": _l("straight-liners")}
    parts = []
    for part in text.split(", "):
        count, _space, word = part.partition(" ")
        parts.append(f"{count} {words.get(word, word)}")
    return ", ".join(parts) if parts else text


def engine_reason(value: str | None) -> str:
    """A reason the engine or a service stored in English, in the reader's language (else as
    stored)."""
    if not value:
        return ""
    for pattern, say in _REASONS:
        match = pattern.fullmatch(value)
        if match:
            return say(match)
    if "; " in value:  # reasons joined (``run_report._line_reason``)
        return "; ".join(engine_reason(part) for part in value.split("; "))
    return word(value)


_REFERS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"run (?P<a>\d+) → run (?P<b>\d+)"),
     lambda m: _("run %(old)s → run %(new)s", old=m["a"], new=m["b"])),
    (re.compile(r"run (?P<a>\d+) minus advances \(runs (?P<runs>[\d, ]*)\)"),
     lambda m: _("run %(run)s minus advances (runs %(runs)s)", run=m["a"], runs=m["runs"])),
    (re.compile(r"entry #(?P<a>\d+)"), lambda m: _("entry #%(id)s", id=m["a"])),
    (re.compile(r"corrects run (?P<a>\d+)"), lambda m: _("corrects run %(id)s", id=m["a"])),
    (re.compile(r"run (?P<a>\d+)"), lambda m: _("run %(id)s", id=m["a"])),
]


def refers_to(value: str | None) -> str:
    """What a pay line refers to (``settlement._refers``), in the reader's language."""
    for pattern, say in _REFERS:
        match = pattern.fullmatch(value or "")
        if match:
            return say(match)
    return value or ""


#: The words of a plan's parameters on the what-if page (``whatif_start``: YAML key paths
#: made readable, ``curve · point 2 (target) · pays``) and of its section heads.
PARAMETER_WORDS = {
    "weight": _l("weight"), "weights": _l("weights"), "curve": _l("curve"), "at": _l("at"),
    "pays": _l("pays"), "tiers": _l("tiers"), "from": _l("from"), "to": _l("to"),
    "rate": _l("rate"), "cap": _l("cap"), "floor": _l("floor"), "below": _l("below"),
    "otherwise": _l("otherwise"), "at least": _l("at least"), "at most": _l("at most"),
    "min responses": _l("minimum responses"), "values": _l("values"),
    "salary share": _l("salary share"), "amount": _l("amount"), "default": _l("default"),
    "multiplier": _l("multiplier"), "cap amount": _l("cap amount"),
    "floor amount": _l("floor amount"), "min days": _l("minimum days"),
    "individual": _l("individual"), "team": _l("team"), "short term": _l("short term"),
    "long term": _l("long term"), "step": _l("step"), "factors": _l("factors"),
    "lookup": _l("lookup"), "rows": _l("rows"), "quota": _l("quota"),
    "Target incentive": _l("Target incentive"),
    "Caps and floors of the plan": _l("Caps and floors of the plan"),
    "Parameters": _l("Parameters"), "Gates": _l("Gates"), "Modifiers": _l("Modifiers"),
    "Parts": _l("Parts"), "Horizons": _l("Horizons"), "Eligibility": _l("Eligibility"),
    "Ramp": _l("Ramp"), "Rounding": _l("Rounding"), "Limits": _l("Caps and floors of the plan"),
}

_PARAMETER_PARTS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"point (?P<n>\d+) \((?P<name>.+)\)"),
     lambda m: _("point %(number)s (%(name)s)", number=m["n"], name=_point(m["name"]))),
    (re.compile(r"point (?P<n>\d+)"), lambda m: _("point %(number)s", number=m["n"])),
    (re.compile(r"tier (?P<n>\d+)"), lambda m: _("tier %(number)s", number=m["n"])),
    (re.compile(r"gate (?P<n>\d+)"), lambda m: _("gate %(number)s", number=m["n"])),
    (re.compile(r"modifier (?P<n>\d+)"), lambda m: _("modifier %(number)s", number=m["n"])),
    (re.compile(r"(?P<word>[a-z ]+) (?P<n>\d+)"),
     lambda m: f"{_parameter_word(m['word'])} {m['n']}"),
]


def _parameter_word(word: str) -> str:
    found = PARAMETER_WORDS.get(word)
    return str(found) if found is not None else word


def param_label(label: str) -> str:
    """A what-if parameter's label, part by part, in the reader's language; a part that is
    a name the plan gives (a grade ``K1``, an attribute value) is kept as written."""
    parts = []
    for part in label.split(" · "):
        said = None
        for pattern, say in _PARAMETER_PARTS:
            match = pattern.fullmatch(part)
            if match:
                said = say(match)
                break
        parts.append(said if said is not None else _parameter_word(part))
    return " · ".join(parts)


def section_title(title: str, titles: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A what-if section head: a component's title, ``Variant <title>`` or a part of the
    plan (``Gates``)."""
    from kamscore.web.plan_texts import plan_text

    if title.startswith("Variant "):
        return _("Variant %(title)s", title=plan_text(title[len("Variant "):], titles))
    if title in PARAMETER_WORDS:
        return str(PARAMETER_WORDS[title])
    return plan_text(title, titles)


#: The heading of a what-if cost breakdown's first column, by group.
GROUP_HEADINGS = {"team": _l("Team"), "segment": _l("Segment"),
                  "lifecycle_phase": _l("Lifecycle phase"), "variant": _l("Variant")}


def group_heading(key: str) -> str:
    found = GROUP_HEADINGS.get(key)
    return str(found) if found is not None else key.replace("_", " ").capitalize()


def init_app(app: Flask) -> None:
    for function in (treatment, step, input_name, segment, engine_reason, refers_to,
                     param_label, section_title, group_heading):
        app.add_template_filter(function)
    app.add_template_test(known_input)
