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
    from kamscore.facts.columns import _period_rows

    run_import("facts", ORDERS.format(first=100))
    run_import("facts", ORDERS.format(first=150))  # the same two facts, one changed
    with db.session() as session:
        q2 = session.scalar(select(Period.id).where(Period.code == "2026-Q2"))
        snapped = read_fact_columns(session, q2, ["net_sales"])["net_sales"]
        rows = _period_rows(session, q2, ["net_sales"])["net_sales"]
    for columns in (snapped, rows):
        found = sorted((item, value) for item, value in zip(
            columns.item.tolist(), columns.value.tolist(), strict=True) if item)
        assert found == [("SO-1", 150.0), ("SO-2", 300.0)]
    too_long = ORDERS.format(first=1).replace("SO-2", "S" * 61)
    assert set(rejected("facts", too_long)) == {(3, "item")}


def test_a_snapshot_reads_its_period_in_one_statement_whatever_its_names(org, run_import, db):
    """A period of thousands of fact names (a 40,000-row file of the worker test has 1,334)
    is read with one SELECT of its facts, not one per name: a snapshot of 600 names costs the
    statements of one of 6."""
    from sqlalchemy import event

    from kamscore.facts.columns import refresh_snapshots

    def statements_of_a_rebuild(names: int) -> tuple[int, dict]:
        lines = ["period,name,account,value,unit"] + [
            f"2026-Q2,measure_{n},A00{1 + n % 6},{n}.5,EUR" for n in range(names)]
        run_import("facts", "\n".join(lines) + "\n")
        seen: list[str] = []
        with db.session() as session:
            listener = lambda *args: seen.append(args[2])  # noqa: E731 (statement text)
            event.listen(session.get_bind(), "before_cursor_execute", listener)
            try:
                built = refresh_snapshots(session, rebuild=True)
                columns = read_fact_columns(session, session.scalar(
                    select(Period.id).where(Period.code == "2026-Q2")), ["measure_1"])
            finally:
                event.remove(session.get_bind(), "before_cursor_execute", listener)
        reads = [s for s in seen if s.lstrip().upper().startswith("SELECT")
                 and "FROM fact " in s + " "]
        return len(reads), {"built": built, "measure_1": columns["measure_1"].value.tolist()}

    few, small = statements_of_a_rebuild(6)
    many, large = statements_of_a_rebuild(600)
    assert many == few, (few, many)
    assert large["built"]["2026-Q2"] == small["built"]["2026-Q2"] + 594
    assert small["measure_1"] == large["measure_1"] == [1.5]
