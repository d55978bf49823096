"""An import drops the fact snapshots of the periods whose facts it changes, in its own
transaction, and builds none: whoever reads next builds them from the rows (an import job
once its import has committed, a score run, ``kamscore period snapshot``:
kamscore.facts.columns). Until then readers read the rows and see the same facts."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from kamscore.facts.columns import fact_names, has_snapshot, read_fact_columns, refresh_snapshots
from kamscore.importing import import_kinds
from kamscore.models import FactSnapshot, Period

VISITS = "period,name,account,value,unit\n2026-Q2,visits,A001,{value},count\n"


def _snapshots(db) -> dict[str, tuple[int, object]]:
    with db.session() as session:
        return {code: (count, built) for code, count, built in session.execute(
            select(Period.code, FactSnapshot.fact_count, FactSnapshot.built_at)
            .join(FactSnapshot, FactSnapshot.period_id == Period.id))}


def _refresh(db) -> dict[str, int]:
    with db.session() as session:
        return refresh_snapshots(session)


def _visits(db) -> list[float]:
    with db.session() as session:
        q2 = session.scalar(select(Period.id).where(Period.code == "2026-Q2"))
        assert (q2, "visits") in fact_names(session, [q2])
        return read_fact_columns(session, q2, ["visits"])["visits"].value.tolist()


def test_an_import_builds_no_snapshot_and_a_refresh_builds_every_period(org, db):
    assert _snapshots(db) == {}  # the facts of the example organisation are in the rows only
    with db.session() as session:
        periods = set(session.scalars(select(Period.code)))
    assert set(_refresh(db)) == periods
    assert set(_snapshots(db)) == periods
    assert _refresh(db) == {}  # nothing missing: nothing built


def test_an_import_drops_the_snapshots_of_the_periods_it_changed(org, run_import, db):
    _refresh(db)
    before = _snapshots(db)
    run_import("facts", VISITS.format(value=4))
    dropped = _snapshots(db)
    assert "2026-Q2" not in dropped
    assert dropped == {k: v for k, v in before.items() if k != "2026-Q2"}  # others untouched
    assert _visits(db) == [4.0]  # read from the rows meanwhile
    assert _refresh(db) == {"2026-Q2": before["2026-Q2"][0] + 1}
    after = _snapshots(db)
    assert after["2026-Q2"][1] > before["2026-Q2"][1]
    assert _visits(db) == [4.0]  # the same from the snapshot
    run_import("facts", VISITS.format(value=5))  # an update of the same fact
    assert "2026-Q2" not in _snapshots(db)
    assert _visits(db) == [5.0]
    _refresh(db)
    assert _visits(db) == [5.0]


def test_a_dry_run_or_a_rejected_import_changes_no_snapshot(org, run_import, rejected, db):
    _refresh(db)
    before = _snapshots(db)
    run_import("facts", VISITS.format(value=4), dry_run=True)
    assert rejected("facts", VISITS.format(value=4) + "2026-Q2,visits,A999,1,count\n")
    assert _snapshots(db) == before


def test_an_import_of_other_kinds_keeps_the_fact_snapshots(org, run_import, examples, db):
    _refresh(db)
    before = _snapshots(db)
    for kind in import_kinds():
        if kind != "facts":  # periods, people, plans...: no fact written
            run_import(kind, (examples / f"{kind}.csv").read_bytes())
    assert _snapshots(db) == before


ORDERS = ("period,name,account,item,value,unit\n"
          "2026-Q2,net_sales,A001,SO-1,{first},EUR\n"
          "2026-Q2,net_sales,A001,SO-2,300,EUR\n")


def test_facts_given_order_by_order_keep_their_items(org, run_import, rejected, db):
    """Two orders at one account are two facts (the item is in the key), stored with their
    item in the rows and in the snapshot; importing again updates the order it names."""
    from kamscore.facts.columns import _period_rows

    run_import("facts", ORDERS.format(first=100))
    run_import("facts", ORDERS.format(first=150))  # the same two facts, one changed
    _refresh(db)
    with db.session() as session:
        q2 = session.scalar(select(Period.id).where(Period.code == "2026-Q2"))
        assert has_snapshot(session, q2)
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


def _fact_triggers(db) -> list[tuple[str, str]]:
    with db.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            query = ("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                     "WHERE tgrelid = 'fact'::regclass AND NOT tgisinternal ORDER BY tgname")
        else:
            query = ("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                     "AND tbl_name = 'fact' ORDER BY name")
        return [tuple(row) for row in session.execute(text(query))]


def _hand_update_drops_the_snapshot(db, value: float) -> bool:
    with db.session() as session:
        q2 = session.scalar(select(Period.id).where(Period.code == "2026-Q2"))
        session.execute(text("UPDATE fact SET value = :v WHERE period_id = :p AND name = 'visits'"),
                        {"v": value, "p": q2})
        return session.get(FactSnapshot, q2) is None


def test_an_import_leaves_facts_triggers_as_it_found_them(org, run_import, db):
    """On SQLite a writing import sets ``fact``'s row triggers aside for its bulk writes
    (in its transaction): after it they are all back, word for word, and still drop the
    snapshot of a period whose facts are changed by hand."""
    before = _fact_triggers(db)
    assert len(before) >= 3
    run_import("facts", VISITS.format(value=4))  # created
    run_import("facts", VISITS.format(value=6))  # updated
    assert _fact_triggers(db) == before
    assert _visits(db) == [6.0]
    assert "2026-Q2" in _refresh(db)
    assert _hand_update_drops_the_snapshot(db, 7.0)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_failed_write_restores_the_triggers_and_the_snapshots(org, run_import, db):
    """Only the snapshot triggers are set aside: a trigger of ``fact`` made by hand still
    fires during the import's bulk write; when it refuses a row the import rolls back with
    its transaction, leaving triggers and snapshots as they were and nothing written."""
    from sqlalchemy.exc import IntegrityError

    run_import("facts", VISITS.format(value=4))
    assert "2026-Q2" in _refresh(db)
    with db.session() as session:
        session.execute(text("CREATE TRIGGER by_hand_no_thirteen BEFORE UPDATE ON fact "
                             "WHEN NEW.value = 13 BEGIN SELECT RAISE(ABORT, 'no 13'); END"))
    triggers, snapshots = _fact_triggers(db), _snapshots(db)
    try:
        with pytest.raises(IntegrityError, match="no 13"):
            run_import("facts", VISITS.format(value=13))
        assert _fact_triggers(db) == triggers
        assert _snapshots(db) == snapshots
        assert _visits(db) == [4.0]
    finally:
        with db.session() as session:
            session.execute(text("DROP TRIGGER by_hand_no_thirteen"))
