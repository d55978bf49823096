"""docs/rulesets.md, "Commissions", "Gates on part of a component" and "Ramps": every worked
example runs through ``kamscore score run`` on the page's small population and pays what
the page says, to the cent (the YAML is read from the page itself, so page and test cannot
drift apart). ``rulesets/commissions.yaml`` runs on the same population."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from test_scoring_pages import sign_in, text

from kamscore.content.bundled import checkout_root
from kamscore.models import (
    Account,
    AccountType,
    Assignment,
    Fact,
    Period,
    PeriodKind,
    Person,
    Role,
    User,
)

DOC = (checkout_root() / "docs" / "rulesets.md").read_text(encoding="utf-8")
EXAMPLES = dict(re.findall(r"<!-- example: (\w+) -->\n```yaml\n(.*?)```", DOC, flags=re.S))

#: KAM, in the role since, orders, formulary status (docs/rulesets.md, "Worked examples")
PEOPLE = [
    ("K1", dt.date(2020, 1, 1), {"SO-11": 400_000, "SO-12": 200_000}, "not_listed"),
    ("K2", dt.date(2020, 1, 1), {"SO-21": 150_000, "SO-22": 150_000, "SO-23": 100_000},
     "listed"),
    ("K3", dt.date(2026, 1, 1), {"SO-31": 450_000}, "listed"),
]

#: The payouts the page states, per example.
EXPECTED = {
    "flat_and_marginal": {"K1": "19000.00", "K2": "8000.00", "K3": "9000.00"},
    "rating_unit": {"K1": "24000.00", "K2": "12000.00", "K3": "18000.00"},
    "on_attainment": {"K1": "15000.00", "K2": "8000.00", "K3": "9000.00"},
    "accelerator_gate": {"K1": "8000.00", "K2": "5000.00", "K3": "6000.00"},
    "ramp": {"K1": "4000.00", "K2": "1000.00", "K3": "750.00"},
}


@pytest.fixture
def shapes_population(session):
    period = Period(code="2026-Q1", kind=PeriodKind.QUARTER, start_date=dt.date(2026, 1, 1),
                    end_date=dt.date(2026, 3, 31))
    session.add(period)
    session.flush()
    for index, (code, since, orders, status) in enumerate(PEOPLE, start=1):
        person = Person(code=code, name=f"Kam {code}", role=Role.KAM, base_salary=80_000,
                        start_date=since)
        account = Account(code=f"A{index}", name=f"Hospital {index}",
                          type=AccountType.HOSPITAL, segment="key", region="North")
        session.add_all([person, account])
        session.flush()
        session.add(Assignment(person_id=person.id, account_id=account.id, start_date=since))
        for item, value in orders.items():
            session.add(Fact(period_id=period.id, name="net_sales", item=item,
                             subject_key=Fact.make_subject_key(account=account.code, item=item),
                             account_id=account.id, value=value, unit="EUR", source="test"))
        session.add(Fact(period_id=period.id, name="sales_target",
                         subject_key=Fact.make_subject_key(account=account.code),
                         account_id=account.id, value=500_000, unit="EUR", source="test"))
        session.add(Fact(period_id=period.id, name="formulary_status",
                         subject_key=Fact.make_subject_key(account=account.code),
                         account_id=account.id, category=status, unit="status",
                         source="test"))
    for username, roles in (("ana", "analyst"), ("bob", "approver")):
        user = User(username=username, name=username.title(), roles=roles)
        user.set_password("secret-" + username)
        session.add(user)
    session.commit()


def invoke(runner, *args):
    result = runner.invoke(args=[str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def run_plan(runner, tmp_path, name: str, text: str) -> dict[str, str]:
    """Import, approve, publish and run ``text``; the payouts of the run by KAM."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    invoke(runner, "ruleset", "import", path, "--user", "ana")
    invoke(runner, "ruleset", "approve", name, 1, "--user", "bob")
    invoke(runner, "ruleset", "publish", name, 1, "--user", "ana")
    out = invoke(runner, "score", "run", "--period", "2026-Q1", "--ruleset", name,
                 "--user", "ana")
    run_id = re.match(r"run (\d+):", out).group(1)
    export = tmp_path / f"{name}.csv"
    invoke(runner, "score", "export", run_id, "--csv", export)
    rows = csv.DictReader(io.StringIO(export.read_text(encoding="utf-8")))
    return {row["KAM code"]: row["Payout"] for row in rows}


