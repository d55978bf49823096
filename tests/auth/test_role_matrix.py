"""Role x route: each role signed in (API token, and the web pages) gets the status its
grants give, and no row outside its scope — facts, accounts, assignments, stakeholders,
plans, runs, statements, the statements CSV, campaign results, what-if, the audit log.

The world (``world.py``): T1 = K1 (A1), K2 (A2); T2 = K3 (A3), K4 (A4); the manager ``mia``
manages T1; the KAM ``kim`` is K1. A2's imported survey group has 2 respondents: its figures
reach nobody, however the request is phrased.
"""

from __future__ import annotations

import csv
import io

import pytest
from world import EXPECTED_ACCOUNTS, KAM_OF, ROLE_USERS, TEAM_OF

ROLES = list(ROLE_USERS)


def _all_pages(client, url: str, headers: dict, **query: str) -> tuple[int, list[dict]]:
    """Every item of a paginated list (status of the first page, items)."""
    items: list[dict] = []
    page = 1
    while True:
        response = client.get(url, query_string={**query, "page": page, "page_size": 500},
                              headers=headers)
        if response.status_code != 200:
            return response.status_code, []
        items += response.json
        if len(response.json) < 500:
            return 200, items
        page += 1


def _kams(accounts: set[str]) -> set[str]:
    return {KAM_OF[a] for a in accounts}


@pytest.mark.parametrize("role", ROLES)
def test_accounts_and_what_hangs_on_them(client, world, role):
    headers = world.tokens[role]
    expected = EXPECTED_ACCOUNTS[role]
    for url, key in (("/api/v1/accounts", lambda r: r["code"]),
                     ("/api/v1/assignments", lambda r: r["account"]),
                     ("/api/v1/stakeholders", lambda r: r["account"]),
                     ("/api/v1/plans", lambda r: r["account"])):
        status, items = _all_pages(client, url, headers)
        if expected is None:
            assert status == 403, (role, url)
            continue
        assert status == 200, (role, url)
        assert {key(item) for item in items} == expected, (role, url)
    if expected is not None:
        outside = ALL - expected
        for account in sorted(outside):  # one by one: as if it did not exist
            assert client.get(f"/api/v1/accounts/{account}", headers=headers
                              ).status_code == 404, (role, account)
            assert client.get(f"/api/v1/plans/{account}/2026-Q1", headers=headers
                              ).status_code == 404, (role, account)


ALL = {"A1", "A2", "A3", "A4"}


@pytest.mark.parametrize("role", ROLES)
def test_facts_in_scope_and_never_a_small_survey_group(client, world, role):
    status, facts = _all_pages(client, "/api/v1/facts", world.tokens[role])
    expected = EXPECTED_ACCOUNTS[role] if role != "survey_admin" else None
    if expected is None:
        assert status == 403
        return
    assert status == 200
    accounts = {f["account"] for f in facts if f["account"]}
    people = {f["person"] for f in facts if f["person"]}
    teams = {f["team"] for f in facts if f["team"]}
    assert accounts == expected
    assert people == _kams(expected)
    assert teams == {TEAM_OF[k] for k in _kams(expected)} | (
        {"T1", "T2"} if expected == ALL else set())
    survey = {(f["account"], f["name"]) for f in facts if f["name"].startswith("survey.")}
    assert all(account != "A2" for account, _ in survey), "A2's group of 2 leaked"
    if "A1" in expected:
        assert {name for account, name in survey if account == "A1"} == {
            "survey.overall_satisfaction.all.n", "survey.overall_satisfaction.all.mean",
            "survey.overall_satisfaction.all.count.5"}
    # asked for directly, by name, by account, by id: still nothing of A2's group
    for query in ({"name": "survey.overall_satisfaction.all.mean"}, {"account": "A2"}):
        _, found = _all_pages(client, "/api/v1/facts", world.tokens[role], **query)
        assert not any(f["account"] == "A2" and f["name"].startswith("survey.")
                       for f in found)


