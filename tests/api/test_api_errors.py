"""Every error under /api has the shape {code, status, message, errors}; bad input is a 4xx."""

from __future__ import annotations

import io
import json
import logging
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kamscore import create_app
from kamscore.db.session import get_db
from kamscore.models import Campaign, EmailSuppression, RulesetVersion, ScoreRun

SHAPE = {"code", "status", "message", "errors"}


def assert_error(response, code: int) -> dict:
    assert response.status_code == code, response.data
    assert response.is_json, response.data
    body = response.json
    assert set(body) == SHAPE
    assert body["code"] == code and isinstance(body["message"], str) and body["message"]
    assert isinstance(body["status"], str)
    return body


def test_unknown_api_urls_are_404_in_the_shape(client, viewer):
    for url in ("/api/nope", "/api/v1/nope", "/api/v1/people/E1/extra", "/api/v2/people"):
        assert_error(client.get(url, headers=viewer), 404)


def test_unknown_objects_are_404_naming_them(client, viewer):
    body = assert_error(client.get("/api/v1/people/NOBODY", headers=viewer), 404)
    assert body["message"] == "No person 'NOBODY'."
    assert_error(client.get("/api/v1/facts/999999", headers=viewer), 404)
    assert_error(client.get("/api/v1/plans/A1/2026-Q1", headers=viewer), 404)


def test_nul_characters_and_huge_ids_are_bad_input(client, viewer):
    body = assert_error(client.get("/api/v1/people/E%001", headers=viewer), 400)
    assert "NUL" in body["message"]
    assert_error(
        client.get("/api/v1/accounts", query_string={"segment": "a\x00b"}, headers=viewer), 400
    )
    for url in (
        "/api/v1/facts/99999999999999999999",
        "/api/v1/stakeholders/2147483648",
        "/api/v1/assignments/-1",
    ):
        assert_error(client.get(url, headers=viewer), 404)


CAMPAIGN = {"code": "C1", "survey": "customer_satisfaction", "period": "2026-Q1",
            "opens_at": "2026-03-01T09:00:00+00:00", "closes_at": "2026-03-15T09:00:00+00:00"}


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/rulesets", {"source": "name: x", "note": "a\x00b"}, "note"),
        ("/api/v1/campaigns/", {**CAMPAIGN, "code": "C\x001"}, "code"),
        ("/api/v1/campaigns/", {**CAMPAIGN, "accounts": ["A001", "A\x00"]}, "accounts"),
        ("/api/v1/bounces/", {"email": "ann@example.org", "detail": "550\x00"}, "detail"),
        ("/api/v1/whatif", {"period": "2026-Q1", "weights": {"sa\x00les": 50}}, "weights"),
        ("/api/v1/runs", ["2026-Q1\x00"], "0"),  # a list body: the item is named
    ],
)
def test_nul_characters_in_json_bodies_are_refused_naming_the_field(
    app, client, api_org, make_user, url, body, field
):
    _, admin = make_user("root", "admin")
    refused = assert_error(client.post(url, json=body, headers=admin), 400)
    assert set(refused["errors"]) == {field} and "NUL" in str(refused["errors"][field])
    with get_db(app).session() as session:
        for model in (RulesetVersion, Campaign, EmailSuppression, ScoreRun):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model


def test_pages_outside_api_keep_html_errors(client):
    response = client.get("/definitely-not-a-page")
    assert response.status_code == 404 and not response.is_json


def test_wrong_method_is_405_with_allow(client, viewer):
    body = assert_error(client.delete("/api/v1/people", headers=viewer), 405)
    assert "DELETE is not allowed" in body["message"]
    assert "GET" in client.delete("/api/v1/people", headers=viewer).headers["Allow"]
    assert_error(client.get("/api/v1/imports/people", headers=viewer), 405)


