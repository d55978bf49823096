"""The scoring API: ruleset lifecycle, runs, statements, CSV, what-if, period closing — and
its 4xx answers in the error shape, naming the field at fault."""

from __future__ import annotations

import csv
import io

import pytest
from api_calls import error
from api_calls import publish_tiny as _publish
from tiny_population import EXPECTED, TINY_PLAN


def test_lifecycle_through_the_api(client, tokens):
    created = client.post("/api/v1/rulesets", json={"source": TINY_PLAN, "note": "first"},
                          headers=tokens["carol"])
    assert created.status_code == 201
    assert created.json["status"] == "draft" and created.json["drafted_by"] == "carol"
    assert created.json["source"] == TINY_PLAN
    body = error(client.post("/api/v1/rulesets/tiny/versions/1/approve",
                             headers=tokens["carol"]), 403)
    assert "four-eyes" in body["message"] and "user" in body["errors"]
    body = error(client.post("/api/v1/rulesets/tiny/versions/1/publish",
                             headers=tokens["carol"]), 409)
    assert body["errors"] == {"version": [body["message"]]}
    comment = client.post("/api/v1/rulesets/tiny/versions/1/comments",
                          json={"body": "Looks fair to me", "key_path": "components.sales"},
                          headers=tokens["kim"])
    assert comment.status_code == 201 and comment.json["author"] == "kim"
    assert client.post("/api/v1/rulesets/tiny/versions/1/approve",
                       headers=tokens["bob"]).json["status"] == "approved"
    assert client.post("/api/v1/rulesets/tiny/versions/1/publish",
                       headers=tokens["carol"]).json["status"] == "published"
    detail = client.get("/api/v1/rulesets/tiny/versions/1", headers=tokens["kim"]).json
    assert [c["body"] for c in detail["comments"]] == ["Looks fair to me"]
    listing = client.get("/api/v1/rulesets?status=published", headers=tokens["kim"])
    assert [v["version"] for v in listing.json] == [1]


def test_a_draft_upload_names_every_problem(client, tokens):
    bad = TINY_PLAN.replace("weight: 70", "weight: 60").replace("metric: formulary_status",
                                                                "metric: formulary")
    body = error(client.post("/api/v1/rulesets", json={"source": bad, "filename": "b.yaml"},
                             headers=tokens["ana"]), 422)
    problems = body["errors"]["source"]
    assert any(p.startswith("b.yaml:") and "components[1].metric" in p for p in problems)
    body = error(client.post("/api/v1/rulesets", json={"filename": "x.yaml"},
                             headers=tokens["ana"]), 422)
    assert "source" in body["errors"]["json"]
    error(client.post("/api/v1/rulesets", json={"source": TINY_PLAN},
                      headers=tokens["kim"]), 403)
    error(client.post("/api/v1/rulesets", json={"source": TINY_PLAN}), 401)


def test_diff_endpoint(client, tokens):
    _publish(client, tokens)
    changed = TINY_PLAN.replace("weight: 70", "weight: 50").replace("weight: 30", "weight: 50")
    assert client.post("/api/v1/rulesets", json={"source": changed},
                       headers=tokens["ana"]).status_code == 201
    diff = client.get("/api/v1/rulesets/diff?a=tiny&b=tiny:2", headers=tokens["bob"]).json
    assert diff["a"] == "tiny v1" and diff["b"] == "tiny v2"
    assert {(c["subject"], c["before"], c["after"]) for c in diff["changes"]} == {
        ("component sales", "70 %", "50 %"), ("component formulary", "30 %", "50 %")}
    body = error(client.get("/api/v1/rulesets/diff?a=tiny&b=tiny:9", headers=tokens["bob"]),
                 404)
    assert "version" in body["errors"]


def test_runs_statements_and_csv(client, tokens):
    _publish(client, tokens)
    made = client.post("/api/v1/runs", json={"period": "2026-Q1", "ruleset": "tiny"},
                       headers=tokens["ana"])
    assert made.status_code == 201, made.data
    run = made.json
    assert run["total_payout"] == 2525.0 and run["status"] == "complete"
    assert client.get("/api/v1/runs", headers=tokens["bob"]).json[0]["id"] == run["id"]
    assert client.get(f"/api/v1/runs/{run['id']}", headers=tokens["bob"]).json == run

    mine = client.get(f"/api/v1/runs/{run['id']}/statements/K1", headers=tokens["kim"])
    assert mine.status_code == 200
    statement = mine.json
    assert statement["payout"] == EXPECTED["K1"] and statement["kam"]["code"] == "K1"
    sales = statement["components"][0]
    assert sales["segment"] == "target to cap" and sales["factor"] == pytest.approx(1.25)
    assert sales["inputs"]["net_sales"] == 1_100_000.0
    assert statement["run"]["input_hash"] == run["input_hash"]
    body = error(client.get(f"/api/v1/runs/{run['id']}/statements/K2",
                            headers=tokens["kim"]), 403)
    assert "kam" in body["errors"]
    error(client.get(f"/api/v1/runs/{run['id']}", headers=tokens["kim"]), 403)
    error(client.get(f"/api/v1/runs/{run['id']}/statements/K9", headers=tokens["ana"]), 404)
    error(client.get("/api/v1/runs/999", headers=tokens["ana"]), 404)

    exported = client.get(f"/api/v1/runs/{run['id']}/statements.csv", headers=tokens["ana"])
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert {r["KAM code"]: r["Payout"] for r in rows} == EXPECTED
    assert {(r["Period"], r["Ruleset"], r["Input hash"]) for r in rows} == {
        ("2026-Q1", "tiny", run["input_hash"])}


