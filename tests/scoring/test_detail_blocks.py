"""Run detail in compressed column-wise blocks (``kamscore.scoring.detail_blocks``) and
statements built column-wise (``kamscore.engine.statement_columns``) give exactly what the
previous code gave: one statement object per KAM, one JSON text per line."""

from __future__ import annotations

import hashlib
import io
import json
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from test_codec import RICH_PLAN, SPARSE_PLAN, _case

from kamscore.auth.scope import Scope
from kamscore.models import Person, ScoreLine, ScoreRun, ScoreRunBlock
from kamscore.plugin_host.manager import build_plugin_manager
from kamscore.scoring import codec, detail_blocks, statements
from kamscore.scoring.canonical import dumps_plain, sha256_text
from kamscore.scoring.evaluation import load_inputs, score
from kamscore.scoring.lifecycle import parse_version, published_version
from kamscore.scoring.lines import used_outcomes
from kamscore.scoring.periods import get_period
from kamscore.scoring.run_report import cost_by_variant, not_paid
from kamscore.scoring.run_store import insert_run, load_line, load_lines
from kamscore.scoring.runs import run_score

ALL = Scope.unlimited()


@pytest.fixture(scope="module", params=[RICH_PLAN, SPARSE_PLAN], ids=["rich", "sparse"])
def ruleset(request):
    from kamscore.scoring.lifecycle import parse_source

    return parse_source(request.param, "plan.yaml", build_plugin_manager(entry_points=False))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 40),
       fail=st.sampled_from([None, None, "csat", "sales"]), block=st.integers(1, 16))
def test_blocks_read_back_as_the_per_line_json(ruleset, seed, size, fail, block):
    population, outcomes, ev = _case(ruleset, seed, size, fail)
    records = codec.input_records(population.codes, population.attributes, outcomes)
    details = codec.line_details(records, codec.output_records(ev))
    columns = ev.statement_columns()
    for i in range(size):  # the statement rendered from the columns = the object graph's
        assert columns.statement(i) == ev.statement(i).to_dict()
    order = np.random.default_rng(seed).permutation(size)  # any code order is kept

    def inputs(rows):
        found = codec.input_records(population.codes, population.attributes, outcomes, rows)
        assert found == [records[i] for i in rows.tolist()]
        return found

    original = detail_blocks.BLOCK_SIZE
    detail_blocks.BLOCK_SIZE = block
    try:
        encoded = detail_blocks.encode(columns, inputs, order)
        again = detail_blocks.encode(ev.statement_columns(), inputs, order)
    finally:
        detail_blocks.BLOCK_SIZE = original
    assert [b.payload for b in encoded] == [b.payload for b in again]  # deterministic
    assert sum(b.kam_count for b in encoded) == size
    read = [detail_blocks.Block(b.payload) for b in encoded]
    for i, code in enumerate(population.codes.tolist()):
        holding = [b for b in read if code in b]
        assert len(holding) == 1
        assert holding[0].detail(code) == json.loads(details[i])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 60), step=st.integers(1, 17),
       fail=st.sampled_from([None, "csat"]))
def test_statements_worked_out_in_slices_equal_the_whole_population_at_once(
        ruleset, seed, size, step, fail):
    """Curve segments, the payout's parts and horizons and the reasons are worked out
    ``SLICE`` KAMs at a time (``engine.results.slices``): any slice size gives what one slice
    of the whole population gives, column by column and block byte for byte."""
    from kamscore.engine import results

    population, outcomes, whole = _case(ruleset, seed, size, fail)
    original = results.SLICE
    results.SLICE = step
    try:
        _, _, sliced = _case(ruleset, seed, size, fail)
        sliced_columns = sliced.statement_columns()
    finally:
        results.SLICE = original
    whole_columns = whole.statement_columns()
    for a, b in zip(whole.components, sliced.components, strict=True):
        assert np.array_equal(a.segment, b.segment)
        assert a.segment.dtype == b.segment.dtype == np.int16
    for axis in ("part_minor", "horizon_minor"):
        mine, theirs = getattr(whole, axis), getattr(sliced, axis)
        assert list(mine) == list(theirs)
        for name in mine:
            assert np.array_equal(mine[name], theirs[name])
            assert mine[name].dtype == theirs[name].dtype
    assert whole_columns.reasons == sliced_columns.reasons
    for i in range(size):
        assert sliced_columns.statement(i) == whole_columns.statement(i)

    def inputs(rows):
        return codec.input_records(population.codes, population.attributes, outcomes, rows)

    assert ([b.payload for b in detail_blocks.encode(whole_columns, inputs)]
            == [b.payload for b in detail_blocks.encode(sliced_columns, inputs)])


