"""Official score runs: apply a published ruleset version to a period and store the result.

``run_score`` loads the period's inputs, evaluates the ruleset with the engine, and stores
the run with one line per KAM in a single transaction; the ``kamscore_score_run_finished``
hook is called after the commit. A run is never changed afterwards.

When a run may be made (docs/scoring.md, "Score runs and corrections"):

- **open period**: any number of runs; each is immutable, the newest is the period's
  *current* run for its ruleset. ``correction_of`` (with a ``reason``) may name an earlier run
  of the same period and ruleset to record why a rerun was needed.
- **closed period**: no ordinary run. The only run allowed is a *correction*: it must name
  the period's current run for that ruleset in ``correction_of`` and give a ``reason``; it
  becomes the new current run, and the old one stays as it was.

Runs use the ruleset's published version by default; a given version must be published or
retired (drafts are tried with what-if, which stores nothing).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.db.free_memory import release_free_memory
from kamscore.db.gc_pause import gc_paused
from kamscore.facts.columns import refresh_snapshots
from kamscore.facts.table_snapshots import refresh_table_snapshots
from kamscore.hookspecs import ScoreRunSummary
from kamscore.models import Period, Person, RulesetVersion, ScoreRun, ScoreRunStatus
from kamscore.models.types import utcnow
from kamscore.scoring.errors import ConflictError, InvalidInputError, NotFoundError
from kamscore.scoring.evaluation import load_inputs, score
from kamscore.scoring.lifecycle import RUNNABLE, get_version, parse_version, published_version
from kamscore.scoring.lines import build_lines
from kamscore.scoring.periods import get_period
from kamscore.scoring.run_store import current_run, get_run, insert_run

log = logging.getLogger(__name__)

#: The stages of a run, in order, as ``run_score`` reports them to its ``progress``.
STAGES = ("loading the period's data", "scoring", "storing the lines")


def _version_for_run(session: Session, ruleset: str, version: int | None) -> RulesetVersion:
    if version is None:
        return published_version(session, ruleset)
    found = get_version(session, ruleset, version)
    if found.status not in RUNNABLE:
        raise ConflictError(
            f"{found.label} is {found.status}: only a published (or retired) version can be "
            "used for a score run; try a draft with what-if", field="version")
    return found


def _check_correction(session: Session, period: Period, ruleset: str,
                      correction_of: int | None, reason: str | None) -> None:
    reason = (reason or "").strip() or None
    if correction_of is None:
        if reason is not None:
            raise InvalidInputError("a reason is given only with correction_of",
                                    field="reason")
        if period.is_closed:
            current = current_run(session, period.id, ruleset)
            hint = (f" --correction-of {current.id} --reason '...'" if current is not None
                    else "")
            raise ConflictError(
                f"period {period.code} is closed: its runs are final; a correction must name "
                f"the run it corrects and why{hint}", field="period")
        return
    if reason is None:
        raise InvalidInputError(f"a correction of run {correction_of} needs a reason",
                                field="reason")
    try:
        old = get_run(session, correction_of)
    except NotFoundError as exc:
        raise NotFoundError(exc.message, field="correction_of") from exc
    if old.period_id != period.id or old.ruleset_name != ruleset:
        raise InvalidInputError(
            f"run {old.id} is a run of {old.ruleset_name} for another period or ruleset; a "
            f"correction must correct a {ruleset} run of {period.code}", field="correction_of")
    if period.is_closed:
        current = current_run(session, period.id, ruleset)
        if current is not None and current.id != old.id:
            raise ConflictError(_not_current(session, old, current, ruleset, period),
                                field="correction_of")


def _not_current(session: Session, old: ScoreRun, current: ScoreRun, ruleset: str,
                 period: Period) -> str:
    """Why ``old`` cannot be corrected: a correction of it exists, or a later run (not a
    correction of it) replaced it while the period was open."""
    correction = session.scalar(select(ScoreRun.id).where(ScoreRun.corrects_run_id == old.id)
                                .order_by(ScoreRun.id).limit(1))
    if correction is not None:
        why = f"run {old.id} has been corrected already (by run {correction})"
    else:
        why = f"run {old.id} is not the current run: a later run replaced it"
    return (f"{why}; the current run of {ruleset} for {period.code} is {current.id} — "
            "correct that one")


def _lock_period(session: Session, period: Period) -> Period:
    """The period, locked against a concurrent close until this transaction ends
    (PostgreSQL: FOR UPDATE; SQLite: the transaction holds the write lock already)."""
    locked = session.scalar(select(Period).where(Period.id == period.id).with_for_update())
    assert locked is not None
    return locked


def run_score(session: Session, pm: Any, *, period: str, ruleset: str, user: str,
              version: int | None = None, correction_of: int | None = None,
              reason: str | None = None,
              progress: Callable[[str], None] | None = None) -> ScoreRun:
    """Make and store a score run; commits; returns the stored run. ``progress`` is told
    each stage as it starts (``STAGES``), for a background job's page."""
    step = progress or (lambda stage: None)
    if not user or not user.strip():
        raise InvalidInputError("the user making the run is required", field="user")
    named_period = get_period(session, period)  # an unknown one is refused before any work
    ruleset_version = _version_for_run(session, ruleset, version)
    parsed = parse_version(ruleset_version, pm)

    step(STAGES[0])
    with gc_paused():  # millions of short-lived objects, no cycles (kamscore.db.gc_pause)
        # what an import or an edit dropped is rebuilt here, once, and kept with the run
        # (a cache; when nothing is missing, two small queries and no lock). Before the
        # period's lock: on PostgreSQL a builder locks the tables it builds from, and an
        # import that holds one of them takes key-share locks on the periods its rows name;
        # a run holding its period while waiting for such a table would deadlock with it
        refresh_snapshots(session)
        refresh_table_snapshots(session)
        found_period = _lock_period(session, named_period)
        _check_correction(session, found_period, ruleset_version.name, correction_of, reason)
        inputs = load_inputs(session, pm, found_period, parsed)
        # scoring and the lines read the population and the outcomes, never the context:
        # let its facts and tables go now (at 100,000 KAMs, most of the run's memory)
        inputs = dataclasses.replace(inputs, ctx=None)  # type: ignore[arg-type]
        release_free_memory()  # what the context held, back to the system before the lines
        step(STAGES[1])
        scored = score(parsed, inputs)
        built = build_lines(ruleset_hash=ruleset_version.content_hash, inputs=inputs,
                            scored=scored)

    person_ids = dict(session.execute(
        select(Person.code, Person.id).where(Person.role.in_(inputs.roles))).all())
    lines = [{**line, "person_id": person_ids[line["kam_code"]]} for line in built.lines]
    failures = [
        {"component": cid, "metric": f.metric, "plugin": f.plugin, "error": f.error}
        for cid, f in sorted(scored.failures.items())
    ]
    plugins = {
        source["plugin"]: source.get("plugin_version")
        for source in built.common["metrics"] if source["plugin"] is not None
    }
    run = ScoreRun(
        period_id=found_period.id,
        ruleset_version_id=ruleset_version.id,
        ruleset_name=ruleset_version.name,
        status=ScoreRunStatus.PARTIAL if failures else ScoreRunStatus.COMPLETE,
        plugins=dict(sorted(plugins.items())),
        metrics=built.common["metrics"],
        failures=failures,
        layout=built.layout,
        input_hash=built.input_hash,
        result_hash=built.result_hash,
        currency=parsed.currency,
        kam_count=built.kam_count,
        eligible_count=built.eligible_count,
        held_count=built.held_count,
        total_payout=float(built.total_payout),
        total_target=built.total_target,
        corrects_run_id=correction_of,
        correction_reason=(reason or "").strip() or None if correction_of else None,
        created_at=utcnow(),
        created_by=user,
    )
    step(STAGES[2])
    with gc_paused():
        insert_run(session, run, lines, built.blocks)
        record(session, user, "run.create", "run", run.id, period=found_period.code,
               ruleset=ruleset_version.label, input_hash=run.input_hash,
               total_payout=run.total_payout, corrects_run_id=correction_of, reason=reason)
        session.commit()
    notify_finished(pm, run, found_period, ruleset_version)
    return run


def notify_finished(pm: Any, run: ScoreRun, period: Period, version: RulesetVersion) -> None:
    """Call every ``kamscore_score_run_finished`` implementation; one that raises is logged
    with its plugin's name and does not stop the others (the run is stored already)."""
    hook = getattr(getattr(pm, "hook", None), "kamscore_score_run_finished", None)
    if hook is None:
        return
    summary = ScoreRunSummary(
        run_id=run.id, period=period.code, ruleset=version.name,
        ruleset_version=version.version, kams=run.kam_count,
        total_payout=float(run.total_payout), currency=run.currency,
        finished_at=run.created_at, corrects_run_id=run.corrects_run_id,
        failed_metrics=tuple(m["key"] for m in run.metrics if m.get("failed")),
    )
    for impl in hook.get_hookimpls():
        try:
            impl.function(*[{"run": summary}[name] for name in impl.argnames])
        except Exception:
            log.exception("plugin %r: kamscore_score_run_finished failed for run %s",
                          impl.plugin_name, run.id)
