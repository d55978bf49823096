"""Every list and detail endpoint, with filters, on the example organisation."""

from __future__ import annotations

import json

from sqlalchemy import event

from kamscore.db.session import get_db

LISTS = {
    "people": 8,
    "teams": 2,
    "accounts": 6,
    "assignments": 8,
    "stakeholders": 10,
    "products": 3,
    "periods": 6,
    "facts": 13,
    "plans": 3,
}


def test_every_list_endpoint_lists_everything(client, api_org, viewer):
    for resource, total in LISTS.items():
        response = client.get(f"/api/v1/{resource}?page_size=100", headers=viewer)
        assert response.status_code == 200, resource
        assert len(response.json) == total, resource
        assert json.loads(response.headers["X-Pagination"])["total"] == total, resource


DETAILS = [
    ("/api/v1/people/E1003", {"code": "E1003", "manager": "E1001", "role": "kam"}),
    ("/api/v1/teams/T-SOUTH", {"code": "T-SOUTH", "lead": "E1004"}),
    ("/api/v1/accounts/A004", {"type": "payer", "segment": "strategic", "team": "T-SOUTH"}),
    ("/api/v1/products/CAR-220", {"name": "Cardiolin", "therapeutic_area": "cardiology"}),
    (
        "/api/v1/periods/2026-Q2",
        {
            "kind": "quarter",
            "start_date": "2026-04-01",
            "end_date": "2026-06-30",
            "status": "open",
        },
    ),
    (
        "/api/v1/plans/A001/2026-Q1",
        {"owner": "E1002", "quality_rating": 4, "rated_by": "E1001"},
    ),
]


def test_details_by_natural_key(client, api_org, viewer):
    for url, expected in DETAILS:
        response = client.get(url, headers=viewer)
        assert response.status_code == 200, url
        assert expected.items() <= response.json.items(), url


def test_people_do_not_expose_salaries(client, api_org, viewer):
    person = client.get("/api/v1/people/E1002", headers=viewer).json
    assert "base_salary" not in person and "currency" not in person


def test_teams_come_with_their_members(client, api_org, viewer):
    team = client.get("/api/v1/teams/T-NORTH", headers=viewer).json
    assert {(m["person"], m["function"]) for m in team["members"]} == {
        ("E1002", "kam"),
        ("E2001", "msl"),
        ("E2002", "market_access"),
        ("E1003", "kam"),
    }
    assert [m["name"] for m in team["members"] if m["person"] == "E2001"] == ["Dr. Sofia Lindqvist"]
    mine = client.get("/api/v1/teams?member=E2003", headers=viewer).json
    assert [t["code"] for t in mine] == ["T-SOUTH"]


def test_plans_come_with_objectives_and_actions(client, api_org, viewer):
    plan = client.get("/api/v1/plans/A001/2026-Q1", headers=viewer).json
    assert {o["code"]: o["met"] for o in plan["objectives"]} == {"O1": True, "O2": True}
    assert {a["code"]: a["done_date"] for a in plan["actions"]} == {"X1": "2026-02-10", "X2": None}
    by_owner = client.get("/api/v1/plans?owner=E1004", headers=viewer).json
    assert sorted(p["account"] for p in by_owner) == ["A004", "A006"]


def test_products_come_with_their_phase_per_period(client, api_org, viewer):
    product = client.get("/api/v1/products/IMM-305", headers=viewer).json
    assert {p["period"]: p["phase"] for p in product["phases"]} == {
        "2026-Q1": "pre_launch",
        "2026-Q2": "pre_launch",
        "2026-Q3": "launch",
        "2026-Q4": "launch",
    }


ACCOUNT_FILTERS = [
    ("segment=strategic", ["A001", "A002", "A004"]),
    ("type=hospital", ["A001", "A003", "A006"]),
    ("segment=key&type=gpo", ["A005"]),
    ("team=T-NORTH", ["A001", "A002", "A003"]),
    ("region=South", ["A004", "A005", "A006"]),
    ("team=NOPE", []),
]


def test_accounts_filter(client, api_org, viewer):
    for query, codes in ACCOUNT_FILTERS:
        response = client.get(f"/api/v1/accounts?{query}", headers=viewer)
        assert [a["code"] for a in response.json] == codes, query


FACT_FILTERS = [
    ("period=2026-Q1", 13),
    ("name=net_sales", 4),
    ("period=2026-Q1&name=formulary_status", 2),
    ("account=A005", 3),
    ("person=E1002", 1),
    ("team=T-NORTH", 1),
    ("product=ONC-101", 4),
    ("period=2026-Q2", 0),
]


def test_facts_filter(client, api_org, viewer):
    for query, count in FACT_FILTERS:
        response = client.get(f"/api/v1/facts?{query}", headers=viewer)
        assert response.status_code == 200 and len(response.json) == count, query


def test_fact_detail(client, api_org, viewer):
    listed = client.get("/api/v1/facts?name=formulary_status&account=A004", headers=viewer).json
    fact = client.get(f"/api/v1/facts/{listed[0]['id']}", headers=viewer).json
    assert fact == {**listed[0]}
    assert (fact["category"], fact["value"], fact["product"], fact["unit"]) == (
        "listed",
        None,
        "ONC-101",
        "status",
    )


def test_assignments_filter_and_detail(client, api_org, viewer):
    on_may_20 = client.get(
        "/api/v1/assignments?account=A003&active_on=2026-05-20", headers=viewer
    ).json
    assert [a["person"] for a in on_may_20] == ["E1002"]
    on_may_1 = client.get(
        "/api/v1/assignments?account=A003&active_on=2026-05-01", headers=viewer
    ).json
    assert [(a["person"], a["end_date"]) for a in on_may_1] == [("E1003", "2026-05-15")]
    one = client.get(f"/api/v1/assignments/{on_may_1[0]['id']}", headers=viewer).json
    assert one["account"] == "A003"
    assert len(client.get("/api/v1/assignments?person=E1004", headers=viewer).json) == 3


def test_stakeholders_filter_and_detail(client, api_org, viewer):
    keys = client.get("/api/v1/stakeholders?account=A001", headers=viewer).json
    assert len(keys) == 3
    payers = client.get("/api/v1/stakeholders?role=payer", headers=viewer).json
    assert [s["email"] for s in payers] == ["reimbursement@nhif.example.org"]
    one = client.get(f"/api/v1/stakeholders/{payers[0]['id']}", headers=viewer).json
    assert one["account"] == "A004" and one["language"] == "it"


def test_periods_filter(client, api_org, viewer):
    quarters = client.get("/api/v1/periods?kind=quarter", headers=viewer).json
    assert [p["code"] for p in quarters] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert client.get("/api/v1/periods?status=closed", headers=viewer).json == []


def test_the_number_of_queries_does_not_grow_with_the_page(app, client, api_org, viewer):
    """Related objects are loaded with the page, not one query per item."""
    engine = get_db(app).engine

    def queries(url: str) -> int:
        statements: list[str] = []

        def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(url, headers=viewer).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    queries("/api/v1/people")  # the first request also checks the schema version
    for resource in LISTS:
        one, all_ = (queries(f"/api/v1/{resource}?page_size={n}") for n in (1, 100))
        assert one == all_, resource
