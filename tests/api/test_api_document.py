"""What the OpenAPI document declares: every operation's responses, errors in the one shape,
``X-Pagination`` as a JSON header — and responses that keep to it."""

from __future__ import annotations

import datetime as dt
import json

import schemathesis

from kamscore.db.session import get_db
from kamscore.scoring.periods import close_period

HUGE = 10**20  # beyond any database integer


def _responses(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield f"{method.upper()} {path}", operation["responses"]


def test_every_operation_declares_its_success_and_error_responses(client):
    spec = client.get("/api/openapi.json").json
    error_responses = spec["components"]["responses"]
    operations = 0
    for name, responses in _responses(spec):
        operations += 1
        success = [code for code in responses if code.startswith("2") and code != "202"]
        assert len(success) == 1, name  # (and 202 where a large import is queued as a job)
        assert "schema" in next(iter(responses[success[0]]["content"].values())), name
        assert "401" in responses, name  # nothing is public
        for code, response in responses.items():
            if code.startswith(("4", "5")) or code == "default":
                if "$ref" in response:
                    response = error_responses[response["$ref"].rsplit("/", 1)[1]]
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (name, code)
    assert operations == 50  # with the pay ledger's entries, approval and balances; campaign
    # quality and exclusions
    assert spec["components"]["schemas"]["Error"]["required"] == [
        "code", "errors", "message", "status"]


def test_the_pagination_header_is_documented_as_json(client):
    spec = client.get("/api/openapi.json").json
    header = spec["paths"]["/api/v1/people"]["get"]["responses"]["200"]["headers"]
    component = header["X-Pagination"]["$ref"].rsplit("/", 1)[1]
    documented = spec["components"]["headers"][component]
    assert "schema" not in documented
    assert documented["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginationMetadata"}


def test_a_closed_period_says_when_in_utc(app, client, api_org, viewer):
    with get_db(app).sessionmaker() as session:
        close_period(session, "2026-Q1")
    document = schemathesis.openapi.from_dict(client.get("/api/openapi.json").json)
    response = client.get("/api/v1/periods/2026-Q1", headers=viewer)
    document["/api/v1/periods/{code}"]["GET"].validate_response(response)
    closed_at = dt.datetime.fromisoformat(response.json["closed_at"])
    assert closed_at.utcoffset() == dt.timedelta(0)
    listed = client.get("/api/v1/periods?status=closed", headers=viewer)
    document["/api/v1/periods"]["GET"].validate_response(listed)


def test_a_page_beyond_the_database_is_refused_naming_it(client, api_org, viewer):
    for resource in ("accounts", "facts", "people"):
        response = client.get(f"/api/v1/{resource}?page={HUGE}", headers=viewer)
        assert response.status_code == 422, resource
        assert "page" in response.json["errors"]["query"], resource
        beyond = client.get(f"/api/v1/{resource}?page=999", headers=viewer)
        assert beyond.status_code == 200 and beyond.json == [], resource
        assert "page" not in json.loads(beyond.headers["X-Pagination"])
