"""Score runs on the tiny hand-built population: payouts, hashes, immutability, corrections."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from tiny_population import EXPECTED, set_fact

from kamscore.facts.columns import has_snapshot, refresh_snapshots
from kamscore.facts.table_snapshots import COLUMNS as TABLE_COLUMNS
from kamscore.facts.table_snapshots import has_table_snapshot, read_table
from kamscore.models import (
    Fact,
    ImmutableRecordError,
    Period,
    ScoreLine,
    ScoreRun,
    ScoreRunBlock,
    ScoreRunStatus,
)
from kamscore.scoring.errors import ConflictError, InvalidInputError, NotFoundError
from kamscore.scoring.periods import close_period
from kamscore.scoring.run_store import current_run, load_lines
from kamscore.scoring.runs import run_score


def _run(session, pm, **kwargs):
    return run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana", **kwargs)


def canonical_run(session, run: ScoreRun) -> str:
    """Everything a run computed, without its id, time and author: what must be identical."""
    lines = [
        [line.kam_code, line.eligible, line.held, line.payout, line.input_hash, line.detail]
        for line in load_lines(session, run.id)
    ]
    body = {
        "input_hash": run.input_hash, "result_hash": run.result_hash, "plugins": run.plugins,
        "metrics": run.metrics, "failures": run.failures, "total": run.total_payout,
        "lines": lines,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def test_a_run_pays_the_hand_worked_amounts(session, pm, published):
    run = _run(session, pm)
    lines = {line.kam_code: line for line in load_lines(session, run.id)}
    assert {code: line.detail["payout"] for code, line in lines.items()} == EXPECTED
    assert run.status is ScoreRunStatus.COMPLETE
    assert run.kam_count == 4 and run.eligible_count == 4 and run.held_count == 0
    assert run.total_payout == 2525.0
    # eligible targets, prorated: 1000 + 1000 + 1000 + 500
    assert run.total_target == 3500.0
    assert run.ruleset_version_id == published.id
    assert set(run.plugins) == {"sales_attainment", "formulary_status"}
    k4 = lines["K4"].detail
    assert k4["proration"] == 0.5
    sales, formulary = k4["components"]
    assert sales["segment"] == "at or above cap"
    assert sales["inputs"]["net_sales"] == 600_000.0
    assert sales["inputs"]["assignments"] == [
        {"account": "A4", "days": 45, "share": 1.0, "weight": 0.5}]
    assert formulary["treatment"] == "at_target"
    assert formulary["reason"] == "no formulary status for the assigned accounts"


def test_a_repeated_run_is_byte_identical(session, pm, published):
    first = _run(session, pm)
    second = _run(session, pm)
    assert first.id != second.id
    assert canonical_run(session, first) == canonical_run(session, second)
    stored = session.scalars(select(ScoreLine.detail).where(ScoreLine.run_id == first.id)
                             .order_by(ScoreLine.kam_code)).all()
    again = session.scalars(select(ScoreLine.detail).where(ScoreLine.run_id == second.id)
                            .order_by(ScoreLine.kam_code)).all()
    assert stored == again  # the stored text itself, byte for byte
    blocks = select(ScoreRunBlock.payload).order_by(ScoreRunBlock.block)
    stored = session.scalars(blocks.where(ScoreRunBlock.run_id == first.id)).all()
    again = session.scalars(blocks.where(ScoreRunBlock.run_id == second.id)).all()
    assert stored and stored == again  # the detail blocks, byte for byte


def test_changing_one_fact_changes_the_input_hash_of_that_kam_only(session, pm, published,
                                                                   tiny):
    before = _run(session, pm)
    set_fact(session, tiny.period_id, "A2", "net_sales", 900_001)
    after = _run(session, pm)
    assert before.input_hash != after.input_hash
    old = {line.kam_code: line.input_hash for line in load_lines(session, before.id)}
    new = {line.kam_code: line.input_hash for line in load_lines(session, after.id)}
    assert [code for code in old if old[code] != new[code]] == ["K2"]


def test_a_fact_change_that_leaves_the_value_alone_still_changes_the_hash(session, pm,
                                                                          published, tiny):
    # 1,100,000 / 1,000,000 and 2,200,000 / 2,000,000 are the same attainment
    before = _run(session, pm)
    set_fact(session, tiny.period_id, "A1", "net_sales", 2_200_000)
    set_fact(session, tiny.period_id, "A1", "sales_target", 2_000_000)
    after = _run(session, pm)
    old = {line.kam_code: line for line in load_lines(session, before.id)}
    new = {line.kam_code: line for line in load_lines(session, after.id)}
    assert old["K1"].payout == new["K1"].payout
    assert old["K1"].input_hash != new["K1"].input_hash
    assert before.input_hash != after.input_hash


def test_runs_and_lines_cannot_be_changed(session, pm, published):
    run = _run(session, pm)
    run.total_payout = 1.0
    with pytest.raises(ImmutableRecordError, match="immutable"):
        session.commit()
    session.rollback()
    line = session.scalars(select(ScoreLine).where(ScoreLine.run_id == run.id)).first()
    session.delete(line)
    with pytest.raises(ImmutableRecordError):
        session.commit()
    session.rollback()
    assert session.get(ScoreRun, run.id).total_payout == 2525.0


@pytest.mark.parametrize("statement", [
    "UPDATE score_run SET total_payout = 1",
    "DELETE FROM score_run",
    "UPDATE score_line SET payout = '0.00'",
    "DELETE FROM score_line",
    "UPDATE score_run_block SET kam_count = 0",
    "DELETE FROM score_run_block",
    "UPDATE ruleset_version SET source = 'name: tiny'",
    "UPDATE ruleset_version SET content_hash = 'x', drafted_by = 'mallory'",
])
def test_the_database_itself_refuses_to_change_runs_and_plans(session, pm, published,
                                                              statement):
    """Not only the ORM: a hand-written statement in a SQL console fails too (0004)."""
    run = _run(session, pm)
    with pytest.raises(IntegrityError, match="is immutable"):
        session.execute(text(statement))
    session.rollback()
    assert session.get(ScoreRun, run.id).total_payout == 2525.0
    assert len(load_lines(session, run.id)) == 4


def test_a_ruleset_version_still_moves_through_its_lifecycle_in_sql(session, published):
    """The triggers guard what a version says, not its status and stamps."""
    session.execute(text("UPDATE ruleset_version SET status = 'retired', "
                         "retired_at = published_at"))
    session.commit()
    assert session.scalar(text("SELECT status FROM ruleset_version")) == "retired"


def test_a_closed_period_refuses_an_ordinary_run(session, pm, published):
    run = _run(session, pm)
    close_period(session, "2026-Q1")
    with pytest.raises(ConflictError, match=rf"closed.*--correction-of {run.id}") as caught:
        _run(session, pm)
    assert caught.value.field == "period"
    assert session.scalar(select(func.count()).select_from(ScoreRun)) == 1


def test_a_correction_is_a_new_run_that_references_the_old_one(session, pm, published, tiny):
    first = _run(session, pm)
    close_period(session, "2026-Q1")
    # the facts of a closed period are frozen for imports; here an error found in the data
    # (K3's target) is corrected directly, then the payout run is corrected
    set_fact(session, tiny.period_id, "A3", "sales_target", 700_000)
    correction = _run(session, pm, correction_of=first.id, reason="K3's target was wrong")
    assert correction.corrects_run_id == first.id
    assert correction.correction_reason == "K3's target was wrong"
    assert current_run(session, tiny.period_id, "tiny").id == correction.id
    lines = {line.kam_code: line.detail["payout"] for line in load_lines(session, correction.id)}
    assert lines["K3"] == "700.00"  # 1.0 attainment: 0.7 + not listed 0
    old = {line.kam_code: line.detail["payout"] for line in load_lines(session, first.id)}
    assert old == EXPECTED  # the original run is untouched
    # the old run has been corrected: only the current run can be corrected again
    with pytest.raises(ConflictError, match=f"current run .* is {correction.id}") as caught:
        _run(session, pm, correction_of=first.id, reason="again")
    assert f"run {first.id} has been corrected already (by run {correction.id})" in str(
        caught.value)


def test_a_run_replaced_by_a_later_run_is_not_said_to_be_corrected(session, pm, published):
    """Regression: two ordinary runs while the period was open, then close; correcting the
    first named it "corrected already", though nothing ever corrected it."""
    first = _run(session, pm)
    second = _run(session, pm)
    close_period(session, "2026-Q1")
    with pytest.raises(ConflictError) as caught:
        _run(session, pm, correction_of=first.id, reason="wrong target")
    message = str(caught.value)
    assert "corrected already" not in message
    assert f"run {first.id} is not the current run: a later run replaced it" in message
    assert f"the current run of tiny for 2026-Q1 is {second.id}" in message
    assert caught.value.field == "correction_of"


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"correction_of": 1}, InvalidInputError, "reason"),
        ({"reason": "why"}, InvalidInputError, "reason"),
        ({"correction_of": 999, "reason": "x"}, NotFoundError, "correction_of"),
        ({"version": 7}, NotFoundError, "version"),
    ],
)
def test_run_arguments_are_checked(session, pm, published, kwargs, error, field):
    _run(session, pm)
    with pytest.raises(error) as caught:
        _run(session, pm, **kwargs)
    assert caught.value.field == field


def test_an_unknown_period_or_ruleset_is_named(session, pm, published):
    with pytest.raises(NotFoundError, match="no period '2031-Q1'; known periods: 2026-Q1"):
        run_score(session, pm, period="2031-Q1", ruleset="tiny", user="ana")
    with pytest.raises(NotFoundError, match="no ruleset named 'other'"):
        run_score(session, pm, period="2026-Q1", ruleset="other", user="ana")


def test_a_failed_metric_holds_the_kams_it_touches_and_blocks_closing(session, pm, published,
                                                                      tiny):
    # a status the formulary plugin does not know makes the metric fail (for everybody)
    fact = session.scalar(select(Fact).where(Fact.category == "restricted"))
    fact.category = "pending_review"
    session.commit()
    run = _run(session, pm)
    assert run.status is ScoreRunStatus.PARTIAL
    assert [f["metric"] for f in run.failures] == ["formulary_status"]
    assert run.failures[0]["plugin"] == "formulary_status"
    lines = load_lines(session, run.id)
    assert all(line.held and line.payout == 0.0 for line in lines)
    formulary = lines[0].detail["components"][1]
    assert formulary["treatment"] == "held"
    assert formulary["failure"].startswith(run.failures[0]["error"][:20])
    with pytest.raises(ConflictError, match="partial"):
        close_period(session, "2026-Q1")
    assert not session.get(Period, tiny.period_id).is_closed


def test_the_finished_hook_is_called_after_commit(session, published, tmp_path):
    from kamscore.plugin_host.manager import build_plugin_manager

    (tmp_path / "listener.py").write_text(
        "from kamscore import hookimpl\n"
        "SEEN = []\n"
        "@hookimpl\n"
        "def kamscore_score_run_finished(run):\n"
        "    SEEN.append(run)\n"
        "    raise RuntimeError('a broken listener does not undo the run')\n"
    )
    pm = build_plugin_manager(plugins_dir=tmp_path, entry_points=False)
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    listener = pm.get_plugin("listener")
    [summary] = listener.SEEN
    assert (summary.run_id, summary.period, summary.ruleset, summary.ruleset_version) == (
        run.id, "2026-Q1", "tiny", 1)
    assert summary.total_payout == 2525.0 and summary.kams == 4
    assert session.get(ScoreRun, run.id) is not None



def test_a_changed_plugin_changes_the_input_hash_of_the_run(session, published, tmp_path,
                                                          repo_root):
    """The same version number, the same payouts — but other code: the run records the
    plugin's code hash, and its input hash changes with it."""
    import shutil

    from kamscore.plugin_host.manager import build_plugin_manager

    for name in ("sales_attainment", "formulary_status"):
        shutil.copy(repo_root / "plugins" / f"{name}.py", tmp_path / f"{name}.py")

    def run_with_the_folder():
        pm = build_plugin_manager(plugins_dir=tmp_path, bundled=False, entry_points=False)
        return run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")

    before = run_with_the_folder()
    changed = tmp_path / "sales_attainment.py"
    changed.write_text(changed.read_text() + "\n# reviewed: no change to the formula\n")
    after = run_with_the_folder()
    assert after.total_payout == before.total_payout == 2525.0
    assert after.plugins["formulary_status"] == before.plugins["formulary_status"]
    assert after.plugins["sales_attainment"] != before.plugins["sales_attainment"]
    assert after.plugins["sales_attainment"].startswith("sha256:")  # no __version__
    assert after.input_hash != before.input_hash


