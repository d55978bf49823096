"""A KAM's own survey results and a manager's team's: only reportable groups carry numbers.

The organisation (``results_org``): K01 holds A001 (7 customers answer: 3 physicians,
3 pharmacists, 1 nurse); K02 holds A002 (2 physicians: under the minimum of 3). In the 360°,
K01 is rated by his manager, 2 peers and 3 cross-functional colleagues; K02 and K03 by their
manager and 2 peers each.
"""

from __future__ import annotations

import dataclasses

import pytest
from results_org import close, invitations_of, open_new_campaign, respond, seed_results_org

from kamscore.auth.scope import Scope
from kamscore.surveys.aggregate_store import Minimums
from kamscore.surveys.people_results import own_results, team_360, team_completion

CUSTOMER_LEVEL = {"physician": 5, "pharmacist": 4, "nurse": 2}
RATER_LEVEL = {"self": 5, "manager": 2, "peer": 3, "cross_functional": 5}


@pytest.fixture
def surveyed(session):
    org = seed_results_org(session)
    customer = open_new_campaign(session, "CS-26Q1", "customer_satisfaction")
    team = open_new_campaign(session, "360-26Q1", "internal_360")
    for invitation in invitations_of(session, customer):
        respond(session, invitation, CUSTOMER_LEVEL[invitation.rater_group])
    for invitation in invitations_of(session, team):
        respond(session, invitation, RATER_LEVEL[invitation.rater_group])
    close(session, customer)
    close(session, team)
    return {k.code: k.id for k in org.kams}


def own(ids, code):
    return Scope("scorecard.read", False, frozenset({ids[code]}))


def numbers_in(value) -> list:
    """Every number anywhere in a result (dataclasses, lists, dicts)."""
    if dataclasses.is_dataclass(value):
        return [n for f in dataclasses.fields(value) for n in numbers_in(getattr(value, f.name))]
    if isinstance(value, list | tuple):
        return [n for v in value for n in numbers_in(v)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers_in(v)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def test_customer_figures_by_account_hand_worked(session, surveyed):
    results = own_results(session, own(surveyed, "K01"), surveyed["K01"], Minimums())
    (campaign,) = results.customer
    (a001,) = campaign.groups
    assert (a001.code, a001.name, a001.shown) == ("A001", "St. Mary <Hospital>", True)
    overall = a001.by_measure["overall_satisfaction"]
    # 3 x 5 + 3 x 4 + 1 x 2 = 29 over 7; CSAT (4 or 5 of 5) = 6 of 7
    assert overall.n == 7 and overall.mean == pytest.approx(29 / 7)
    assert overall.csat == pytest.approx(6 / 7)
    # measures speak of every subject at once (the account's name is the group's)
    assert overall.label.endswith("partner of the account?") and "{subject}" not in overall.label
    # NPS: answers 10, 10, 10, 9, 9, 9 (promoters) and 5 (detractor): (6 - 1) / 7
    assert a001.by_measure["nps"].nps == pytest.approx(500 / 7)


def test_below_the_minimum_too_few_responses_and_no_number(session, surveyed):
    results = own_results(session, own(surveyed, "K02"), surveyed["K02"], Minimums())
    (a002,) = results.customer[0].groups
    assert a002.shown is False and a002.figures == []
    assert numbers_in(a002) == []
    (internal,) = results.internal
    groups = {g.code: g for g in internal.groups}
    # the manager (1) and the peers (2) are too few; the others (3) are shown
    assert groups["manager"].shown is False and numbers_in(groups["manager"]) == []
    assert groups["peer"].shown is False and numbers_in(groups["peer"]) == []
    assert groups["others"].by_measure["overall_effectiveness"].n == 3


def test_360_by_rater_group_with_the_self_gap(session, surveyed):
    (internal,) = own_results(session, own(surveyed, "K01"), surveyed["K01"],
                              Minimums()).internal
    assert [g.code for g in internal.groups] == ["others", "manager", "peer",
                                                 "cross_functional"]
    groups = {g.code: g for g in internal.groups}
    # levels on the 1..7 scale: manager 2 → 2.5 → 3 (rounded), peers 3 → 4, cross 5 → 6.5 → 7
    others = groups["others"].by_measure["overall_effectiveness"]
    assert others.n == 6 and others.mean == pytest.approx((3 + 4 + 4 + 7 + 7 + 7) / 6)
    assert groups["cross_functional"].by_measure["overall_effectiveness"].mean == 7.0
    # the manager's single answer stays hidden, and so does one more group (peer, the
    # smaller), else "others" minus the rest would give it away
    assert not groups["manager"].shown and not groups["peer"].shown
    self_rating = internal.own.by_measure["overall_effectiveness"]
    assert self_rating.mean == 7.0
    assert self_rating.gap == pytest.approx(7.0 - others.mean)
    assert internal.name == "360° feedback for the KAM 2026-Q1"


def test_a_kam_reads_his_own_results_only(session, surveyed):
    # K01's scope asking for K02: nothing at all
    results = own_results(session, own(surveyed, "K01"), surveyed["K02"], Minimums())
    assert results.customer == [] and results.internal == []
    k02 = own_results(session, own(surveyed, "K02"), surveyed["K02"], Minimums())
    assert [g.code for c in k02.customer for g in c.groups] == ["A002"]


def test_team_completion_and_360(session, surveyed):
    team = Scope("team.read", False, frozenset({surveyed["K02"], surveyed["K03"]}))
    rows = {r.code: r for r in team_completion(session, team)}
    # 360°: K02 and K03 each self + manager + 2 peers = 8; customers: A002's 2
    assert (rows["360-26Q1"].invited, rows["360-26Q1"].answered) == (8, 8)
    assert (rows["CS-26Q1"].invited, rows["CS-26Q1"].answered, rows["CS-26Q1"].rate) == (
        2, 2, 1.0)
    (campaign,) = team_360(session, team, Minimums())
    assert [k.code for k in campaign.kams] == ["K02", "K03"]  # never K01
    assert all(k.shown for k in campaign.kams)
    assert campaign.kams[0].by_measure["overall_effectiveness"].n == 3


def test_team_360_hides_a_kam_below_the_minimum(session, surveyed):
    team = Scope("team.read", False, frozenset({surveyed["K02"]}))
    (campaign,) = team_360(session, team, Minimums(group=4))
    (k02,) = campaign.kams
    assert k02.shown is False and numbers_in(k02) == []
