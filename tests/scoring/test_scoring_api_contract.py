"""The scoring API keeps to its OpenAPI document (runs, statements, CSV, what-if), and what
schemathesis found stays fixed: each a clear 4xx naming the field, with nothing written."""

from __future__ import annotations

import json

import pytest
import schemathesis
from api_calls import error
from api_calls import publish_tiny as _publish
from sqlalchemy import func, select
from tiny_population import TINY_PLAN

from kamscore.auth.scope import Scope
from kamscore.db.session import get_db
from kamscore.models import RulesetComment, RulesetVersion, ScoreRun
from kamscore.scoring import statements

HUGE = 10**20  # beyond any database integer


@pytest.fixture
def document(client):
    """The app's OpenAPI document, loaded by schemathesis."""
    return schemathesis.openapi.from_dict(client.get("/api/openapi.json").json)


def _count(app, model) -> int:
    with get_db(app).session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_run_statement_csv_and_whatif_follow_the_document(app, client, tokens, document):
    _publish(client, tokens)
    made = client.post("/api/v1/runs", json={"period": "2026-Q1", "ruleset": "tiny"},
                       headers=tokens["ana"])
    document["/api/v1/runs"]["POST"].validate_response(made)
    run_id = made.json["id"]
    for path, url in (
        ("/api/v1/runs", "/api/v1/runs"),
        ("/api/v1/runs/{run_id}", f"/api/v1/runs/{run_id}"),
        ("/api/v1/runs/{run_id}/statements/{kam}", f"/api/v1/runs/{run_id}/statements/K4"),
        ("/api/v1/runs/{run_id}/statements.csv", f"/api/v1/runs/{run_id}/statements.csv"),
    ):
        response = client.get(url, headers=tokens["ana"])
        assert response.status_code == 200, response.data
        document[path]["GET"].validate_response(response)

    statement = client.get(f"/api/v1/runs/{run_id}/statements/K4", headers=tokens["ana"]).json
    with get_db(app).session() as session:
        served = json.loads(json.dumps(statements.statement(session, run_id, "K4",
                                                           Scope.unlimited())))
    assert statement == served  # the response schema leaves nothing out

    for body in ({"period": "2026-Q1", "baseline": "tiny", "include_all": True,
                  "weights": {"sales": "60%", "formulary": 40}},
                 {"period": "2026-Q1", "draft_source": TINY_PLAN.replace("name: tiny",
                                                                         "name: other")}):
        report = client.post("/api/v1/whatif", json=body, headers=tokens["ana"])
        assert report.status_code == 200, report.data
        document["/api/v1/whatif"]["POST"].validate_response(report)
    assert report.json["baseline"] is None and "change" not in report.json

    refused = client.get("/api/v1/runs/1/statements/K9", headers=tokens["ana"])
    document["/api/v1/runs/{run_id}/statements/{kam}"]["GET"].validate_response(refused)


def test_version_and_run_numbers_beyond_the_database_are_not_found(app, client, tokens):
    _publish(client, tokens)
    ana = tokens["ana"]
    # ids in the URL beyond the database's integers match no route (kamscore.db.ids): 404
    for url in (f"/api/v1/runs/{HUGE}", f"/api/v1/runs/{HUGE}/statements/K1",
                f"/api/v1/runs/{HUGE}/statements.csv", f"/api/v1/rulesets/tiny/versions/{HUGE}"):
        error(client.get(url, headers=ana), 404)
    for url, headers in ((f"/api/v1/rulesets/tiny/versions/{HUGE}/approve", tokens["bob"]),
                         (f"/api/v1/rulesets/tiny/versions/{HUGE}/publish", ana),
                         (f"/api/v1/rulesets/tiny/versions/{HUGE}/comments", ana)):
        error(client.post(url, json={"body": "why?"}, headers=headers), 404)
    # in a reference the service names the version it cannot find
    assert "version" in error(client.get(f"/api/v1/rulesets/diff?a=tiny&b=tiny:{HUGE}",
                                         headers=ana), 404)["errors"]
    assert "version" in error(client.post("/api/v1/whatif", json={
        "period": "2026-Q1", "baseline": f"tiny:{HUGE}"}, headers=ana), 404)["errors"]
    # in a body the schema names the field: no such number can be stored
    for body, field in (({"period": "2026-Q1", "ruleset": "tiny", "version": HUGE}, "version"),
                        ({"period": "2026-Q1", "ruleset": "tiny", "correction_of": HUGE,
                          "reason": "recheck"}, "correction_of")):
        refused = error(client.post("/api/v1/runs", json=body, headers=ana), 422)
        assert field in refused["errors"]["json"]
    assert _count(app, ScoreRun) == 0 and _count(app, RulesetComment) == 0
    assert _count(app, RulesetVersion) == 1


def test_pages_beyond_the_database_are_refused_and_beyond_the_last_are_empty(client, tokens):
    _publish(client, tokens)
    assert client.post("/api/v1/runs", json={"period": "2026-Q1", "ruleset": "tiny"},
                       headers=tokens["ana"]).status_code == 201
    for url in (f"/api/v1/runs?page={HUGE}", f"/api/v1/rulesets?page={HUGE}&page_size=500"):
        refused = error(client.get(url, headers=tokens["ana"]), 422)
        assert "page" in refused["errors"]["query"]
    for url in ("/api/v1/runs?page=9", "/api/v1/rulesets?page=9&page_size=500"):
        response = client.get(url, headers=tokens["ana"])
        assert response.status_code == 200 and response.json == []
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 1, "total_pages": 1, "first_page": 1, "last_page": 1}


def test_yaml_with_characters_yaml_refuses_names_the_source(app, client, tokens):
    source = TINY_PLAN + "\nnote: \x8e\n"
    body = error(client.post("/api/v1/rulesets", json={"source": source},
                             headers=tokens["ana"]), 422)
    assert "unacceptable character #x008e" in body["errors"]["source"][0]
    assert _count(app, RulesetVersion) == 0
    body = error(client.post("/api/v1/whatif", json={"period": "2026-Q1",
                                                     "draft_source": source},
                             headers=tokens["ana"]), 422)
    assert "unacceptable character" in body["errors"]["source"][0]


@pytest.mark.parametrize(("url", "body", "where", "field"), [
    ("/api/v1/rulesets/diff?a=&b=tiny", None, "query", "a"),
    ("/api/v1/rulesets/diff?a=tiny&b=tiny%3Aone", None, "query", "b"),
    ("/api/v1/whatif", {"period": "2026-Q1", "baseline": ""}, "json", "baseline"),
    ("/api/v1/whatif", {"period": "2026-Q1", "draft_version": "a b"}, "json", "draft_version"),
    ("/api/v1/whatif", {"period": "2026-Q1", "baseline": "tiny", "weights": {"sales": None}},
     "json", "weights"),
    ("/api/v1/whatif", {"period": "2026-Q1", "baseline": "tiny", "weights": {"sales": "lots"}},
     "json", "weights"),
    ("/api/v1/whatif", {"period": "2026-Q1", "baseline": "tiny", "weights": {"sales": 101}},
     "json", "weights"),
])
def test_what_the_document_refuses_the_schema_refuses(client, tokens, url, body, where, field):
    _publish(client, tokens)
    method = client.get if body is None else client.post
    response = method(url, json=body, headers=tokens["ana"])
    assert field in error(response, 422)["errors"][where]
