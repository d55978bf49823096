"""fit_rows: a chunk whose rows all have the header's width (the fast path) keeps exactly the
rows the row-by-row reading keeps: every row but the blank ones, untouched."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kamscore.importing.errors import ErrorList
from kamscore.importing.table import RawTable, fit_rows

cells = st.sampled_from(["", " ", "\t", "\u3000", "\xa0", "x", " 1,5 ", "K1", "\u2028"])


@settings(max_examples=2000, deadline=None)
@given(st.integers(1, 5).flatmap(
    lambda width: st.tuples(st.just(width), st.lists(st.lists(cells, min_size=width,
                                                              max_size=width), max_size=12))))
def test_rows_of_the_header_width_keep_all_but_the_blank_ones(case):
    width, rows = case
    chunk = [(line, list(row)) for line, row in enumerate(rows, start=2)]
    table = RawTable(header=[f"c{i}" for i in range(width)], header_line=1, chunks=iter(()))
    errors = ErrorList()
    lines, kept = fit_rows(table, chunk, width, errors)
    expected = [(line, row) for line, row in chunk if "".join(row).strip()]
    assert list(zip(lines, kept, strict=True)) == expected
    assert not list(errors)
