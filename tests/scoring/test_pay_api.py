"""The pay ledger's API (``/api/v1/pay``) on the tiny population: an adjustment entered by an
analyst and approved by another person; bad input refused naming the field with nothing
written; the balances; the statement's pay lines with their kinds."""

from __future__ import annotations

import pytest
from api_calls import error
from sqlalchemy import func, select

from kamscore.models import AuditEvent, PayEntry
from kamscore.scoring import ledger
from kamscore.scoring.runs import run_score

URL = "/api/v1/pay/entries"
GOOD = {"kam": "K1", "period": "2026-Q1", "kind": "spiff", "amount": "250.00",
        "reason": "launch SPIFF"}


def _written(session) -> tuple[int, int]:
    session.rollback()
    counts = (session.scalar(select(func.count()).select_from(PayEntry)),
              session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.like("pay.%"))))
    session.rollback()  # SQLite: a transaction holds the write lock the requests need
    return counts


@pytest.mark.parametrize(("changes", "status", "field"), [
    ({"kam": "K99"}, 404, "kam"),
    ({"period": "1999-Q1"}, 404, "period"),
    ({"kind": "draw"}, 422, "kind"),
    ({"amount": "-1.00"}, 422, "amount"),
    ({"amount": "12.345"}, 422, "amount"),
    ({"amount": "lots"}, 422, "amount"),
    ({"reason": "  "}, 422, "reason"),
    ({"kind": "clawback", "amount": "-5.00"}, 422, "run"),
])
def test_bad_entries_are_refused_naming_the_field(client, session, tiny, tokens, changes,
                                                  status, field):
    before = _written(session)
    body = error(client.post(URL, json=GOOD | changes, headers=tokens["ana"]), status)
    # the service names the field; the schema names it under the body's location ("json")
    assert field in body["errors"] or field in body["errors"].get("json", {}), body
    assert _written(session) == before


def test_an_entry_is_approved_by_another_person(client, session, pm, published, tokens):
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.commit()
    error(client.post(URL, json=GOOD, headers=tokens["kim"]), 403)  # a KAM enters nothing
    error(client.post(URL, json=GOOD), 401)
    created = client.post(URL, json=GOOD, headers=tokens["ana"])
    assert created.status_code == 201, created.data
    entry = created.json
    assert (entry["kam"], entry["kind"], entry["amount"], entry["approved_by"]) == (
        "K1", "spiff", "250.00", None)
    approve = f"{URL}/{entry['id']}/approve"
    error(client.post(approve, headers=tokens["ana"]), 403)  # no ledger.approve
    error(client.post(f"{URL}/999/approve", headers=tokens["bob"]), 404)
    session.rollback()
    ledger.set_draw_terms(session, user="carol", kam_code="K3", from_period="2026-Q1",
                          amount="500.00", recoverable=True, recovery_limit="50")
    # carol holds both roles, but did not enter it; bob approves
    approved = client.post(approve, headers=tokens["bob"])
    assert approved.status_code == 200 and approved.json["approved_by"] == "bob"
    assert error(client.post(approve, headers=tokens["carol"]), 409)["errors"] == {
        "entry": ["entry 1 was approved by bob already"]}
    # carol enters one and cannot approve it herself
    own = client.post(URL, json=GOOD | {"kind": "adjustment", "amount": "-10.00"},
                      headers=tokens["carol"]).json
    body = error(client.post(f"{URL}/{own['id']}/approve", headers=tokens["carol"]), 403)
    assert "four-eyes" in body["message"] and "user" in body["errors"]

    balances = client.get("/api/v1/pay/balances", headers=tokens["ana"])
    assert balances.json == [{"kam": "K3", "name": "Kam K3", "draw": "500.00",
                              "recoverable": True, "recovery_limit": "50.00",
                              "owed": "0.00", "recovered": "0.00", "outstanding": "0.00"}]
    error(client.get("/api/v1/pay/balances", headers=tokens["kim"]), 403)

    statement = client.get(f"/api/v1/runs/{run.id}/statements/K1", headers=tokens["kim"]).json
    assert [(p["kind"], p["amount"], p["payable"], p["pending"])
            for p in statement["pay_lines"]] == [
        ("earnings", "1175.00", "1175.00", False), ("adjustment", "-10.00", "-10.00", True),
        ("spiff", "250.00", "250.00", False)]
    assert statement["net_pay"] == "1425.00"  # the pending adjustment is not paid
    k3 = client.get(f"/api/v1/runs/{run.id}/statements/K3", headers=tokens["ana"]).json
    assert [(p["kind"], p["payable"]) for p in k3["pay_lines"]] == [
        ("earnings", "0.00"), ("draw", "500.00")]  # what the settlement will pay