def test_the_page_has_every_worked_example():
    assert set(EXAMPLES) == set(EXPECTED)
    for payouts in EXPECTED.values():
        for payout in payouts.values():
            whole, cents = payout.split(".")
            assert f"**{int(whole):,}.{cents}**" in DOC


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_worked_example_pays_what_the_page_says(runner, shapes_population, tmp_path, name):
    assert run_plan(runner, tmp_path, name, EXAMPLES[name]) == EXPECTED[name]


def test_the_ramp_on_the_quota_pays_what_the_page_says(runner, shapes_population, tmp_path):
    text = EXAMPLES["ramp"].replace("applies_to: target_incentive",
                                    "applies_to: quota\n  components: [sales]")
    payouts = run_plan(runner, tmp_path, "ramp", text)
    assert payouts == {"K1": "4000.00", "K2": "1000.00", "K3": "4000.00"}


def test_the_shipped_commissions_plan(runner, shapes_population, tmp_path):
    text = (checkout_root() / "rulesets" / "commissions.yaml").read_text(encoding="utf-8")
    payouts = run_plan(runner, tmp_path, "commissions", text)
    # K1: sales 120 % pays 200 %, but not listed: the access gate blocks the accelerator:
    #   100 % x 2,000 = 2,000 | volume 600,000: 7,000 less the 1,000 above the base rate:
    #   6,000 | orders SO-11 400,000 x 0.5 % = 2,000, SO-12 200,000 (on the boundary)
    #   x 0.5 % = 1,000 | 11,000.00
    # K2: 80 %: 50 % x 2,000 = 1,000 | volume 4,000 | no order of 200,000 | 5,000.00
    # K3, first quarter (target ramped to 50 %): 90 % pays 75 % x 1,000 = 750 | volume
    #   4,500 | SO-31 450,000 x 0.5 % = 2,250 | 7,500.00
    assert payouts == {"K1": "11000.00", "K2": "5000.00", "K3": "7500.00"}
    out = invoke(runner, "score", "show", 1, "--kam", "K1")
    assert "Commission on net sales" in out and "6,000.00" in out


def test_statements_show_commission_lines(runner, app, shapes_population, tmp_path):
    plan = (checkout_root() / "rulesets" / "commissions.yaml").read_text(encoding="utf-8")
    run_plan(runner, tmp_path, "commissions", plan)
    out = invoke(runner, "score", "show", 1, "--kam", "K1")
    assert ("scored; tier: tier 2 (500000 and above) at 2 %; rate 1.00 % of the amount; "
            "commission 6,000.00") in out
    assert "the part above target × 0 %" in out
    assert "Commissions" in out and "+ 9,000.00 = 11,000.0000 EUR" in out
    out = invoke(runner, "score", "show", 1, "--kam", "K3")
    assert "Ramp" in out and "50.0 % (by periods in the role)" in out
    assert "each transaction rated on its own" in out
    client = app.test_client()
    sign_in(client, "ana")
    page = text(client.get("/scoring/runs/1/statements/K1"))
    assert "tier 2 (500000 and above) at 2 % Commission: 1.00% of €600,000.00 = €6,000.00" in page
    assert "the part above target × 0%" in page  # number_format: the page's locale
    assert "× 100.0% + commissions €9,000.00 = €11,000.00" in page
    assert "item SO-11" in page  # the transactions behind the amount