def _old_lines(session, pm, period_code):
    """The run's lines as the previous code built them: a JSON text per line."""
    version = published_version(session, "standard")
    parsed = parse_version(version, pm)
    inputs = load_inputs(session, pm, get_period(session, period_code), parsed)
    scored = score(parsed, inputs)
    ev = scored.evaluation
    outcomes = used_outcomes(scored, inputs)
    records = codec.input_records(inputs.population.codes, inputs.population.attributes,
                                  outcomes)
    details = codec.line_details(records, codec.output_records(ev))
    return ev, records, details


def test_old_and_new_storage_give_the_same_statements_csv_and_pay(session, pm, demo):
    """Over the demo's quarter: the same run stored the previous way (a JSON text per line)
    and the new way (blocks) give the same statements, CSV rows, reports and payouts, to the
    cent; the input hashes are the previous code's."""
    new = run_score(session, pm, period="2025-Q2", ruleset="standard", user="analyst")
    assert session.scalar(select(func.count()).select_from(ScoreRunBlock)
                          .where(ScoreRunBlock.run_id == new.id)) >= 1
    assert set(session.scalars(select(ScoreLine.detail)
                               .where(ScoreLine.run_id == new.id))) == {""}

    ev, records, details = _old_lines(session, pm, "2025-Q2")
    ids = dict(session.execute(select(Person.code, Person.id)).all())
    new_lines = {line.kam_code: line for line in session.scalars(
        select(ScoreLine).where(ScoreLine.run_id == new.id))}
    codes = ev.codes.tolist()
    old = ScoreRun(period_id=new.period_id, ruleset_version_id=new.ruleset_version_id,
                   ruleset_name=new.ruleset_name, status=new.status, plugins=new.plugins,
                   metrics=new.metrics, failures=new.failures, layout=new.layout,
                   input_hash=new.input_hash, result_hash="previous", currency=new.currency,
                   kam_count=new.kam_count, eligible_count=new.eligible_count,
                   held_count=new.held_count, total_payout=new.total_payout,
                   total_target=new.total_target, created_by="previous code")
    insert_run(session, old, [
        {"person_id": ids[code], "kam_code": code, "eligible": new_lines[code].eligible,
         "held": new_lines[code].held, "score": new_lines[code].score,
         "target_incentive": new_lines[code].target_incentive,
         "proration": new_lines[code].proration, "payout": new_lines[code].payout,
         "input_hash": new_lines[code].input_hash, "detail": details[i]}
        for i, code in enumerate(codes)])
    session.commit()

    # the input hashes are the previous code's: common inputs + the KAM's input record
    first = new_lines[codes[0]].input_hash
    common = _common_inputs(session, new)
    assert first == sha256_text(common + "\n" + records[0])
    for i, code in enumerate(codes):
        assert new_lines[code].input_hash == sha256_text(common + "\n" + records[i])

    old_lines = load_lines(session, old.id)
    fresh = load_lines(session, new.id)
    assert [line.kam_code for line in fresh] == [line.kam_code for line in old_lines]
    assert [line.detail for line in fresh] == [line.detail for line in old_lines]
    by_code = {code: i for i, code in enumerate(codes)}
    for line in fresh:  # and both are the engine's statement, enriched with the inputs
        statement = {k: v for k, v in line.detail.items() if k != "kam_input_hash"}
        statement["components"] = [
            {k: v for k, v in c.items() if k not in ("inputs", "reason", "source", "failure")}
            for c in statement["components"]]
        assert statement == json.loads(json.dumps(
            ev.statement(by_code[line.kam_code]).to_dict()))

    for code in (codes[0], codes[len(codes) // 2], codes[-1]):
        assert load_line(session, new.id, code).detail == load_line(session, old.id,
                                                                    code).detail
        a = statements.statement(session, new.id, code, ALL, pm)
        b = statements.statement(session, old.id, code, ALL, pm)
        assert _without_run(a) == _without_run(b)

    csv_new, csv_old = io.StringIO(), io.StringIO()
    assert statements.write_csv(session, new.id, csv_new, ALL) == len(codes)
    statements.write_csv(session, old.id, csv_old, ALL)
    run_column = statements.RUN_COLUMNS.index("Run")
    rows_new = [r.split(",") for r in csv_new.getvalue().splitlines()]
    rows_old = [r.split(",") for r in csv_old.getvalue().splitlines()]
    for row in rows_new[1:] + rows_old[1:]:
        row[run_column] = "run"
    assert rows_new == rows_old

    assert not_paid(session, new, ALL) == not_paid(session, old, ALL)
    assert cost_by_variant(session, new, ALL) == cost_by_variant(session, old, ALL)
    pay = select(ScoreLine.kam_code, ScoreLine.payout).order_by(ScoreLine.kam_code)
    assert (session.execute(pay.where(ScoreLine.run_id == new.id)).all()
            == session.execute(pay.where(ScoreLine.run_id == old.id)).all())


def _common_inputs(session, run):
    """The run's common inputs as ``lines.build_lines`` writes them (period, roles, ruleset
    hash, metric sources)."""
    from kamscore.models import Period, RulesetVersion
    from kamscore.scoring.evaluation import population_roles

    version = session.get(RulesetVersion, run.ruleset_version_id)
    period = session.get(Period, run.period_id)
    roles = list(population_roles(parse_version(version, build_plugin_manager(
        entry_points=False))))
    return dumps_plain({"period": period.code, "roles": roles, "ruleset": version.content_hash,
                       "metrics": run.metrics})


def test_a_rerun_is_byte_identical_and_detail_is_compact(session, pm, demo):
    first = run_score(session, pm, period="2025-Q2", ruleset="standard", user="analyst")
    second = run_score(session, pm, period="2025-Q2", ruleset="standard", user="analyst")
    assert (first.input_hash, first.result_hash) == (second.input_hash, second.result_hash)
    payload = select(ScoreRunBlock.payload).order_by(ScoreRunBlock.block)
    stored_a = list(session.scalars(payload.where(ScoreRunBlock.run_id == first.id)))
    stored_b = list(session.scalars(payload.where(ScoreRunBlock.run_id == second.id)))
    assert stored_a == stored_b
    _, _, details = _old_lines(session, pm, "2025-Q2")
    before = sum(len(d.encode("utf-8")) for d in details)
    after = sum(len(p) for p in stored_a)
    assert after * 4 <= before, (before, after)
    digest = hashlib.sha256()
    for block in stored_a:
        digest.update(hashlib.sha256(zlib.decompress(block)).digest())
    assert digest.hexdigest() == first.result_hash


def test_each_kam_reads_back_alone_from_small_blocks(session, pm, demo, monkeypatch):
    monkeypatch.setattr(detail_blocks, "BLOCK_SIZE", 7)
    run = run_score(session, pm, period="2025-Q2", ruleset="standard", user="analyst")
    blocks = session.execute(select(ScoreRunBlock.block, ScoreRunBlock.first_code,
                                    ScoreRunBlock.last_code, ScoreRunBlock.kam_count)
                             .where(ScoreRunBlock.run_id == run.id)
                             .order_by(ScoreRunBlock.block)).all()
    assert len(blocks) == -(-run.kam_count // 7)
    assert [b.block for b in blocks] == list(range(len(blocks)))
    lines = load_lines(session, run.id)
    for line in lines:  # each line read alone equals the line read with all the others
        assert load_line(session, run.id, line.kam_code).detail == line.detail
    with pytest.raises(Exception, match="no line"):
        load_line(session, run.id, "NOBODY")


def _without_run(statement: dict) -> dict:
    """A statement without what names its run (the run, the run its pay lines refer to)."""
    found = {k: v for k, v in statement.items() if k != "run"}
    found["pay_lines"] = [{k: v for k, v in line.items() if k != "refers_to"}
                          for line in statement.get("pay_lines", [])]
    return found
