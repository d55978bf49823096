"""The what-if page (``kamscore.web.whatif_pages``): where it opens, switching plans, weights
under a variant, any other parameter, the result with its charts, saving as a draft."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select
from tiny_population import TINY_PLAN, publish

from kamscore.db.session import get_db
from kamscore.models import AuditEvent, RulesetStatus, RulesetVersion
from kamscore.scoring.runs import run_score

#: TINY_PLAN with a variant for key accounts (every tiny account is 'key'): half and half.
#: K1 1.25 x 50 % + 1.0 x 50 % = 1.125 -> 1125; K2 0.75 x 50 % + 0.5 x 50 % = 625; K3 0;
#: K4 (1.5 x 50 % + 1.0 x 50 %) x 45/90 = 625: 2375.00
VARIANT_PLAN = TINY_PLAN.replace("name: tiny", "name: tiny_key").replace(
    "title: Tiny plan", "title: Tiny plan by segment") + (
    "variants:\n"
    "  - id: key_accounts\n"
    "    title: Key accounts\n"
    "    when: {segment: key}\n"
    "    weights: {sales: 50, formulary: 50}\n")


def sign_in(client, username: str) -> None:
    response = client.post("/sign-in", data={"username": username,
                                             "password": f"secret-{username}"})
    assert response.status_code == 302, response.get_data(as_text=True)


def html(response) -> str:
    return response.get_data(as_text=True)


def text(response) -> str:
    inline = re.sub(r"</?(strong|em|a|span|code|output)\b[^>]*>", "", html(response))
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline)))


def form_of(page: str) -> dict[str, str]:
    """The scenario form's fields as the browser would send them (no button)."""
    scenario = page[page.index('id="scenario"'):]
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', scenario))
    fields = {unescape(k): unescape(v) for k, v in fields.items()}
    fields["mode"] = "form"
    return fields


@pytest.fixture
def two_plans(app, session, pm, published):
    """'tiny' run on 2026-Q1, then 'tiny_key' published (the later publication)."""
    run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    publish(session, pm, VARIANT_PLAN, filename="tiny_key.yaml")
    session.rollback()  # SQLite: hold no write lock while the app serves requests


def test_opens_on_the_plan_run_in_the_current_period_and_remembers_a_switch(client,
                                                                           two_plans):
    sign_in(client, "ana")
    page = html(client.get("/scoring/whatif"))
    assert '<option value="tiny" selected>' in page  # the plan of the period's run,
    assert '<option value="2026-Q1" selected>' in page  # not the last one published
    assert 'name="w:default:sales"' in page and "key_accounts" not in page
    switched = client.get("/scoring/whatif?plan=tiny_key&period=2026-Q1")
    assert '<option value="tiny_key" selected>' in html(switched)
    assert 'name="w:key_accounts:sales" id="w-key_accounts-sales" data-column="key_accounts" ' \
        'value="50"' in html(switched)
    assert "Tiny plan by segment" in text(switched)
    # the next visit opens on the plan looked at last
    assert '<option value="tiny_key" selected>' in html(client.get("/scoring/whatif"))


def test_a_weight_under_a_variant_changes_the_cost_and_a_wrong_sum_names_it(client,
                                                                            two_plans):
    sign_in(client, "ana")
    fields = form_of(html(client.get("/scoring/whatif?plan=tiny_key")))
    # K1 1.25 x 60 % + 1.0 x 40 % = 1.15; K2 0.65; K3 0; K4 1.3 x 1/2 = 0.65: 2450 vs 2375
    result = client.post("/scoring/whatif", data={
        **fields, "w:key_accounts:sales": "60", "w:key_accounts:formulary": "40%"})
    assert result.status_code == 200
    page = text(result)
    assert "Total cost €2,450.00 instead of €2,375.00: +€75.00 (+3.16%)" in page
    assert "3 KAMs get more, 0 less, 1 the same" in page
    assert "Payouts: how many KAMs get how much" in page and "Cost by variant" in page
    assert html(result).count('<svg class="chart" role="img"') == 5
    # cost by variant: the variant's title, its id beside it, in the table and on the chart
    variant_block = html(result).split('id="by-variant"', 1)[1].split('</details>', 1)[0]
    assert ('<th scope="row">Key accounts <span class="code" translate="no">key_accounts'
            '</span></th>') in variant_block
    assert 'text-anchor="end" fill="#1a1a1a">Key accounts</text>' in variant_block
    assert ">key_accounts</text>" not in variant_block
    assert "weights: {sales: 60, formulary: 40}" in unescape(html(result))  # the YAML text
    wrong = client.post("/scoring/whatif", data={**fields, "w:key_accounts:sales": "60"})
    assert wrong.status_code == 200  # the page lists what is wrong with the scenario
    assert ("variant 'key_accounts' (Key accounts): the weights add up to 110 %, expected "
            "100 % (sales 60 + formulary 50)") in text(wrong)
    empty = client.post("/scoring/whatif", data={**fields, "w:default:sales": ""})
    assert "weight of sales: empty is not a percentage" in text(empty)


