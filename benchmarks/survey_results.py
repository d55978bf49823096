"""How long a 360° campaign's statistics take: computing, storing, and reading them for metrics.

    python benchmarks/survey_results.py [--kams 1000 10000] [--postgres URL] [--seed 7]

For each size, builds a throw-away database (SQLite file in a temp folder; PostgreSQL when a
server URL is given: a fresh database, dropped afterwards) holding one closed 360° campaign
of the shipped ``internal_360`` survey about ``--kams`` KAMs, each rated by himself, his
manager, 2 peers and 3 cross-functional colleagues (7 responses, every rating item answered
at random). The data generation is not timed. Then times:

- ``load``: ``load_answers`` — every response and answer, one select each, into arrays;
- ``compute``: ``aggregate_table`` — the reportable cells (numpy, no database);
- ``recompute``: ``recompute_campaign`` — load, compute and store, one transaction (what the
  scheduler does after close);
- ``GROUP BY floor``: one SQL ``GROUP BY`` (subject, rater group, item) over the same answers —
  count, sum and sum of squares, every row fetched: the least any recompute must spend reading
  the rows, printed beside ``recompute`` (and the ratio of the two) in the same run;
- CPU: the seconds of processor time this process spent in ``recompute`` and in the floor,
  beside their wall-clock times: on a machine shared with other work the wall clock grows
  with the load and the CPU time much less. On SQLite the database engine runs in the
  process, so both include its work; on PostgreSQL the server's work is not in them;
- ``previous``: the former recompute (per-row loading, per-subject pure-Python aggregation,
  ``tests/surveys/reference_recompute.py``), on the same database in the same run, rolled
  back (``--previous-up-to`` limits it: at 10,000 KAMs it takes minutes);
- ``provider``: ``kamscore_survey_results`` for the period — reading the stored cells into the
  metric plugins' ``SurveyResults`` (what a score run does), with its number of queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import time
import uuid
from pathlib import Path

from imports import database  # the throw-away database of benchmarks/imports.py
from sqlalchemy import event, func, insert, select

from kamscore.content.bundled import bundled_dir
from kamscore.db.migrate import upgrade
from kamscore.db.session import Database
from kamscore.models import (
    Campaign,
    CampaignStatus,
    Period,
    PeriodKind,
    Person,
    Role,
    SubjectType,
    SurveyAnswer,
    SurveyKind,
    SurveyResponse,
    SurveyVersion,
)
from kamscore.surveys.aggregate_store import Minimums, compute, load_answers, recompute_campaign
from kamscore.surveys.definition import parse_definition
from kamscore.surveys.survey_results_from_campaigns import kamscore_survey_results

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "surveys"))
import reference_recompute

RATERS = ("self", "manager", "peer", "peer", "cross_functional", "cross_functional",
          "cross_functional")
AT = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)


def populate(db: Database, kams: int, seed: int) -> int:
    """One closed 360° campaign about ``kams`` KAMs; returns its id."""
    rng = random.Random(seed)
    source = (bundled_dir("surveys") / "internal_360.yaml").read_text(encoding="utf-8")
    definition = parse_definition(source, "internal_360.yaml")
    items = [i for q in definition.questions() if q.type in ("rating", "matrix")
             for i in q.answer_items()]
    with db.session() as session:
        period = Period(code="2026-Q1", kind=PeriodKind.QUARTER, start_date=dt.date(2026, 1, 1),
                        end_date=dt.date(2026, 3, 31))
        version = SurveyVersion(survey_key=definition.key, checksum=definition.checksum,
                                kind=SurveyKind.INTERNAL_360, title="360", anonymous=True,
                                filename="internal_360.yaml", source=source)
        session.add_all([period, version])
        session.flush()
        campaign = Campaign(code="360-BENCH", name="bench", survey_version_id=version.id,
                            period_id=period.id, subject_type=SubjectType.KAM, anonymous=True,
                            status=CampaignStatus.CLOSED, opens_at=AT - dt.timedelta(days=30),
                            closes_at=AT, closed_at=AT)
        session.add(campaign)
        session.execute(insert(Person), [
            {"code": f"K{k:05d}", "name": f"KAM {k}", "role": Role.KAM} for k in range(kams)])
        ids = {code: pid for code, pid in session.execute(select(Person.code, Person.id))}
        session.flush()
        campaign_id = campaign.id
        responses, answers = [], []
        for k in range(kams):
            for group in RATERS:
                rid = uuid.uuid4().hex
                responses.append({"id": rid, "campaign_id": campaign_id, "subject_type":
                                  SubjectType.KAM, "subject_person_id": ids[f"K{k:05d}"],
                                  "rater_group": group, "anonymous": True,
                                  "submitted_on": dt.date(2026, 3, 15)})
                base = rng.randint(2, 5)
                answers += [{"response_id": rid, "item": item,
                             "number": float(min(5, max(1, base + rng.randint(-1, 1))))}
                            for item in items]
        for start in range(0, len(responses), 5_000):
            session.execute(insert(SurveyResponse), responses[start:start + 5_000])
        for start in range(0, len(answers), 20_000):
            session.execute(insert(SurveyAnswer), answers[start:start + 20_000])
    return campaign_id


CPU: dict[str, float] = {}  # step → this process's CPU seconds, beside the wall clock


def timed(fn, cpu: str | None = None):  # type: ignore[no-untyped-def]
    start, used = time.perf_counter(), time.process_time()
    value = fn()
    if cpu is not None:
        CPU[cpu] = time.process_time() - used
    return value, time.perf_counter() - start


def group_by_floor(session, campaign_id: int) -> int:  # type: ignore[no-untyped-def]
    """One GROUP BY over the campaign's answers, every group fetched; returns the groups."""
    number = SurveyAnswer.number
    rows = session.execute(
        select(SurveyResponse.subject_person_id, SurveyResponse.rater_group, SurveyAnswer.item,
               func.count(number), func.sum(number), func.sum(number * number))
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.campaign_id == campaign_id)
        .group_by(SurveyResponse.subject_person_id, SurveyResponse.rater_group,
                  SurveyAnswer.item)).all()
    return len(rows)