def test_authentication(client, make_user):
    body = assert_error(client.get("/api/v1/people"), 401)
    assert "Bearer" in body["message"]
    assert client.get("/api/v1/people").headers["WWW-Authenticate"].startswith("Bearer")
    for header in ("Basic dXNlcjpwdw==", "Bearer", "Bearer ks_not-a-real-token", "token"):
        assert_error(client.get("/api/v1/people", headers={"Authorization": header}), 401)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/api/v1/people?role=wizard", "role"),
        ("/api/v1/accounts?type=castle", "type"),
        ("/api/v1/assignments?active_on=yesterday", "active_on"),
        ("/api/v1/periods?status=maybe", "status"),
        ("/api/v1/stakeholders?role=1", "role"),
        ("/api/v1/people?page=0", "page"),
        ("/api/v1/people?page=first", "page"),
        ("/api/v1/people?page_size=0", "page_size"),
        ("/api/v1/people?page_size=-3", "page_size"),
        ("/api/v1/people?page_size=lots", "page_size"),
        ("/api/v1/people?page_size=501", "page_size"),
        ("/api/v1/facts?page_size=99999999999999999999", "page_size"),
        ("/api/v1/imports/people?dry_run=perhaps", "dry_run"),
    ],
)
def test_invalid_query_parameters_are_422_naming_the_field(client, analyst, query, field):
    method = client.post if "imports" in query else client.get
    body = assert_error(method(query, headers=analyst), 422)
    assert field in body["errors"]["query"], body


def test_import_without_a_file_names_the_field(client, analyst):
    body = assert_error(client.post("/api/v1/imports/people", headers=analyst), 422)
    assert body["errors"] == {"files": {"file": ["Missing data for required field."]}}


def test_import_with_bad_json_instead_of_a_file(client, analyst):
    for body, kind in (
        ("{not json", "application/json"),
        ('{"file": 1}', "application/json"),
        ("[]", "text/plain"),
    ):
        response = client.post(
            "/api/v1/imports/people", data=body, content_type=kind, headers=analyst
        )
        assert 400 <= response.status_code < 500
        assert set(response.json) == SHAPE


def test_import_of_a_file_that_is_not_csv(client, analyst):
    response = client.post(
        "/api/v1/imports/people",
        data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00"), "photo.png")},
        headers=analyst,
    )
    body = assert_error(response, 422)
    assert body["errors"] == {
        "1": {"_row": ["the file is not UTF-8 text; save the CSV as UTF-8"]}
    }


def test_bodies_over_the_limit_are_413(database_url, tmp_path, analyst):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": database_url,
            "MAX_CONTENT_LENGTH": 1000,
        },
        instance_path=str(tmp_path),
    )
    try:
        response = app.test_client().post(
            "/api/v1/imports/people",
            data={"file": (io.BytesIO(b"code,name\n" + b"x" * 5000), "a.csv")},
            headers=analyst,
        )
        assert_error(response, 413)
    finally:
        get_db(app).dispose()


def test_unhandled_exceptions_are_500_in_the_shape_and_logged(database_url, tmp_path, caplog):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url}, instance_path=str(tmp_path))

    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/v1/boom", view_func=boom)
    try:
        with caplog.at_level(logging.ERROR):
            response = app.test_client().get("/api/v1/boom")
        body = assert_error(response, 500)
        assert "secret internals" not in json.dumps(body)
        assert any(
            "secret internals" in r.getMessage()
            or (r.exc_info and "secret internals" in str(r.exc_info[1]))
            for r in caplog.records
        )
    finally:
        get_db(app).dispose()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    resource=st.sampled_from(
        [
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
    ),
    params=st.dictionaries(
        st.sampled_from(
            [
                "page",
                "page_size",
                "role",
                "type",
                "segment",
                "active_on",
                "period",
                "name",
                "account",
                "kind",
                "status",
                "member",
                "x",
            ]
        ),
        st.text(max_size=12),
        max_size=4,
    ),
    detail=st.one_of(st.none(), st.text(min_size=1, max_size=20)),
)
def test_fuzzed_reads_never_500(client, viewer, resource, params, detail):
    url = f"/api/v1/{resource}"
    if detail is not None:
        response = client.get(url + "/" + quote(detail, safe=""), headers=viewer)
    else:
        response = client.get(url, query_string=params, headers=viewer)
    assert response.status_code < 500, (url, params, detail, response.data)
    if response.status_code >= 400:
        assert set(response.json) == SHAPE


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["people", "facts", "plans", "teams", "nope"]),
    content=st.binary(max_size=300),
    field=st.sampled_from(["file", "upload"]),
)
def test_fuzzed_imports_never_500(client, analyst, kind, content, field):
    response = client.post(
        f"/api/v1/imports/{kind}", data={field: (io.BytesIO(content), "f.csv")}, headers=analyst
    )
    assert response.status_code < 500, response.data
    if response.status_code >= 400:
        assert set(response.json) == SHAPE
