"""Security headers on every kind of response: pages, the API, files, respondents' pages."""

from __future__ import annotations

import pytest

from kamscore import create_app


@pytest.mark.parametrize("path", ["/", "/sign-in", "/api/v1/people", "/api/openapi.json",
                                  "/static/web/kamscore.css", "/health", "/no-such-page"])
def test_every_response_is_locked_down(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # not served over HTTPS here


def test_survey_links_never_leave_in_a_referer(client):
    response = client.get("/s/not-a-real-token")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_no_page_has_an_inline_script(client):
    for path in ("/", "/sign-in", "/api/docs"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " on" + "click=" not in html, path


def test_https_adds_hsts_and_secure_cookies(database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": database_url,
                      "HTTPS": True}, instance_path=str(tmp_path / "i"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/sign-in")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie
