"""CodedFactColumns reads as the plain FactColumns it stands for."""

import numpy as np

from kamscore.metrics.coded_facts import CodedFactColumns, coded
from kamscore.metrics.fact_table import FactColumns, FactTable


def _lookup(*codes):
    out = np.empty(len(codes) + 1, dtype=object)
    out[1:] = codes
    return out  # out[0] is None: id 0 is "none"


def test_coded_columns_read_as_the_codes_they_stand_for():
    people, products = _lookup("P1", "P2"), _lookup("X", "Y", "Z")
    person_ids = np.array([0, 2, 1, 2], dtype=np.int64)
    product_ids = np.array([3, 3, 0, 1], dtype=np.int64)
    category = np.array(["listed", None, "restricted", None], dtype=object)
    cols = CodedFactColumns(
        "net_sales", account=np.array([0, 1, -1, 1]), value=np.array([1.0, 2.0, 3.0, np.nan]),
        person=coded(person_ids, people), team=coded(np.zeros(4, dtype=np.int64), people),
        product=coded(product_ids, products), category=category)
    assert isinstance(cols, FactColumns) and len(cols) == 4
    assert cols.person.dtype == object and cols.person.tolist() == [None, "P2", "P1", "P2"]
    assert cols.team.dtype == object and cols.team.tolist() == [None] * 4
    assert cols.product.tolist() == ["Z", "Z", None, "X"]
    assert cols.category.tolist() == ["listed", None, "restricted", None]
    assert cols.item is None
    # the same code objects as the lookup's, and a fresh array at each read
    assert cols.person[1] is people[2]
    assert cols.person is not cols.person


def test_a_column_with_no_code_is_kept_as_nothing():
    people = _lookup("P1")
    assert coded(np.zeros(3, dtype=np.int64), people) is None
    ids, lookup = coded(np.array([0, 1, 0], dtype=np.int64), people)
    assert ids.dtype == np.int32 and lookup is people
    empty = CodedFactColumns("x", account=np.empty(0, dtype=np.int64), value=np.empty(0),
                             person=None, team=None, product=None, category=None)
    assert len(empty) == 0 and empty.person.tolist() == [] and empty.category.tolist() == []


def test_fact_table_sums_over_coded_columns():
    products = _lookup("X", "Y")
    cols = CodedFactColumns(
        "net_sales", account=np.array([0, 0, 1]), value=np.array([1.0, 2.0, 4.0]),
        person=None, team=None, product=coded(np.array([1, 2, 2]), products), category=None)
    table = FactTable({"net_sales": cols}, n_accounts=2)
    assert table.account_totals("net_sales").tolist() == [3.0, 4.0]
    assert table.account_totals("net_sales", products={"Y"}).tolist() == [2.0, 4.0]


def test_plan_accounts_found_by_search_as_by_the_index():
    from kamscore.metrics.assemble import _account_positions
    from kamscore.metrics.context import Accounts

    def accounts(*codes):
        col = np.array(codes, dtype=object)
        return Accounts(codes=col, names=col, types=col, segments=col, regions=col, teams=col)

    wanted = ["A3", "A0", None, "A1", "Z9", "A3", ""]
    for table in (accounts("A1", "A2", "A3"), accounts("A3", "A1", "A2"), accounts(),
                  accounts("A1")):
        expected = [table.index.get(c, -1) for c in wanted]
        assert _account_positions(table, wanted).tolist() == expected
    assert _account_positions(accounts("A1", "A2", "A3"), wanted).tolist() == [
        2, -1, -1, 0, -1, 2, -1]
    assert _account_positions(accounts("A1"), []).tolist() == []


def test_product_ranks_from_ids_as_from_the_codes():
    products = _lookup("Z9", "A1", "m2", "unused")
    ids = np.array([1, 0, 3, 2, 1, 3], dtype=np.int64)
    cols = CodedFactColumns("net_sales", account=np.zeros(6, dtype=np.int64),
                            value=np.ones(6), person=None, team=None,
                            product=coded(ids, products), category=None)
    plain = FactColumns("net_sales", account=cols.account, person=cols.person, team=cols.team,
                        product=cols.product, value=cols.value, category=cols.category)
    codes, ranks = cols.product_ranks()
    plain_codes, plain_ranks = plain.product_ranks()
    assert codes.dtype == plain_codes.dtype == object
    assert codes.tolist() == plain_codes.tolist() == ["A1", "Z9", "m2"]  # used ones, sorted
    assert ranks.tolist() == plain_ranks.tolist() == [1, -1, 2, 0, 1, 2]
    none = CodedFactColumns("x", account=np.zeros(2, dtype=np.int64), value=np.ones(2),
                            person=None, team=None, product=None, category=None)
    assert none.product_ranks()[0].tolist() == [] and none.product_ranks()[1].tolist() == [-1, -1]



def test_person_positions_from_the_ids_as_from_the_codes():
    people = _lookup("P1", "P2", "P3", "P4")
    ids = np.array([0, 2, 1, 2, 4, 0, 3], dtype=np.int64)
    cols = CodedFactColumns("target", account=np.zeros(7, dtype=np.int64), value=np.ones(7),
                            person=coded(ids, people), team=None, product=None, category=None)
    plain = FactColumns("target", np.zeros(7, dtype=np.int64), people[ids],
                        np.full(7, None, dtype=object), np.full(7, None, dtype=object),
                        np.ones(7), np.full(7, None, dtype=object))
    index = {"P2": 0, "P1": 1, "P4": 2}  # P3 is not in the population
    found = cols.person_positions(index)
    assert found.tolist() == plain.person_positions(index).tolist() == [-1, 0, 1, 0, 2, -1, -1]
    no_person = CodedFactColumns("target", account=np.zeros(2, dtype=np.int64),
                                 value=np.ones(2), person=None, team=None, product=None,
                                 category=None)
    assert no_person.person_positions(index).tolist() == [-1, -1]


def test_fact_sums_are_kept_from_their_second_read_on():
    cols = CodedFactColumns("net_sales", account=np.array([0, 0, 1]),
                            value=np.array([1.0, 2.0, 4.0]), person=None, team=None,
                            product=None, category=None)
    table = FactTable({"net_sales": cols}, n_accounts=3)
    first = table._account_sums("net_sales", None)
    second = table._account_sums("net_sales", None)
    assert first is not second  # read once: not kept (a standard run reads most names once)
    assert table._account_sums("net_sales", None) is second  # read twice: kept
    assert second[0].tolist() == [3.0, 4.0, 0.0] and second[1].tolist() == [2, 1, 0]
    assert table.account_totals("net_sales").tolist()[:2] == [3.0, 4.0]
    assert np.isnan(table.account_totals("net_sales")[2])
