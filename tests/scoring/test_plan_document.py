"""The plan document in words (kamscore.scoring.plan_document.render, pure): the shipped
field-sales plan's commissions, the gate that blocks only the accelerators and the ramp are
said as a KAM reads them — not as "not paid" or as a factor cut."""

from __future__ import annotations

import datetime as dt

from kamscore.content.bundled import checkout_root
from kamscore.engine.catalogue import catalogue_of
from kamscore.engine.loader import load_ruleset
from kamscore.models import Period, Person, RulesetVersion
from kamscore.plugin_host.manager import build_plugin_manager
from kamscore.scoring.plan_document import render


def test_commissions_accelerator_gates_and_ramps_in_words():
    text = (checkout_root() / "rulesets" / "commissions.yaml").read_text(encoding="utf-8")
    ruleset = load_ruleset(text, "commissions.yaml",
                           *catalogue_of(build_plugin_manager(entry_points=False)))
    version = RulesetVersion(version=1, content_hash="abc123")
    period = Period(code="2026-Q1", start_date=dt.date(2026, 1, 1),
                    end_date=dt.date(2026, 3, 31))
    person = Person(code="K0001", name="Kim Lee")
    document = render(ruleset, version, period, person, [])

    assert ("- Commission on net sales (amount): a commission, paid besides the weights"
            in document)
    assert ("a commission: a rate times the amount, paid in the plan's currency; the period's "
            "total amount is rated once; tiers on the amount; each slice of the amount at its "
            "own tier's rate:") in document
    assert "- 500000 and above: 2 % of the amount" in document
    assert "each transaction (order, deal) is rated on its own" in document
    assert "- 200000 and above: 0.5 % of the amount" in document
    assert ("otherwise what is paid above target (or above the base rate) of sales, volume is "
            "multiplied by") in document
    assert "In your first periods in the role, your target incentive is ramped:" in document
    assert "- period 1 in the role: 50 %" in document
    assert "- period 2 in the role: 75 %" in document
    assert "Commission on net sales: how the commission is worked out" in document
    assert "not paid (information" not in document.split("Commission on net sales:")[1]
