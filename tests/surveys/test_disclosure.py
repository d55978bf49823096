"""Minimum group sizes and complementary suppression, proved against a brute-force attacker.

The attacker knows every reported group's sums (any statistic we report is a function of
them) and may add and subtract reports at will: what he can compute is the linear span of the
reported groups' indicator vectors. He wins if some set of 1..minimum-1 respondents (not the
exempt self-rating, which is shown apart on purpose) lies in that span.
"""

from __future__ import annotations

import pytest
from disclosure_attack import isolatable_small_sets
from hypothesis import given, settings
from hypothesis import strategies as st

from kamscore.surveys.disclosure import Group, Verdict, disclose


def subject_tree(manager: int, peer: int, cross: int, self_: int = 1) -> list[Group]:
    others = manager + peer + cross
    return [
        Group("others", others, priority=2),
        Group("manager", manager, "others", priority=1),
        Group("peer", peer, "others", priority=1),
        Group("cross_functional", cross, "others", priority=1),
        Group("self", self_, exempt=True),
    ]


def test_a_group_of_two_is_not_reported_and_cannot_be_derived():
    """The acceptance case: 2 managers, 3 peers, 3 cross-functional colleagues. "others"
    (8) is reported — the 360 metric needs it — so one more group must go, or the managers'
    answers would be others - peers - cross-functional."""
    groups = subject_tree(manager=2, peer=3, cross=3)
    verdict = disclose(groups, 3)
    assert verdict["manager"] is Verdict.TOO_SMALL
    assert verdict["others"] is Verdict.SHOWN
    assert verdict["self"] is Verdict.SHOWN  # always shown apart
    assert sorted([verdict["peer"], verdict["cross_functional"]]) == [
        Verdict.SHOWN, Verdict.WITHHELD
    ]
    assert isolatable_small_sets(groups, verdict, 3) == []
    # without the complementary rule the managers would be exposed
    naive = {g.key: Verdict.SHOWN if g.n >= 3 or g.exempt else Verdict.TOO_SMALL for g in groups}
    assert isolatable_small_sets(groups, naive, 3) == [("manager",)]


def test_two_small_groups_that_together_reach_the_minimum_need_no_more():
    groups = subject_tree(manager=1, peer=2, cross=4)
    verdict = disclose(groups, 3)
    assert verdict["manager"] is verdict["peer"] is Verdict.TOO_SMALL
    assert verdict["cross_functional"] is Verdict.SHOWN  # residue 1 + 2 = 3 is safe
    assert isolatable_small_sets(groups, verdict, 3) == []


def test_the_top_group_goes_only_when_nothing_below_can():
    groups = [Group("all", 4, priority=2), Group("physician", 1, "all"), Group("nurse", 3, "all")]
    verdict = disclose(groups, 3)
    assert verdict == {
        "all": Verdict.SHOWN, "physician": Verdict.TOO_SMALL, "nurse": Verdict.WITHHELD
    }
    # a parent that matters less than its only candidate is withheld itself
    low = [Group("all", 4, priority=0), Group("physician", 1, "all"),
           Group("nurse", 3, "all", priority=5)]
    assert disclose(low, 3)["all"] is Verdict.WITHHELD


def test_empty_groups_and_a_missing_self_rating():
    groups = subject_tree(manager=0, peer=3, cross=3, self_=0)
    verdict = disclose(groups, 3)
    assert verdict["manager"] is Verdict.EMPTY and verdict["self"] is Verdict.EMPTY
    assert verdict["peer"] is verdict["cross_functional"] is verdict["others"] is Verdict.SHOWN


def test_a_second_pass_starts_from_the_first_and_only_hides_more():
    """Answers to one question: a peer answered "not applicable", so the peers have only 2
    answers to it; starting from the response-count decisions keeps the manager hidden."""
    first = disclose(subject_tree(manager=1, peer=3, cross=3), 3)
    assert first["manager"] is Verdict.TOO_SMALL
    hidden = {k for k, v in first.items() if v is not Verdict.SHOWN}
    second_groups = subject_tree(manager=1, peer=2, cross=3)
    second = disclose(second_groups, 3, withheld=hidden)
    assert all(second[k] is not Verdict.SHOWN for k in hidden if second[k] is not Verdict.EMPTY)
    assert isolatable_small_sets(second_groups, second, 3) == []


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="unknown group"):
        disclose([Group("a", 3, "nowhere")], 3)
    with pytest.raises(ValueError, match="at least 1"):
        disclose([Group("a", 3)], 0)


def test_minimum_of_one_shows_everything():
    groups = subject_tree(manager=1, peer=1, cross=1)
    assert all(v is Verdict.SHOWN for v in disclose(groups, 1).values())


@st.composite
def forests(draw):
    """Random trees of groups: up to 8 groups, up to 3 levels, a few exempt leaves."""
    groups: list[tuple] = []  # (key, parent, own, exempt, priority)
    count = draw(st.integers(1, 8))
    for i in range(count):
        parents = [g for g in groups if not g[3] and _level(groups, g[0]) < 2]
        parent = draw(st.sampled_from([None, *[g[0] for g in parents]]))
        exempt = draw(st.booleans()) if parent is None and i else False
        groups.append((f"g{i}", parent, draw(st.integers(0, 6)), exempt, draw(st.integers(0, 2))))
    totals = {}
    for key, *_ in reversed(groups):
        totals[key] = next(g[2] for g in groups if g[0] == key) + sum(
            totals[g[0]] for g in groups if g[1] == key
        )
    return [Group(k, totals[k], p, exempt=e, priority=pr) for k, p, _, e, pr in groups]


def _level(groups, key):
    parent = next(g[1] for g in groups if g[0] == key)
    return 0 if parent is None else 1 + _level(groups, parent)


@settings(max_examples=300, deadline=None)
@given(forests(), st.integers(2, 5))
def test_no_small_set_can_ever_be_isolated(groups, minimum):
    verdict = disclose(groups, minimum)
    assert isolatable_small_sets(groups, verdict, minimum) == []
    for g in groups:
        if g.exempt and g.n:
            assert verdict[g.key] is Verdict.SHOWN
        if verdict[g.key] is Verdict.SHOWN and not g.exempt:
            assert g.n >= minimum


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6), st.integers(2, 5))
def test_others_is_shown_whenever_it_is_big_enough(manager, peer, cross, minimum):
    """The figure the 360 metric reads is never sacrificed for a breakdown."""
    groups = subject_tree(manager, peer, cross)
    verdict = disclose(groups, minimum)
    assert (verdict["others"] is Verdict.SHOWN) == (manager + peer + cross >= minimum)
    assert isolatable_small_sets(groups, verdict, minimum) == []
