"""What-if: a draft on a period's inputs, compared with the published plan; nothing stored."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tiny_population import EXPECTED, TINY_PLAN, set_fact

from kamscore.facts.columns import refresh_snapshots
from kamscore.models import Account, Fact, Period, PeriodKind, ScoreRun, Team, TeamMember
from kamscore.models.org import Role
from kamscore.scoring.errors import InvalidInputError
from kamscore.scoring.inputs_cache import InputsCache
from kamscore.scoring.run_store import load_lines
from kamscore.scoring.runs import run_score
from kamscore.scoring.whatif import what_if, with_weights


def test_the_published_plan_as_draft_gives_the_official_run(session, pm, published):
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    report = what_if(session, pm, period="2026-Q1", draft_ref="tiny", include_all=True)
    assert report["draft"]["payout"] == run.total_payout == 2525.0
    assert report["draft"]["target"] == run.total_target
    assert report["draft"]["held"] == run.held_count
    official = {line.kam_code: line.payout for line in load_lines(session, run.id)}
    assert {k["kam"]: k["draft"] for k in report["kams"]} == official
    assert report["change"]["payout"] == 0 and report["change"]["kams_same"] == 4
    assert report["risers"] == report["fallers"] == []


def test_moving_weight_from_sales_to_formulary(session, pm, published):
    # K1: 1.25 x 60 % + 1.0 x 40 % = 1.15; K2: 0.75 x 60 % + 0.5 x 40 % = 0.65; K3: 0;
    # K4: (1.5 x 60 % + 1.0 x 40 %) x 45/90 = 0.65 -> 1150 + 650 + 0 + 650 = 2450
    report = what_if(session, pm, period="2026-Q1", baseline_ref="tiny",
                     weights={"sales": 60, "formulary": "40%"}, include_all=True)
    assert report["baseline"]["payout"] == 2525.0
    assert report["draft"]["payout"] == 2450.0
    assert report["change"] == {"payout": -75.0, "percent": round(-75 / 2525 * 100, 4),
                                "kams_up": 0, "kams_down": 3, "kams_same": 1}
    assert [(r["kam"], r["change"]) for r in report["fallers"]] == [
        ("K1", -25.0), ("K2", -25.0), ("K4", -25.0)]
    # eligible payouts 0, 650, 650, 1150: linear percentiles
    assert report["draft"]["percentiles"] == {"p10": 195.0, "p25": 487.5, "p50": 650.0,
                                              "p75": 775.0, "p90": 1000.0}
    assert report["baseline"]["percentiles"]["p50"] == 675.0
    assert {k["kam"]: k["baseline"] for k in report["kams"]} == {
        code: float(value) for code, value in EXPECTED.items()}
    assert session.scalar(select(func.count()).select_from(ScoreRun)) == 0


def test_a_pasted_draft_is_validated_and_compared(session, pm, published):
    draft = TINY_PLAN.replace("{at: 120%, pays: 1.5, label: cap}",
                              "{at: 110%, pays: 1.5, label: cap}")
    report = what_if(session, pm, period="2026-Q1", draft_source=draft)
    # K1's 1.1 now reaches the cap: 1.5 x 70 % + 0.3 = 1.35 -> +175; K4 is capped already
    assert [(r["kam"], r["change"]) for r in report["risers"]] == [("K1", 175.0)]
    assert report["baseline"]["label"] == "tiny v1 (published)"
    with pytest.raises(InvalidInputError) as caught:
        what_if(session, pm, period="2026-Q1", draft_source=draft.replace("weight: 30",
                                                                          "weight: 20"))
    assert any("100" in p for p in caught.value.problems)


def test_weights_of_unknown_components_are_refused(session, pm, published):
    with pytest.raises(InvalidInputError, match="no component 'csat'") as caught:
        what_if(session, pm, period="2026-Q1", baseline_ref="tiny", weights={"csat": 10})
    assert caught.value.field == "weights"


def test_with_weights_keeps_the_rest_of_the_text():
    changed = with_weights(TINY_PLAN, {"sales": "65", "formulary": 35})
    assert changed == TINY_PLAN.replace("weight: 70", "weight: 65").replace("weight: 30",
                                                                             "weight: 35")


def test_repeated_what_ifs_reuse_the_inputs_until_the_data_changes(session, pm, published,
                                                                  tiny):
    cache = InputsCache()
    first = what_if(session, pm, cache, period="2026-Q1", baseline_ref="tiny")
    assert first["inputs"]["cached"] is False
    assert first["inputs"]["metrics_computed"] == ["formulary_status", "sales_attainment"]
    again = what_if(session, pm, cache, period="2026-Q1", baseline_ref="tiny",
                    weights={"sales": 50, "formulary": 50})
    assert again["inputs"]["cached"] is True and again["inputs"]["metrics_computed"] == []
    set_fact(session, tiny.period_id, "A3", "net_sales", 1_000_000)
    changed = what_if(session, pm, cache, period="2026-Q1", baseline_ref="tiny")
    assert changed["inputs"]["cached"] is False
    # K3 now exactly on target: 1.0 x 70 % + not listed 0 x 30 % = 0.7 -> 700.00 more
    assert changed["draft"]["payout"] == 2525.0 + 700.0


def test_a_draft_reading_other_facts_reloads_the_cached_inputs_with_them(session, pm,
                                                                         published):
    """The cache holds only the facts its rulesets read; a draft that reads more reloads."""
    cache = InputsCache()
    first = what_if(session, pm, cache, period="2026-Q1", baseline_ref="tiny")
    assert first["inputs"]["cached"] is False
    # a new component on account ROI reads "investment" (none in the data: no value, paid
    # zero), which the cached context was not loaded with: not an error, a reload
    draft = TINY_PLAN.replace("weight: 30", "weight: 20") + textwrap.indent(textwrap.dedent("""\
        - id: roi
          title: Account ROI
          metric: account_roi
          weight: 10
          missing: zero
          curve:
            points:
              - {at: 1, pays: 0, label: threshold}
              - {at: 4, pays: 1.0, label: target}
        """), "  ")
    report = what_if(session, pm, cache, period="2026-Q1", draft_source=draft)
    assert report["inputs"]["cached"] is False
    assert report["inputs"]["metrics_computed"] == ["account_roi", "formulary_status",
                                                    "sales_attainment"]
    assert report["draft"]["failures"] == []
    # sales at 70 % and formulary at 20 % of what they paid at 70 % and 30 %; ROI pays zero
    assert report["draft"]["payout"] < report["baseline"]["payout"] == 2525.0
    again = what_if(session, pm, cache, period="2026-Q1", baseline_ref="tiny")
    assert again["inputs"]["cached"] is True  # the reloaded entry serves the smaller plan too


def test_with_fact_snapshots_the_cache_still_sees_every_fact_change(session, pm, published,
                                                                   tiny):
    """The stamp reads the snapshots instead of scanning the facts; a changed fact drops its
    period's snapshot, and so changes the stamp, in any period (the year's survey facts)."""
    assert refresh_snapshots(session)
    session.commit()
    cache = InputsCache()
    assert what_if(session, pm, cache, period="2026-Q1", baseline_ref="tiny")["inputs"][
        "cached"] is False
    assert what_if(session, pm, cache, period="2026-Q1", baseline_ref="tiny")["inputs"][
        "cached"] is True
    set_fact(session, tiny.period_id, "A3", "net_sales", 1_000_000)
    changed = what_if(session, pm, cache, period="2026-Q1", baseline_ref="tiny")
    assert changed["inputs"]["cached"] is False
    assert changed["draft"]["payout"] == 2525.0 + 700.0  # read from the rows, no snapshot
    refresh_snapshots(session)
    session.commit()
    rebuilt = what_if(session, pm, cache, period="2026-Q1", baseline_ref="tiny")
    assert rebuilt["inputs"]["cached"] is False  # a new snapshot: a new stamp
    assert rebuilt["draft"]["payout"] == 2525.0 + 700.0  # the same figures from it
    year = Period(code="2026", kind=PeriodKind.YEAR, start_date=dt.date(2026, 1, 1),
                  end_date=dt.date(2026, 12, 31))
    session.add(year)
    session.commit()
    assert refresh_snapshots(session) == {"2026": 0}
    session.commit()
    assert what_if(session, pm, cache, period="2026-Q1", baseline_ref="tiny")["inputs"][
        "cached"] is False  # one snapshot more
    assert what_if(session, pm, cache, period="2026-Q1", baseline_ref="tiny")["inputs"][
        "cached"] is True
    session.add(Fact(period_id=year.id, name="survey.csat.all.n", subject_key="account:A3",
                     account_id=session.scalar(select(Account.id).where(Account.code == "A3")),
                     value=3, unit="count", source="test"))
    session.commit()
    assert what_if(session, pm, cache, period="2026-Q1", baseline_ref="tiny")["inputs"][
        "cached"] is False


def test_the_docs_weight_example_works_on_a_plan_with_a_variant():
    """docs/scoring.md: ``--weight sales=20 --weight csat=15`` on ``standard``, whose
    variant 'development' lists sales but not csat: it keeps its own weights."""
    standard = (Path(__file__).resolve().parents[2] / "rulesets" / "standard.yaml").read_text()
    changed = with_weights(standard, {"sales": 20, "csat": 15})
    assert "weights: {sales: 15, dmu: 10, relationship: 10, csat: 10}" in changed


def test_details_histogram_cost_by_group_and_crossings(session, pm, published):
    # an amount cap of 1000 cuts K1's 1175.00 (K2 675, K3 0, K4 675 unchanged); K3 is under
    # the sales threshold (0.7 < 80 %) and not listed (0 points pays 0) under both
    draft = TINY_PLAN + "limits: {cap_amount: 1000}\n"
    report = what_if(session, pm, period="2026-Q1", draft_source=draft, details=True)
    assert report["change"]["payout"] == -175.0
    # bins of 200 (1175 / 10 -> 117.5 -> 200) from 0 to 1200
    assert [(b["low"], b["high"], b["baseline"], b["draft"]) for b in report["histogram"]] == [
        (0, 200, 1, 1), (200, 400, 0, 0), (400, 600, 0, 0), (600, 800, 2, 2),
        (800, 1000, 0, 0), (1000, 1200, 1, 1)]
    assert report["crossings"] == {
        "capped": {"baseline": 0, "draft": 1, "newly": 1, "no_longer": 0},
        "under_threshold": {"baseline": 1, "draft": 1, "newly": 0, "no_longer": 0}}
    assert report["by"]["variant"] == [{"group": "default", "label": "Plan as written",
                                        "kams": 4, "baseline": 2525.0, "draft": 2350.0,
                                        "change": -175.0}]
    assert report["by"]["segment"][0]["kams"] == 4 and \
        report["by"]["segment"][0]["draft"] == 2350.0
    assert report["draft_source"] == draft


def test_cost_by_team_and_variant_is_named_by_team_name_and_variant_title(session, pm,
                                                                         published, tiny):
    """The breakdown names a team by its name in the directory and a variant by its title in
    the draft; the ids stay as ``group``."""
    team = Team(code="T00007", name="Oncology North", lead_id=tiny.people["K1"])
    session.add(team)
    session.flush()
    session.add(TeamMember(team_id=team.id, person_id=tiny.people["K2"], function=Role.KAM))
    session.commit()
    draft = TINY_PLAN + textwrap.dedent("""\
        variants:
          - id: key_accounts
            title: Key accounts
            when: {segment: key}
        """)
    report = what_if(session, pm, period="2026-Q1", draft_source=draft, details=True)
    assert [(r["group"], r["label"], r["kams"]) for r in report["by"]["variant"]] == [
        ("key_accounts", "Key accounts", 4)]
    assert sorted((r["group"], r["label"], r["kams"]) for r in report["by"]["team"]) == [
        ("(none)", "No team", 2), ("T00007", "Oncology North", 2)]


def test_the_api_changes_weights_under_variants_and_other_values(client, tokens, published):
    # the cap point of the sales curve at 110 %: K1's 1.1 reaches it: +175.00 (as pasted)
    response = client.post("/api/v1/whatif", headers=tokens["ana"], json={
        "period": "2026-Q1", "baseline": "tiny",
        "values": {"components[0].curve.points[2].at": "110%"}})
    assert response.status_code == 200, response.json
    assert response.json["change"]["payout"] == 175.0
    refused = client.post("/api/v1/whatif", headers=tokens["ana"], json={
        "period": "2026-Q1", "baseline": "tiny", "variant_weights": {"key": {"sales": 50}}})
    assert refused.status_code == 422
    assert "no variant 'key' in the ruleset" in str(refused.json)