def test_a_run_builds_the_fact_snapshots_an_import_dropped(session, pm, published):
    """An import (or any write of facts) drops the fact snapshot of their period and builds
    none (kamscore.facts.columns): the next run builds every missing one, from the rows as
    they are now, and keeps it; its figures are the same."""
    q1 = session.scalar(select(Period.id).where(Period.code == "2026-Q1"))
    session.execute(text("DELETE FROM fact_snapshot_column"))
    session.execute(text("DELETE FROM fact_snapshot"))
    session.commit()
    first = _run(session, pm)
    assert has_snapshot(session, q1)
    session.execute(text("UPDATE fact SET value = value WHERE id = "
                         "(SELECT min(id) FROM fact WHERE period_id = :q1)"), {"q1": q1})
    session.commit()
    assert not has_snapshot(session, q1)
    assert refresh_snapshots(session) == {"2026-Q1": session.scalar(
        select(func.count()).select_from(Fact).where(Fact.period_id == q1))}
    session.rollback()  # the run builds it instead
    second = _run(session, pm)
    assert has_snapshot(session, q1)
    assert (second.input_hash, second.result_hash) == (first.input_hash, first.result_hash)


def test_a_run_rebuilds_the_table_snapshots_a_write_dropped(session, pm, published):
    """Stakeholders, plan objectives and actions are read from their snapshots
    (kamscore.facts.table_snapshots); the run after a write that dropped one builds it
    again, from the rows as they are now, and keeps it with the run."""
    first = _run(session, pm)
    assert all(has_table_snapshot(session, name) for name in TABLE_COLUMNS)
    session.execute(text(
        "INSERT INTO stakeholder (account_id, name, email, role, influence, "
        "partnership_level, is_key, language, chosen_by) SELECT id, 'New', 'new@x.org', "
        "'physician', 3, 1, true, 'en', 'kam' FROM account WHERE code = 'A1'"))
    session.commit()
    assert not has_table_snapshot(session, "stakeholder")
    second = _run(session, pm)
    assert has_table_snapshot(session, "stakeholder")
    stakeholders = read_table(session, "stakeholder")
    assert stakeholders["is_key"][-1] and stakeholders["role"][-1] == "physician"
    assert (second.input_hash, second.result_hash) == (first.input_hash, first.result_hash)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_run_that_builds_snapshots_waits_for_a_writer_without_holding_its_period(
        app, session, pm, published):
    """On PostgreSQL a run that must build a fact snapshot waits while an import writes
    facts, and takes its period's lock only after that: the import's parent check (a
    key-share lock on the period of each fact it writes, migration 0024) never waits for the
    run. The other order was a deadlock: the run holding the period, waiting for ``fact``;
    the import holding ``fact``, waiting for the period."""
    import threading
    import time

    from kamscore.db.session import get_db

    q1 = session.scalar(select(Period.id).where(Period.code == "2026-Q1"))
    session.execute(text("DELETE FROM fact_snapshot_column"))
    session.execute(text("DELETE FROM fact_snapshot"))
    session.commit()
    database = get_db(app)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            with database.sessionmaker() as own:
                outcome["run"] = _run(own, pm).id
        except Exception as exc:  # reported below
            outcome["error"] = exc

    with database.engine.connect() as writer:
        writer.execute(text("SET lock_timeout = '20s'"))
        writer.execute(text("LOCK TABLE fact IN ROW EXCLUSIVE MODE"))  # what a writer holds
        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 20
        with database.engine.connect() as watcher:  # the run waits for fact
            while not watcher.scalar(text(
                    "SELECT count(*) FROM pg_locks WHERE relation = 'fact'::regclass "
                    "AND NOT granted")):
                assert time.monotonic() < deadline, "the run never waited for fact"
                time.sleep(0.05)
        started = time.monotonic()
        writer.execute(text("SELECT id FROM period WHERE id = :q1 FOR KEY SHARE"), {"q1": q1})
        assert time.monotonic() - started < 5  # not behind the run
        writer.commit()
    thread.join(60)
    assert "error" not in outcome, outcome
    assert outcome.get("run")
    session.rollback()
    assert has_snapshot(session, q1)
