"""Compact context tables read as the plain ones they stand for
(kamscore/metrics/compact_tables.py)."""

import numpy as np

from kamscore.metrics.compact_tables import (
    CompactStakeholders,
    LazyCodedActions,
    LazyCodedObjectives,
    LazyNamedAccounts,
)
from kamscore.metrics.context import Accounts, Actions, Objectives, Stakeholders


def test_plan_items_with_codes_made_on_read():
    codes = np.array(["O1", "O2"], dtype=object)
    objectives = LazyCodedObjectives(plan=np.array([0, 1]), code_made=lambda: codes.copy(),
                                     target=np.array([1.0, 2.0]), actual=np.array([1.0, np.nan]),
                                     met=np.array([1.0, np.nan]))
    assert isinstance(objectives, Objectives) and len(objectives) == 2
    assert objectives.code.tolist() == ["O1", "O2"] and objectives.code is not objectives.code
    actions = LazyCodedActions(plan=np.array([1]), code_made=lambda: np.array(["A1"], dtype=object),
                               due=np.array(["2026-01-31"], dtype="datetime64[D]"),
                               done=np.array(["NaT"], dtype="datetime64[D]"))
    assert isinstance(actions, Actions) and len(actions) == 1
    assert actions.code.tolist() == ["A1"] and np.isnat(actions.done[0])


def test_stakeholders_held_small_read_as_the_plain_columns():
    role = np.array(["buyer", None, "payer", "buyer"], dtype=object)
    plain = Stakeholders(account=np.array([0, 0, 1, 2]), role=role,
                         influence=np.array([1, 5, 3, 2]),
                         partnership_level=np.array([0, 200, 70_000, 4]),
                         is_key=np.array([True, False, True, True]))
    compact = CompactStakeholders(account=plain.account, role_made=role.copy,
                                  influence=plain.influence,
                                  partnership_level=plain.partnership_level,
                                  is_key=plain.is_key)
    assert isinstance(compact, Stakeholders) and len(compact) == 4
    assert compact._influence.dtype == np.int8 and compact._partnership_level.dtype == np.int32
    for column in ("account", "role", "influence", "partnership_level", "is_key"):
        found, expected = getattr(compact, column), getattr(plain, column)
        assert found.dtype == expected.dtype and found.tolist() == expected.tolist(), column
    assert compact.key_count(4).tolist() == plain.key_count(4).tolist() == [1, 1, 1, 0]
    empty = CompactStakeholders(account=np.empty(0, dtype=np.int64),
                                role_made=lambda: np.empty(0, dtype=object),
                                influence=np.empty(0, dtype=np.int64),
                                partnership_level=np.empty(0, dtype=np.int64),
                                is_key=np.empty(0, dtype=bool))
    assert len(empty) == 0 and empty.influence.dtype == np.int64


def test_accounts_with_names_made_on_read():
    obj = lambda *v: np.array(v, dtype=object)  # noqa: E731
    accounts = LazyNamedAccounts(codes=obj("A1", "A2"), names_made=lambda: obj("Alpha", None),
                                 types=obj("hospital", None), segments=obj("s", "t"),
                                 regions=obj("N", "S"), teams=obj(None, "T1"))
    assert isinstance(accounts, Accounts) and len(accounts) == 2
    assert accounts.names.tolist() == ["Alpha", None]
    assert accounts.index == {"A1": 0, "A2": 1}
    assert accounts.teams.tolist() == [None, "T1"]
