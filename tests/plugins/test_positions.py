"""positions_of and index_of: codes to positions for whole columns."""

import numpy as np

from kamscore.metrics.positions import (
    CodedColumn,
    ascii_keys,
    index_of,
    positions_of,
    sorted_positions,
)


def test_positions_of_codes_as_the_index_gives_them():
    index = index_of(np.array(["A", "B", "C"], dtype=object))
    assert index == {"A": 0, "B": 1, "C": 2}
    found = positions_of(np.array(["C", None, "X", "A"], dtype=object), index)
    assert found.dtype == np.int64 and found.tolist() == [2, -1, -1, 0]
    assert positions_of(["B"], index, missing=-7).tolist() == [1]
    assert positions_of(["Z"], index, missing=-7).tolist() == [-7]
    assert positions_of([], index).tolist() == []


def test_a_repeated_code_maps_to_its_last_position():
    assert index_of(["A", "B", "A"]) == {"A": 2, "B": 1}


def test_sorted_positions_by_search_as_by_a_dict():
    table = np.array(sorted(["A1", "A10", "A2", "Ä3", "b", "a b"]), dtype=object)
    codes = np.array(["A2", None, "Z", "Ä3", "a b", "A1", "A1"], dtype=object)
    expected = positions_of(codes, index_of(table))
    assert sorted_positions(table, codes).tolist() == expected.tolist() == [2, -1, -1, 5, 3, 0, 0]
    assert sorted_positions(table, []).tolist() == []
    assert sorted_positions(np.empty(0, dtype=object), ["A"]).tolist() == [-1]


def test_a_table_of_ascii_keys_is_searched_as_the_texts_are():
    codes = np.array(sorted(["A1", "A10", "A2", "b", "a b", "Z~"]), dtype=object)
    keys = ascii_keys(codes)
    assert keys.dtype.kind == "S" and keys.nbytes == len(codes) * 3  # a byte a character
    asked = np.array(["A2", None, "Z", "Ä3", "a b", "A1", "Z~"], dtype=object)  # "Ä3": not ASCII
    expected = positions_of(asked, index_of(codes)).tolist()
    assert sorted_positions(keys, asked).tolist() == expected == [2, -1, -1, -1, 4, 0, 3]
    assert sorted_positions(keys, asked[[0, 4]]).tolist() == [2, 4]
    texts = np.array(sorted(["A1", "Ä3"]), dtype=object)  # a code not ASCII: kept as texts
    assert ascii_keys(texts).dtype.kind == "U"
    assert sorted_positions(ascii_keys(texts), ["Ä3", "A1", "x"]).tolist() == [1, 0, -1]


def test_coded_codes_give_the_positions_their_codes_give():
    index = {"E1": 0, "E3": 1}
    lookup = np.array([None, "E1", "E2", "E3"], dtype=object)  # by person id; 0: none
    ids = np.array([3, 0, 1, 2, 3, 1], dtype=np.int64)
    found = positions_of(CodedColumn(ids, lookup), index)
    assert found.tolist() == positions_of(lookup[ids], index).tolist() == [1, -1, 0, -1, 1, 0]
    assert positions_of(CodedColumn(ids[:0], lookup), index).tolist() == []


def test_a_tuple_of_codes_is_codes_not_a_coded_column():
    assert positions_of(("E3", "E1"), {"E1": 0, "E3": 1}).tolist() == [1, 0]


def test_accounts_positions_are_searched_again_only_for_other_codes():
    from kamscore.metrics.context import Accounts

    codes = np.array(["A1", "A2", "A3", "B1"], dtype=object)
    empty = np.full(4, None, dtype=object)
    accounts = Accounts(codes, empty, empty, empty, empty, empty)
    asked = np.array(["A2", None, "B1", "Z"], dtype=object)
    first = accounts.positions(asked)
    assert first.tolist() == [1, -1, 3, -1] and not first.flags.writeable
    assert accounts.positions(asked.copy()) is first  # equal codes: the answer kept
    asked[0] = "A3"  # the caller's array changed: searched again, not the stale answer
    assert accounts.positions(asked).tolist() == [2, -1, 3, -1]
    assert accounts.positions(np.array(["A1"], dtype=object)).tolist() == [0]