def test_a_small_survey_group_is_not_found_by_id_either(client, world, session):
    from sqlalchemy import select

    from kamscore.models import Account, Fact

    ids = session.scalars(select(Fact.id).join(Account, Account.id == Fact.account_id)
                          .where(Account.code == "A2", Fact.name.startswith("survey."))).all()
    assert len(ids) == 3
    session.rollback()  # end the read (SQLite: every transaction holds the write lock)
    for fact_id in ids:
        assert client.get(f"/api/v1/facts/{fact_id}", headers=world.tokens["admin"]
                          ).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_runs_statements_and_the_csv(client, world, role):
    headers = world.tokens[role]
    run = world.run_id
    expected = EXPECTED_ACCOUNTS[role]
    kams = _kams(expected) if expected is not None and role != "survey_admin" else set()
    listing = client.get("/api/v1/runs", headers=headers)
    csv_response = client.get(f"/api/v1/runs/{run}/statements.csv", headers=headers)
    if role in ("kam", "viewer", "survey_admin"):
        assert listing.status_code == 403
        assert csv_response.status_code == 403
    else:
        assert listing.status_code == 200 and [r["id"] for r in listing.json] == [run]
        rows = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True))))
        assert {row["KAM code"] for row in rows} == kams
        summary = client.get(f"/api/v1/runs/{run}", headers=headers).json
        paid = {"K1": 1175.0, "K2": 675.0, "K3": 0.0, "K4": 675.0}
        assert summary["total_payout"] == pytest.approx(sum(paid[k] for k in kams))
        assert summary["kam_count"] == len(kams)
    for kam in ("K1", "K2", "K3", "K4"):
        response = client.get(f"/api/v1/runs/{run}/statements/{kam}", headers=headers)
        if role in ("viewer", "survey_admin"):
            assert response.status_code == 403
        elif kam in kams:
            assert response.status_code == 200 and response.json["kam"]["code"] == kam
            assert response.json["run"]["kam_count"] == len(kams)
        else:
            assert response.status_code in (403, 404), (role, kam)


@pytest.mark.parametrize("role", ROLES)
def test_writes_and_what_if_need_their_roles(client, world, role):
    headers = world.tokens[role]
    whatif = client.post("/api/v1/whatif", json={"period": "2026-Q1", "baseline": "tiny",
                                                 "weights": {"sales": 60, "formulary": 40}},
                         headers=headers)
    assert (whatif.status_code == 200) == (role in ("admin", "analyst", "approver", "auditor")), \
        (role, whatif.status_code, whatif.data)
    if whatif.status_code != 200:
        assert whatif.status_code == 403
    run = client.post("/api/v1/runs", json={"period": "2026-Q1", "ruleset": "tiny"},
                      headers=headers)
    assert (run.status_code == 201) == (role in ("admin", "analyst")), (role, run.data)
    audit = client.get("/api/v1/audit-events", headers=headers)
    assert (audit.status_code == 200) == (role in ("admin", "auditor"))
    imported = client.post("/api/v1/imports/people", data={}, headers=headers)
    assert (imported.status_code == 403) == (role not in ("admin", "analyst"))


@pytest.mark.parametrize("role", ROLES)
def test_campaign_results_only_for_survey_readers(client, world, role):
    listing = client.get("/api/v1/campaigns/", headers=world.tokens[role])
    assert (listing.status_code == 200) == (role in ("admin", "survey_admin", "auditor"))


# -- the same through the web pages ---------------------------------------------------------


def _sign_in(client, session, role: str) -> None:
    from sqlalchemy import select

    from kamscore.models import User

    user = session.scalar(select(User).where(User.username == ROLE_USERS[role]))
    session_id = user.get_id()
    session.rollback()  # end the read (SQLite: every transaction holds the write lock)
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = session_id
        flask_session["_fresh"] = True


@pytest.mark.parametrize("role", ROLES)
def test_pages_show_only_the_rows_in_scope(client, session, world, role):
    _sign_in(client, session, role)
    expected = EXPECTED_ACCOUNTS[role]
    accounts = client.get("/accounts?page=1")
    if expected is None:
        assert accounts.status_code == 403
    else:
        page = accounts.get_data(as_text=True)
        assert {a for a in ALL if f">{a}<" in page} == expected, role
    run = client.get(f"/scoring/runs/{world.run_id}")
    statements_csv = client.get(f"/scoring/runs/{world.run_id}/statements.csv")
    if role in ("kam", "viewer", "survey_admin"):
        assert run.status_code == 403 and statements_csv.status_code == 403
    else:
        page = run.get_data(as_text=True)
        kams = _kams(expected)
        assert {k for k in ("K1", "K2", "K3", "K4") if f">{k}<" in page} == kams, role
        rows = list(csv.DictReader(io.StringIO(statements_csv.get_data(as_text=True))))
        assert {row["KAM code"] for row in rows} == kams
    mine = client.get(f"/scoring/runs/{world.run_id}/statements/K1")
    other = client.get(f"/scoring/runs/{world.run_id}/statements/K3")
    if role in ("viewer", "survey_admin"):
        assert mine.status_code == other.status_code == 403
    elif role in ("kam", "manager"):
        assert mine.status_code == 200 and other.status_code in (403, 404)
    else:
        assert mine.status_code == other.status_code == 200
    audit = client.get("/admin/audit")
    assert (audit.status_code == 200) == (role in ("admin", "auditor"))
    users = client.get("/admin/users")
    assert (users.status_code == 200) == (role == "admin")
