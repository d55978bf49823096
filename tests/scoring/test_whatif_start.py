"""Where the what-if page opens (``whatif_start.start``) and how it lists a plan's numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tiny_population import TINY_PLAN, publish

from kamscore.scoring.plan_edits import weight_table
from kamscore.scoring.runs import run_score
from kamscore.scoring.whatif_start import parameter_sections, start

STANDARD = (Path(__file__).resolve().parents[2] / "rulesets" / "standard.yaml").read_text()
TODAY = dt.date(2026, 12, 6)


def test_without_a_run_the_plan_published_last_and_the_latest_begun_period(session, pm,
                                                                          published):
    later = publish(session, pm, TINY_PLAN.replace("name: tiny", "name: tiny_b"),
                    filename="b.yaml")
    found = start(session, period=None, plan=None, today=TODAY)
    assert found.period.code == "2026-Q1"
    assert found.plan.name == later.name == "tiny_b"
    assert [v.name for v in found.plans] == ["tiny", "tiny_b"]


def test_the_plan_run_in_the_period_comes_first_and_a_choice_wins(session, pm, published):
    run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    publish(session, pm, TINY_PLAN.replace("name: tiny", "name: tiny_b"), filename="b.yaml")
    assert start(session, period=None, plan=None, today=TODAY).plan.name == "tiny"
    assert start(session, period=None, plan="tiny_b", today=TODAY).plan.name == "tiny_b"
    # an unknown or unpublished name is no choice: back to the plan of the period
    assert start(session, period="1999-Q1", plan="nope", today=TODAY).plan.name == "tiny"


def test_the_numbers_of_the_standard_plan_grouped_for_the_form():
    table = weight_table(STANDARD)
    sections = {s.key: s for s in parameter_sections(STANDARD, dict(table.titles),
                                                     dict(table.variant_titles))}
    assert list(sections)[:2] == ["target_incentive", "c0"]
    assert sections["c0"].title == "Sales attainment"
    assert [(p.label, p.text) for p in sections["c0"].parameters[:3]] == [
        ("curve · point 1 (threshold) · at", "85%"), ("curve · point 1 (threshold) · pays", "50%"),
        ("curve · point 2 (target) · at", "100%")]
    assert [(p.path, p.label) for p in sections["gates"].parameters] == [
        ("gates[0].at_least", "gate 1 · at least"), ("gates[0].otherwise", "gate 1 · otherwise")]
    assert [(p.label, p.text) for p in sections["limits"].parameters] == [
        ("cap", "200%"), ("cap amount", "12000")]
    # weights are in the weight table; eligibility, parts and metric params are not plan
    # parameters the form offers
    every = [p.path for s in sections.values() for p in s.parameters]
    assert not any(p.endswith(".weight") or "params" in p or p.startswith(("eligibility",
                                                                           "parts"))
                   for p in every)
