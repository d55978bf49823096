"""An import leaves every period with a fact snapshot that matches its rows: those whose
facts it changed get a new one, in the import's own transaction (kamscore.facts.columns)."""

from __future__ import annotations

from sqlalchemy import select

from kamscore.facts.columns import fact_names, read_fact_columns
from kamscore.importing import import_kinds
from kamscore.models import FactSnapshot, Period

VISITS = "period,name,account,value,unit\n2026-Q2,visits,A001,{value},count\n"


def _snapshots(db) -> dict[str, tuple[int, object]]:
    with db.session() as session:
        return {code: (count, built) for code, count, built in session.execute(
            select(Period.code, FactSnapshot.fact_count, FactSnapshot.built_at)
            .join(FactSnapshot, FactSnapshot.period_id == Period.id))}


def _visits(db) -> list[float]:
    with db.session() as session:
        q2 = session.scalar(select(Period.id).where(Period.code == "2026-Q2"))
        assert (q2, "visits") in fact_names(session, [q2])
        return read_fact_columns(session, q2, ["visits"])["visits"].value.tolist()


def test_every_period_has_a_snapshot_after_an_import(org, db):
    with db.session() as session:
        periods = set(session.scalars(select(Period.code)))
    assert set(_snapshots(db)) == periods


def test_an_import_rebuilds_the_snapshots_of_the_periods_it_changed(org, run_import, db):
    before = _snapshots(db)
    run_import("facts", VISITS.format(value=4))
    after = _snapshots(db)
    assert after["2026-Q2"][0] == before["2026-Q2"][0] + 1
    assert after["2026-Q2"][1] > before["2026-Q2"][1]
    assert {k: v for k, v in after.items() if k != "2026-Q2"} == \
        {k: v for k, v in before.items() if k != "2026-Q2"}  # the others untouched
    assert _visits(db) == [4.0]
    run_import("facts", VISITS.format(value=5))  # an update of the same fact
    assert _visits(db) == [5.0]


def test_a_dry_run_or_a_rejected_import_changes_no_snapshot(org, run_import, rejected, db):
    before = _snapshots(db)
    run_import("facts", VISITS.format(value=4), dry_run=True)
    assert rejected("facts", VISITS.format(value=4) + "2026-Q2,visits,A999,1,count\n")
    assert _snapshots(db) == before


def test_only_an_import_that_writes_facts_builds_snapshots(run_import, examples, db):
    for kind in import_kinds():
        if kind != "facts":
            run_import(kind, (examples / f"{kind}.csv").read_bytes())
    assert _snapshots(db) == {}  # periods, people, plans...: no fact written, none built
    run_import("facts", (examples / "facts.csv").read_bytes())
    with db.session() as session:
        assert set(_snapshots(db)) == set(session.scalars(select(Period.code)))


ORDERS = ("period,name,account,item,value,unit\n"
          "2026-Q2,net_sales,A001,SO-1,{first},EUR\n"
          "2026-Q2,net_sales,A001,SO-2,300,EUR\n")


def test_facts_given_order_by_order_keep_their_items(org, run_import, rejected, db):
    """Two orders at one account are two facts (the item is in the key), stored with their
    item in the rows and in the snapshot; importing again updates the order it names."""
    from kamscore.facts.columns import _rows

    run_import("facts", ORDERS.format(first=100))
    run_import("facts", ORDERS.format(first=150))  # the same two facts, one changed
    with db.session() as session:
        q2 = session.scalar(select(Period.id).where(Period.code == "2026-Q2"))
        snapped = read_fact_columns(session, q2, ["net_sales"])["net_sales"]
        rows = _rows(session, q2, "net_sales")
    for columns in (snapped, rows):
        found = sorted((item, value) for item, value in zip(
            columns.item.tolist(), columns.value.tolist(), strict=True) if item)
        assert found == [("SO-1", 150.0), ("SO-2", 300.0)]
    too_long = ORDERS.format(first=1).replace("SO-2", "S" * 61)
    assert set(rejected("facts", too_long)) == {(3, "item")}