def test_run_requests_are_checked(client, tokens):
    body = error(client.post("/api/v1/runs", json={"period": "2026-Q1", "ruleset": "tiny"},
                             headers=tokens["ana"]), 404)
    assert body["errors"] == {"ruleset": [body["message"]]}
    _publish(client, tokens)
    body = error(client.post("/api/v1/runs", json={"period": "2099-Q1", "ruleset": "tiny"},
                             headers=tokens["ana"]), 404)
    assert "period" in body["errors"]
    body = error(client.post("/api/v1/runs", json={"ruleset": "tiny"},
                             headers=tokens["ana"]), 422)
    assert "period" in body["errors"]["json"]
    body = error(client.post("/api/v1/runs", json={"period": "2026-Q1", "ruleset": "tiny",
                                                   "correction_of": 1},
                             headers=tokens["ana"]), 422)
    assert "reason" in body["errors"]
    error(client.post("/api/v1/runs", json={"period": "2026-Q1", "ruleset": "tiny"},
                      headers=tokens["bob"]), 403)


def test_closing_a_period_and_correcting_its_run(client, tokens):
    _publish(client, tokens)
    first = client.post("/api/v1/runs", json={"period": "2026-Q1", "ruleset": "tiny"},
                        headers=tokens["ana"]).json
    closed = client.post("/api/v1/periods/2026-Q1/close", headers=tokens["bob"])
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    body = error(client.post("/api/v1/periods/2026-Q1/close", headers=tokens["bob"]), 409)
    assert "period" in body["errors"]
    body = error(client.post("/api/v1/runs", json={"period": "2026-Q1", "ruleset": "tiny"},
                             headers=tokens["ana"]), 409)
    assert "closed" in body["message"]
    correction = client.post("/api/v1/runs", json={
        "period": "2026-Q1", "ruleset": "tiny", "correction_of": first["id"],
        "reason": "recheck"}, headers=tokens["ana"])
    assert correction.status_code == 201
    assert correction.json["corrects_run_id"] == first["id"]
    assert correction.json["result_hash"] == first["result_hash"]


def test_the_runner_cannot_close_his_period(client, tokens):
    """Four-eyes: carol (analyst and approver) runs the period; she may not also sign it off."""
    _publish(client, tokens)
    run = client.post("/api/v1/runs", json={"period": "2026-Q1", "ruleset": "tiny"},
                      headers=tokens["carol"]).json
    body = error(client.post("/api/v1/periods/2026-Q1/close", headers=tokens["carol"]), 403)
    assert f"carol made run {run['id']} of 2026-Q1: four-eyes rule" in body["message"]
    assert "user" in body["errors"]
    assert client.post("/api/v1/periods/2026-Q1/close",
                       headers=tokens["bob"]).json["status"] == "closed"


def test_whatif_endpoint(client, tokens):
    _publish(client, tokens)
    report = client.post("/api/v1/whatif", json={
        "period": "2026-Q1", "baseline": "tiny", "weights": {"sales": 60, "formulary": 40}},
        headers=tokens["ana"])
    assert report.status_code == 200, report.data
    assert report.json["draft"]["payout"] == 2450.0
    assert report.json["baseline"]["payout"] == 2525.0
    assert [r["kam"] for r in report.json["fallers"]] == ["K1", "K2", "K4"]
    again = client.post("/api/v1/whatif", json={"period": "2026-Q1", "baseline": "tiny"},
                        headers=tokens["bob"])
    assert again.json["inputs"]["cached"] is True
    body = error(client.post("/api/v1/whatif", json={
        "period": "2026-Q1", "baseline": "tiny", "weights": {"nps": 10}},
        headers=tokens["ana"]), 422)
    assert "weights" in body["errors"]
    body = error(client.post("/api/v1/whatif", json={"period": "2026-Q1", "draft_source": "a: ["},
                             headers=tokens["ana"]), 422)
    assert "source" in body["errors"]
    error(client.post("/api/v1/whatif", json={"period": "2026-Q1", "baseline": "tiny"},
                      headers=tokens["kim"]), 403)