def run(url: str, kams: int, seed: int, previous: bool) -> dict[str, float | int]:
    upgrade(url)
    db = Database(url)
    try:
        campaign_id = populate(db, kams, seed)
        with db.session() as session:
            groups, t_floor = timed(lambda: group_by_floor(session, campaign_id), "floor")
        with db.session() as session:
            campaign = session.get(Campaign, campaign_id)
            answers, t_load = timed(lambda: load_answers(session, [campaign_id]))
            _, t_compute = timed(lambda: compute(campaign, answers[campaign_id], Minimums()))
        with db.session() as session:
            campaign = session.get(Campaign, campaign_id)
            stored, t_recompute = timed(lambda: recompute_campaign(session, campaign,
                                                                   Minimums(), AT),
                                        "recompute")
        t_previous = float("nan")
        if previous:
            with db.sessionmaker() as session:
                campaign = session.get(Campaign, campaign_id)
                before, t_previous = timed(lambda: reference_recompute.recompute_campaign(
                    session, campaign, Minimums(), AT))
                session.rollback()
            assert before == stored, (before, stored)
        queries = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda *args: queries.append(args[2]))
        with db.session() as session:
            period = session.scalars(select(Period)).one()
            results, t_provider = timed(lambda: kamscore_survey_results(
                session=session, period=period, settings={}))
        return {"responses": len(answers[campaign_id]), "cells": stored, "load": t_load,
                "compute": t_compute, "recompute": t_recompute, "provider": t_provider,
                "floor": t_floor, "groups": groups, "previous": t_previous,
                "provider_queries": len(queries), "aggregates": len(results),
                "recompute_cpu": CPU["recompute"], "floor_cpu": CPU["floor"]}
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kams", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--previous-up-to", type=int, default=10_000,
                        help="time the former recompute beside up to this many KAMs "
                             "(0: never; at 10,000 KAMs it takes minutes)")
    args = parser.parse_args()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"# {backend}, Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    print(f"# {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| backend | KAMs | responses | cells stored | load s | compute s | recompute s "
          "| GROUP BY floor s (groups) | recompute / floor | CPU s: recompute, floor "
          "| previous recompute s | speed-up "
          "| provider s | provider queries | aggregates for metrics | load average |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| ---: | ---: | ---: | ---: |")
    for kams in args.kams:
        with database(args.postgres) as url:
            r = run(url, kams, args.seed, kams <= args.previous_up_to)
        previous = "-" if r["previous"] != r["previous"] else f"{r['previous']:.1f}"
        speed_up = "-" if r["previous"] != r["previous"] \
            else f"{r['previous'] / r['recompute']:.0f}x"
        print(f"| {backend} | {kams:,} | {r['responses']:,} | {r['cells']:,} | {r['load']:.1f} "
              f"| {r['compute']:.1f} | **{r['recompute']:.1f}** "
              f"| {r['floor']:.1f} ({r['groups']:,}) | {r['recompute'] / r['floor']:.1f}x "
              f"| {r['recompute_cpu']:.1f}, {r['floor_cpu']:.1f} "
              f"| {previous} | {speed_up} | {r['provider']:.1f} "
              f"| {r['provider_queries']} | {r['aggregates']:,} | "
              f"{os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main()
