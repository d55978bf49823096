"""The stored aggregate rows (column-wise JSON, ``executemany`` on SQLite, ``copy_columns`` on
PostgreSQL) are those the former recompute stored, and awkward text survives the store
(both backends)."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import reference_recompute
from results_org import AFTER, close, invitations_of, open_new_campaign, respond, seed_results_org
from sqlalchemy import String, cast, select

from kamscore.models import SurveyAggregate
from kamscore.surveys.aggregate_store import Minimums, recompute_campaign, store_cells, stored_cells
from kamscore.surveys.cell import Cell
from kamscore.surveys.cell_columns import CellColumns

LEVELS = {"physician": 5, "pharmacist": 4, "nurse": 2, "self": 5, "manager": 2, "peer": 3,
          "cross_functional": 5}
COLUMNS = ("subject_type", "subject_code", "measure", "rater_group", "n", "mean", "sd",
           "scale_min", "scale_max", "histogram", "details", "computed_at")


def same(a: Any, b: Any, where: str) -> None:
    """Equal, floats to 1e-12 (the former aggregation summed in another order)."""
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (where, a, b)
    elif isinstance(a, dict) and isinstance(b, dict):
        assert set(a) == set(b), (where, a, b)
        for key in a:
            same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), (where, a, b)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    else:
        assert type(a) is type(b) and a == b, (where, a, b)


def stored_rows(session, campaign_id: int) -> list[tuple]:
    a = SurveyAggregate
    return [tuple(row) for row in session.execute(
        select(*(getattr(a, c) for c in COLUMNS)).where(a.campaign_id == campaign_id)
        .order_by(a.id))]


def test_the_rows_are_those_the_former_recompute_stored(session):
    seed_results_org(session)
    campaigns = [open_new_campaign(session, "CS-26Q1", "customer_satisfaction"),
                 open_new_campaign(session, "360-26Q1", "internal_360")]
    for campaign in campaigns:
        for invitation in invitations_of(session, campaign):
            respond(session, invitation, LEVELS[invitation.rater_group])
        close(session, campaign)
    for campaign in campaigns:
        stored = recompute_campaign(session, campaign, Minimums(), AFTER)
        session.commit()
        new = stored_rows(session, campaign.id)
        assert reference_recompute.recompute_campaign(session, campaign, Minimums(),
                                                      AFTER) == stored
        session.commit()
        old = stored_rows(session, campaign.id)
        assert stored > 10 and len(new) == len(old) == stored + 1
        for a, b in zip(new, old, strict=True):
            same(list(a), list(b), f"{campaign.code}/{a[1]}/{a[2]}/{a[3]}")
        assert {r[-1] for r in new} == {AFTER}


def test_awkward_text_and_numbers_survive_the_store(session):
    seed_results_org(session)
    campaign = open_new_campaign(session, "CS-26Q1", "customer_satisfaction")
    cells = [
        Cell("account", "A\t1\\n", "q\n1", "all", 3, 1 / 3, None, 1, 5, {"1": 2, "5": 1},
             {"csat": 0.1 + 0.2, "note": "tab\there, back\\slash, quote\" and 中文"}),
        Cell("account", "A\r2", "q.選項", "nurse", 0, -0.0, 1e-300, None, None, {},
             {"nps": -100.0, "big": 10**15, "nested": {"x": [1, None, True]}}),
        Cell("kam", "K\\N", "agreement", "others", 7, None, 2.5e16, 0, 10, {"\\N": 1}, {}),
    ]
    sqlite = session.get_bind().dialect.name == "sqlite"
    cache = "PRAGMA cache_size"
    before = session.connection().exec_driver_sql(cache).scalar() if sqlite else None
    store_cells(session, campaign.id, CellColumns.from_cells(cells),
                dt.datetime(2026, 4, 1, 12, 30, tzinfo=dt.UTC))
    if sqlite:  # the larger page cache of the insert is given back
        assert session.connection().exec_driver_sql(cache).scalar() == before
    session.commit()
    found = stored_cells(session, [campaign.id])[campaign.id]
    assert found == cells
    a = SurveyAggregate
    texts = session.execute(select(cast(a.histogram, String), cast(a.details, String))
                            .where(a.campaign_id == campaign.id).order_by(a.id)).all()
    assert [json.loads(h) for h, _ in texts] == [c.histogram for c in cells]
    assert [json.loads(d) for _, d in texts] == [c.details for c in cells]
    assert session.scalars(select(a.computed_at).where(a.campaign_id == campaign.id)).all() \
        == [dt.datetime(2026, 4, 1, 12, 30, tzinfo=dt.UTC)] * 3