def test_moving_plan_weight_keeps_the_variant_as_shown(client, two_plans):
    sign_in(client, "ana")
    fields = form_of(html(client.get("/scoring/whatif?plan=tiny_key")))
    result = client.post("/scoring/whatif", data={
        **fields, "w:default:sales": "60", "w:default:formulary": "40"})
    # every KAM is under the variant, whose column still says 50/50: no change
    assert "Total cost €2,375.00 instead of €2,375.00: €0.00" in text(result)


def test_any_number_of_the_plan_is_a_field(client, two_plans):
    sign_in(client, "ana")
    page = html(client.get("/scoring/whatif?plan=tiny"))
    assert 'name="v:components[0].curve.points[2].at"' in page
    assert 'name="v:target_incentive.amount"' in page
    fields = form_of(page)
    # the cap at 110 %: K1's 1.1 now reaches it: 1.5 x 70 % + 0.3 = 1.35 -> +175.00
    result = text(client.post("/scoring/whatif", data={
        **fields, "v:components[0].curve.points[2].at": "110%"}))
    assert "Total cost €2,700.00 instead of €2,525.00: +€175.00" in result
    assert "Kam K1 K1 €1,175.00 €1,350.00 +€175.00" in result
    doubled = text(client.post("/scoring/whatif", data={
        **fields, "v:target_incentive.amount": "2000"}))
    assert "Total cost €5,050.00 instead of €2,525.00" in doubled
    bad = client.post("/scoring/whatif", data={**fields, "v:target_incentive.amount": "lots"})
    assert bad.status_code == 200
    assert "target_incentive.amount: 'lots' is not a number" in text(bad)


def test_pasted_yaml_is_checked_with_its_line_numbers(client, two_plans):
    sign_in(client, "ana")
    fields = {**form_of(html(client.get("/scoring/whatif?plan=tiny"))), "mode": "yaml"}
    broken = client.post("/scoring/whatif", data={
        **fields, "source": TINY_PLAN.replace("metric: sales_attainment", "metric: sales")})
    assert "draft.yaml:12: components[0].metric: unknown metric 'sales'" in text(broken)


def test_saving_the_scenario_makes_a_draft_for_approval(app, client, two_plans):
    sign_in(client, "ana")
    fields = form_of(html(client.get("/scoring/whatif?plan=tiny_key")))
    response = client.post("/scoring/whatif/save", data={
        **fields, "w:key_accounts:sales": "60", "w:key_accounts:formulary": "40",
        "note": "more on sales for key accounts"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/scoring/rulesets/tiny_key/2")
    with get_db(app).session() as s:
        draft = s.scalar(select(RulesetVersion).where(RulesetVersion.name == "tiny_key",
                                                      RulesetVersion.version == 2))
        assert draft.status is RulesetStatus.DRAFT and draft.drafted_by == "ana"
        assert draft.note == "more on sales for key accounts"
        assert "weights: {sales: 60, formulary: 40}" in draft.source
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "ruleset.draft")
                          .order_by(AuditEvent.id.desc())).first()
        assert audit.object_key == "tiny_key v2" and audit.actor == "ana"
    again = client.post("/scoring/whatif/save", data={
        **fields, "w:key_accounts:sales": "60", "w:key_accounts:formulary": "40"})
    assert again.status_code == 200 and "identical to tiny_key v2" in text(again)


def test_who_may_use_and_save(client, two_plans):
    sign_in(client, "bob")  # approver: may try, may not draft
    page = html(client.get("/scoring/whatif"))
    assert "Save as a new draft" not in page
    assert client.post("/scoring/whatif/save", data=form_of(page)).status_code == 403
    client.post("/sign-out")
    sign_in(client, "kim")
    assert client.get("/scoring/whatif").status_code == 403


def test_without_a_published_plan_the_page_says_so(client, tiny, session):
    session.rollback()
    sign_in(client, "ana")
    assert "No ruleset is published yet" in text(client.get("/scoring/whatif"))
