"""What the scoring API tests share: the error shape check and publishing the tiny plan
through the API (the users are those of ``tiny_population``; see the ``tokens`` fixture)."""

from __future__ import annotations

from typing import Any

from tiny_population import TINY_PLAN

SHAPE = {"code", "status", "message", "errors"}


def error(response: Any, code: int) -> dict:
    """The body of an error response with status ``code``, checked to have the shape."""
    assert response.status_code == code, response.data
    body = response.json
    assert set(body) == SHAPE and body["code"] == code and body["message"]
    return body


def publish_tiny(client: Any, tokens: dict[str, dict[str, str]]) -> None:
    """Upload the tiny plan as ana, approve it as bob, publish it as ana."""
    created = client.post("/api/v1/rulesets", json={"source": TINY_PLAN,
                                                    "filename": "tiny.yaml"},
                          headers=tokens["ana"])
    assert created.status_code == 201, created.data
    assert client.post("/api/v1/rulesets/tiny/versions/1/approve",
                       headers=tokens["bob"]).status_code == 200
    assert client.post("/api/v1/rulesets/tiny/versions/1/publish",
                       headers=tokens["ana"]).status_code == 200
