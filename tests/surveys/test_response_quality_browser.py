"""Response quality in the machine's Chromium, on a desktop and a 360 px phone: a campaign with
seeded speeders and straight-liners shows their counts; the survey administrator excludes
them with a reason; the next score run's CSAT changes and the KAM's statement says how many
responses were excluded and why. Every page: axe-core finds no violation, nothing scrolls
sideways, the console has no error."""

from __future__ import annotations

import pytest
from flagged_campaign import CSAT_PLAN
from live_server import real_app, werkzeug_server
from playwright.sync_api import expect

from kamscore.models import User
from kamscore.plugin_host.manager import build_from_config
from kamscore.scoring import lifecycle
from kamscore.scoring.run_store import load_lines
from kamscore.scoring.runs import run_score
from tests.browser_steps import DESKTOP, PHONE, check, console_errors, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def _users(session) -> None:
    for username, roles in (("sam", "survey_admin"), ("ana", "analyst"), ("bob", "approver")):
        user = User(username=username, name=username.title(), roles=roles)
        user.set_password(PASSWORD)
        session.add(user)
    session.commit()


def _k01_csat(session, pm) -> tuple[int, dict]:
    run = run_score(session, pm, period="2026-Q1", ruleset="csat_plan", user="ana")
    session.commit()
    line = {line.kam_code: line for line in load_lines(session, run.id)}["K01"]
    (component,) = line.detail["components"]
    run_id = run.id
    session.rollback()  # SQLite: no transaction left open while the server writes
    return run_id, component


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_flags_shown_excluded_and_said_on_the_statement(chromium, session, flagged,
                                                        database_url, tmp_path, device):
    _users(session)
    app = real_app(database_url, tmp_path / "instance")
    pm = build_from_config(app.config)
    version = lifecycle.import_ruleset(session, pm, CSAT_PLAN, "csat_plan.yaml", user="ana")
    lifecycle.approve_version(session, version.name, version.version, user="bob")
    lifecycle.publish_version(session, version.name, version.version, user="ana")
    session.commit()
    _, before = _k01_csat(session, pm)
    assert before["inputs"]["responses"] == 7

    with werkzeug_server(app) as base:
        context = chromium.new_context(**device)
        page = context.new_page()
        errors = console_errors(page)
        sign_in(page, base, "sam", PASSWORD, "/campaigns/manage/CS-Q/quality")
        whole = page.get_by_role("row", name="The whole campaign")
        expect(whole).to_contain_text("4")  # speeders: 2 about A001, 2 about A002
        expect(page.get_by_role("row", name="St. Mary <Hospital> A001")).to_be_visible()
        expect(page.get_by_text("1 subject with fewer than 3 responses is not listed")
               ).to_be_visible()
        check(page, errors)

        for flag, shown in (("speeder", "2 responses flagged speeder"),
                            ("straight_liner", "1 response flagged straight-liner")):
            page.get_by_label("Flag", exact=True).select_option(flag)
            page.get_by_label("Responses about", exact=True).select_option("A001")
            page.get_by_label("Reason (kept in the audit log)").fill(
                "Not credible: answered in seconds or one column everywhere")
            page.get_by_role("button", name="Exclude from scoring").click()
            expect(page.get_by_text(f"Excluded from scoring: {shown}.")).to_be_visible()
            check(page, errors)
        expect(page.get_by_role("row", name="St. Mary <Hospital> A001")).to_contain_text(
            "(2 excluded)")
        context.close()

        run_id, after = _k01_csat(session, pm)
        assert after["inputs"]["responses"] == 4 and after["value"] != before["value"]

        context = chromium.new_context(**device)
        page = context.new_page()
        errors = console_errors(page)
        sign_in(page, base, "ana", PASSWORD, f"/scoring/runs/{run_id}/statements/K01")
        expect(page.get_by_text("excluded 3 responses (2 speeders, 1 straight-liner)",
                                exact=False)).to_be_visible()
        check(page, errors)
        context.close()
