"""Campaigns through the API and the ``kamscore campaign`` command."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from sqlalchemy import select
from survey_org import live_window

from kamscore.auth.tokens import issue_token
from kamscore.mail import setup as mail_setup
from kamscore.mail.sending import get_mailer
from kamscore.models import Campaign, EmailSuppression, User


@pytest.fixture
def app(app):
    app.config["MAIL_BACKEND"] = "memory"
    mail_setup.init_app(app)  # mail settings are read when mail is set up
    return app


def bearer(session, username: str, roles: str) -> dict[str, str]:
    user = User(username=username, name=username, roles=roles)
    user.set_password("x" * 12)
    session.add(user)
    session.flush()
    _, token = issue_token(session, username, "tests")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(session, org):
    return bearer(session, "sam", "survey_admin")


@pytest.fixture
def viewer(session, org):
    return bearer(session, "vic", "auditor")  # reads everything, changes nothing


def create_body(**changes):
    opens, closes = live_window()
    body = {"code": "API-1", "survey": "customer_satisfaction", "period": "2026-Q1",
            "opens_at": opens.isoformat(), "closes_at": closes.isoformat(),
            "timezone": "Asia/Taipei", "accounts": ["A001"]}
    body.update(changes)
    return body


def test_create_open_report_close_through_the_api(app, client, admin, viewer):
    created = client.post("/api/v1/campaigns/", json=create_body(), headers=admin)
    assert created.status_code == 201, created.json
    assert created.json["status"] == "draft" and created.json["anonymous"] is True
    assert client.post("/api/v1/campaigns/", json=create_body(code="X"),
                       headers=viewer).status_code == 403
    opened = client.post("/api/v1/campaigns/API-1/open", headers=admin)
    assert opened.status_code == 200, opened.json
    assert opened.json["campaign"]["status"] == "open"
    assert opened.json["invitations"] == {"sent": 3, "failed": 0, "skipped": 0, "already": 0}
    assert len(get_mailer(app).outbox) == 3
    report = client.get("/api/v1/campaigns/API-1/report", headers=viewer)
    assert report.status_code == 200
    assert (report.json["invited"], report.json["answered"], report.json["mails_sent"]) == (
        3, 0, 3)
    assert report.json["response_rate"] == 0.0
    listed = client.get("/api/v1/campaigns/?status=open", headers=viewer)
    assert [c["code"] for c in listed.json] == ["API-1"]
    closed = client.post("/api/v1/campaigns/API-1/close", headers=admin)
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    again = client.post("/api/v1/campaigns/API-1/close", headers=admin)
    assert again.status_code == 409
    assert again.json["errors"] == {"status": ["campaign API-1 is closed already"]}
    assert set(again.json) == {"code", "status", "message", "errors"}


@pytest.mark.parametrize(("changes", "status", "field"), [
    ({"period": "1999-Q1"}, 404, "period"),
    ({"accounts": ["NOPE"]}, 400, "accounts"),
    ({"survey": "../etc/passwd"}, 422, "survey"),
    ({"opens_at": "2026-03-01T09:00:00"}, 422, "opens_at"),
    ({"timezone": "Nowhere/Land"}, 400, "timezone"),
    ({"reminder_every_days": 2**31}, 422, "reminder_every_days"),
    ({"closes_at": "9999-12-31T23:00:00-05:00"}, 400, "closes_at"),
])
def test_bad_input_names_the_field(client, session, admin, changes, status, field):
    response = client.post("/api/v1/campaigns/", json=create_body(**changes), headers=admin)
    assert response.status_code == status, response.json
    errors = response.json["errors"]
    assert field in json.dumps(errors)
    assert session.scalars(select(Campaign)).all() == []


def test_an_invalid_definition_names_the_survey_with_every_problem(
    app, client, runner, session, admin, tmp_path
):
    (tmp_path / "broken.yaml").write_text("key: broken\nkind: poll\n", encoding="utf-8")
    app.config["SURVEYS_DIR"] = str(tmp_path)
    response = client.post("/api/v1/campaigns/", json=create_body(survey="broken"),
                           headers=admin)
    assert response.status_code == 422, response.json
    assert response.json["message"] == "the survey definition broken.yaml is invalid"
    problems = response.json["errors"]["survey"]
    assert len(problems) > 1 and all("broken.yaml" in p for p in problems)
    assert session.scalars(select(Campaign)).all() == []
    session.rollback()  # SQLite: let the command write
    opens, closes = live_window()
    result = runner.invoke(args=[
        "campaign", "create", "CLI-1", "--survey", "broken", "--period", "2026-Q1",
        "--opens", opens.strftime("%Y-%m-%dT%H:%M"), "--closes",
        closes.strftime("%Y-%m-%dT%H:%M")])
    assert result.exit_code == 1
    assert "the survey definition broken.yaml is invalid (--survey)" in result.output
    assert all(p in result.output for p in problems)


def test_bounce_endpoint(client, session, admin):
    response = client.post("/api/v1/bounces/", json={"email": "Ann@StMary.example",
                                                     "detail": "550 user unknown"},
                           headers=admin)
    assert response.status_code == 201 and response.json["invitations_marked"] == 0
    assert session.scalars(select(EmailSuppression.email)).all() == ["ann@stmary.example"]
    session.rollback()  # SQLite: let the app write
    bad = client.post("/api/v1/bounces/", json={"email": "nope"}, headers=admin)
    assert bad.status_code == 422 and "email" in bad.json["errors"]["json"]


def test_campaign_commands(app, runner, session, org):
    opens, closes = live_window()
    result = runner.invoke(args=[
        "campaign", "create", "CLI-360", "--survey", "internal_360", "--period", "2026-Q1",
        "--opens", opens.strftime("%Y-%m-%dT%H:%M"), "--closes",
        closes.strftime("%Y-%m-%dT%H:%M"), "--timezone", "UTC", "--kam", "K01"])
    assert result.exit_code == 0, result.output
    assert "campaign CLI-360 created (draft): 5 invitations, anonymous" in result.output
    result = runner.invoke(args=["campaign", "open", "CLI-360"])
    assert result.exit_code == 0, result.output
    assert "campaign CLI-360 is open; invitations: 5 sent" in result.output
    result = runner.invoke(args=["campaign", "remind", "CLI-360", "--number", "1"])
    assert "reminder 1: 5 sent" in result.output
    result = runner.invoke(args=["campaign", "remind", "CLI-360", "--number", "1"])
    assert "reminder 1: 0 sent, 0 failed, 0 skipped, 5 sent before" in result.output
    assert len(get_mailer(app).outbox) == 10
    result = runner.invoke(args=["campaign", "report", "CLI-360"])
    assert "CLI-360 (open): 0/5 answered (0%)" in result.output
    assert "cross_functional" in result.output
    data = json.loads(runner.invoke(args=["campaign", "report", "CLI-360", "--json"]).output)
    assert data["invited"] == 5 and data["mails_sent"] == 10
    assert "CLI-360" in runner.invoke(args=["campaign", "list"]).output
    result = runner.invoke(args=["campaign", "close", "CLI-360"])
    assert result.exit_code == 0 and "closed" in result.output
    result = runner.invoke(args=["campaign", "open", "CLI-360"])
    assert result.exit_code == 1
    assert "campaign CLI-360 is closed; only a draft opens (--status)" in result.output
    result = runner.invoke(args=["campaign", "bounce", "kai@corp.example", "--detail", "550"])
    assert "bounce recorded" in result.output


def test_campaign_create_errors_name_the_option(runner, org):
    result = runner.invoke(args=["campaign", "create", "C", "--survey", "customer_satisfaction",
                                 "--period", "2026-Q1", "--opens", "tomorrow",
                                 "--closes", "2026-04-01T00:00"])
    assert result.exit_code == 2 and "--opens" in result.output
    result = runner.invoke(args=["campaign", "create", "C", "--survey", "customer_satisfaction",
                                 "--period", "2026-Q1", "--opens", "2026-04-02T00:00",
                                 "--closes", "2026-04-01T00:00"])
    assert result.exit_code == 1
    assert "closes_at must be after opens_at (--closes-at)" in result.output


@pytest.mark.parametrize(
    ("code", "status"),
    # A NUL in a URL is a malformed request everywhere under /api (400, see api/errors.py);
    # other odd codes simply name no campaign.
    [("A\x00B", 400), ("../x", 404), ("x" * 41, 404)],
)
def test_odd_campaign_codes_are_not_found_not_errors(client, viewer, code, status):
    response = client.get(f"/api/v1/campaigns/{quote(code, safe='')}/report", headers=viewer)
    assert response.status_code == status
    assert response.json["code"] == status  # the API's one error shape, never a 500


def test_nul_characters_are_refused_naming_the_field(client, admin):
    response = client.post("/api/v1/campaigns/", json=create_body(period="2026\x00Q1"),
                           headers=admin)
    assert response.status_code == 400 and "period" in response.json["errors"]
