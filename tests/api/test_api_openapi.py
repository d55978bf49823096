"""The OpenAPI document and the Swagger UI, whose files come from the package (no CDN)."""

from __future__ import annotations

import json
import re
import threading

import pytest
from werkzeug.serving import make_server

from kamscore import create_app
from kamscore.db.session import get_db

RESOURCES = [
    "people",
    "teams",
    "accounts",
    "assignments",
    "stakeholders",
    "products",
    "periods",
    "facts",
    "plans",
]
DETAILS = [
    "/api/v1/people/{code}",
    "/api/v1/teams/{code}",
    "/api/v1/accounts/{code}",
    "/api/v1/assignments/{assignment_id}",
    "/api/v1/stakeholders/{stakeholder_id}",
    "/api/v1/products/{code}",
    "/api/v1/periods/{code}",
    "/api/v1/facts/{fact_id}",
    "/api/v1/plans/{account}/{period}",
]


def test_the_openapi_document_lists_every_endpoint(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.get_data(as_text=True))
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for resource in RESOURCES:
        assert "get" in paths[f"/api/v1/{resource}"], resource
    for detail in DETAILS:
        assert "get" in paths[detail], detail
    assert "post" in paths["/api/v1/imports/{kind}"]
    assert set(spec["components"]["securitySchemes"]) == {"bearerAuth", "session"}
    error = spec["components"]["schemas"]["Error"]["properties"]
    assert set(error) == {"code", "status", "message", "errors"}


def test_the_documented_page_size_limit_is_the_configured_one(database_url, tmp_path, client):
    def page_size(spec):
        params = spec["paths"]["/api/v1/people"]["get"]["parameters"]
        return next(p for p in params if p["name"] == "page_size")["schema"]

    default = client.get("/api/openapi.json").json
    assert page_size(default)["maximum"] == 500
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": database_url, "API_PAGE_SIZE_MAX": 25},
        instance_path=str(tmp_path / "small"),
    )
    try:
        assert page_size(app.test_client().get("/api/openapi.json").json)["maximum"] == 25
    finally:
        get_db(app).dispose()


def test_pagination_uses_the_configured_limit(database_url, tmp_path, make_user):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": database_url, "API_PAGE_SIZE_MAX": 3},
        instance_path=str(tmp_path / "small"),
    )
    _, headers = make_user("reader", "viewer")
    try:
        client = app.test_client()
        assert client.get("/api/v1/people?page_size=3", headers=headers).status_code == 200
        refused = client.get("/api/v1/people?page_size=4", headers=headers)
        assert refused.status_code == 422
        assert refused.json["errors"] == {"query": {"page_size": ["Must be between 1 and 3."]}}
    finally:
        get_db(app).dispose()


def test_pages(client, api_org, viewer):
    first = client.get("/api/v1/accounts?page_size=4", headers=viewer)
    assert [a["code"] for a in first.json] == ["A001", "A002", "A003", "A004"]
    assert json.loads(first.headers["X-Pagination"]) == {
        "total": 6,
        "total_pages": 2,
        "first_page": 1,
        "last_page": 2,
        "page": 1,
        "next_page": 2,
    }
    second = client.get("/api/v1/accounts?page_size=4&page=2", headers=viewer)
    assert [a["code"] for a in second.json] == ["A005", "A006"]
    beyond = client.get("/api/v1/accounts?page_size=4&page=9", headers=viewer)
    assert beyond.status_code == 200 and beyond.json == []
    default = client.get("/api/v1/facts", headers=viewer)
    assert json.loads(default.headers["X-Pagination"])["total"] == 13


def test_swagger_ui_page_and_its_assets_are_served_locally(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert not re.search(r"https?://", html), "the page must not load anything from elsewhere"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {
        "/api/swagger-ui/swagger-ui-bundle.js",
        "/api/swagger-ui/swagger-ui.css",
        "/api/swagger-ui/swagger-ui-standalone-preset.js",
    } <= set(assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        if asset.startswith("/api/swagger-ui/"):  # swagger-ui-bundle's files, not our starter
            assert len(response.data) > 1000, asset
    assert "<script>" not in html  # started by a file: the CSP allows no inline script


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.mark.browser
def test_swagger_ui_renders_the_api_in_a_browser(loopback_page, live_server):
    page, foreign = loopback_page
    page.goto(f"{live_server}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "kamscore" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/facts" in p for p in paths)
    assert any("/api/v1/imports/{kind}" in p.replace("\u200b", "") for p in paths)
    assert foreign == []
