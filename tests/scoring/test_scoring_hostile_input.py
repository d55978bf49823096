"""Hostile input to the pay API and pages answers a clear 4xx and writes nothing: ids beyond
what a column holds, NUL characters, JSON nested 100,000 deep, numbers of 5,000 digits. And
names that read as spreadsheet formulas are quoted in the statements CSV, numbers are not."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from sqlalchemy import func, select, update
from tiny_population import EXPECTED, TINY_PLAN

from kamscore.auth.tokens import issue_token
from kamscore.db.session import get_db
from kamscore.exports.csv_cells import CsvWriter
from kamscore.models import Person, RulesetComment, RulesetVersion, ScoreRun
from kamscore.scoring import lifecycle
from kamscore.scoring.run_store import load_lines
from kamscore.scoring.runs import run_score
from kamscore.scoring.statements import csv_header, csv_row

HUGE = "99999999999999999999999"  # beyond 64 bits
LONG = "1" * 5000  # beyond Python's 4,300 digits of int("...")
SHAPE = {"code", "status", "message", "errors"}


@pytest.fixture
def tokens(app, tiny):
    with get_db(app).session() as session:
        return {name: {"Authorization": f"Bearer {issue_token(session, name, 'tests')[1]}"}
                for name in ("ana", "bob")}


@pytest.fixture
def scored(session, pm, published):
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.commit()
    return run.id


@pytest.fixture
def draft(session, pm, published):
    """Version 2 of tiny, a draft open for comments."""
    changed = TINY_PLAN.replace("weight: 70", "weight: 50").replace("weight: 30", "weight: 50")
    version = lifecycle.import_ruleset(session, pm, changed, "tiny.yaml", user="ana")
    session.commit()
    return version.version


@pytest.fixture
def stored(session):
    """What the database holds of pay: counts, and each version's status."""

    def snapshot() -> tuple:
        counts = tuple(session.scalar(select(func.count()).select_from(model))
                       for model in (RulesetVersion, RulesetComment, ScoreRun))
        statuses = tuple(session.execute(select(RulesetVersion.version, RulesetVersion.status)
                                         .order_by(RulesetVersion.version)))
        session.rollback()  # SQLite: hold no write lock while the app serves requests
        return counts, statuses

    return snapshot


def api_error(response, code: int) -> dict:
    assert response.status_code == code, response.data
    assert set(response.json) == SHAPE and response.json["code"] == code
    return response.json


def sign_in(client, username: str) -> None:
    response = client.post("/sign-in", data={"username": username,
                                             "password": f"secret-{username}"})
    assert response.status_code == 302


# -- ids beyond what a column holds -------------------------------------------------------------


def test_huge_ids_in_api_urls_are_404_and_change_nothing(client, tokens, scored, draft, stored):
    before = stored()
    for url in (f"/api/v1/runs/{HUGE}", f"/api/v1/runs/{HUGE}/statements/K1",
                f"/api/v1/runs/{HUGE}/statements.csv", "/api/v1/runs/2147483648",
                f"/api/v1/rulesets/tiny/versions/{HUGE}"):
        api_error(client.get(url, headers=tokens["ana"]), 404)
    for action, user in (("approve", "bob"), ("publish", "ana")):
        api_error(client.post(f"/api/v1/rulesets/tiny/versions/{HUGE}/{action}",
                              headers=tokens[user]), 404)
    api_error(client.post(f"/api/v1/rulesets/tiny/versions/{HUGE}/comments",
                          json={"body": "hello"}, headers=tokens["ana"]), 404)
    assert stored() == before


def test_huge_ids_in_pages_are_404_and_change_nothing(client, scored, draft, stored):
    before = stored()
    sign_in(client, "ana")
    for url in (f"/scoring/runs/{HUGE}", f"/scoring/runs/{HUGE}/statements.csv",
                f"/scoring/runs/{HUGE}/statements/K1", f"/scoring/rulesets/tiny/{HUGE}",
                "/scoring/rulesets/tiny/2147483648"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/scoring/rulesets/tiny/{HUGE}", data={"body": "x"}).status_code == 404
    assert stored() == before


def test_numbers_in_run_requests_must_fit_a_column(client, tokens, published, stored):
    before = stored()
    for field, value in (("version", 2**31), ("correction_of", 10**20),
                         ("correction_of", -(10**20))):
        body = api_error(client.post("/api/v1/runs", headers=tokens["ana"], json={
            "period": "2026-Q1", "ruleset": "tiny", field: value, "reason": "x"}), 422)
        assert field in body["errors"]["json"]
    assert stored() == before


# -- NUL characters ----------------------------------------------------------------------------


def test_nul_in_api_bodies_is_400_naming_the_field(client, tokens, draft, stored):
    before = stored()
    body = api_error(client.post(f"/api/v1/rulesets/tiny/versions/{draft}/comments",
                                 json={"body": "too\x00much"}, headers=tokens["ana"]), 400)
    assert body["errors"] == {"body": ["Must not contain NUL characters (\\x00)."]}
    assert "body" in body["message"]
    body = api_error(client.post("/api/v1/runs", json={"period": "2026\x00Q1",
                                                       "ruleset": "tiny"},
                                 headers=tokens["ana"]), 400)
    assert "period" in body["errors"] and "period" in body["message"]
    body = api_error(client.post("/api/v1/rulesets", json={
        "source": TINY_PLAN.replace("Tiny plan", "Tiny\x00plan"), "note": "n\x00"},
        headers=tokens["ana"]), 400)
    assert set(body["errors"]) == {"source", "note"}
    body = api_error(client.post("/api/v1/whatif", json={
        "period": "2026-Q1", "baseline": "tiny", "weights": {"sa\x00les": 60}},
        headers=tokens["ana"]), 400)
    assert list(body["errors"]["weights"]) == ["sa\x00les"]
    assert stored() == before


def test_nul_in_a_comment_form_is_refused_naming_the_field(client, draft, stored):
    before = stored()
    sign_in(client, "kim")
    response = client.post(f"/scoring/rulesets/tiny/{draft}",
                           data={"body": "Fine\x00", "key_path": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400  # the page again, the error next to the field
    assert "Your comment must not contain NUL characters (\\x00)." in page
    response = client.post(f"/scoring/rulesets/tiny/{draft}",
                           data={"body": "Fine", "key_path": "components\x00"})
    assert response.status_code == 400
    assert "About which part (optional) must not contain NUL" in response.get_data(as_text=True)
    assert stored() == before


def test_nul_in_page_urls_is_400(client, scored):
    sign_in(client, "ana")
    for url in (f"/scoring/runs/{scored}?q=K%00", f"/scoring/runs/{scored}/statements/K%001",
                "/scoring/rulesets/ti%00ny/1"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "NUL" in response.get_data(as_text=True)


# -- deep JSON, long numbers -------------------------------------------------------------------


def test_json_nested_100000_deep_is_400(client, tokens, published, stored):
    before = stored()
    deep = "[" * 100_000 + "]" * 100_000
    for url in ("/api/v1/runs", "/api/v1/rulesets", "/api/v1/whatif"):
        body = api_error(client.post(url, data=deep, content_type="application/json",
                                     headers=tokens["ana"]), 400)
        assert body["message"] == ("Invalid JSON body: Arrays and objects are nested deeper "
                                   "than 32 levels.")
    body = api_error(client.post("/api/v1/runs", headers=tokens["ana"],
                                 content_type="application/json",
                                 data='{"period": "2026-Q1", "ruleset": "tiny", "x": '
                                      + '{"a": ' * 40 + "1" + "}" * 40 + "}"), 400)
    assert "nested deeper than 32" in body["message"]
    assert stored() == before


@pytest.mark.parametrize("number", [LONG, "-" + LONG, "1." + LONG, "1e999", "NaN",
                                    "-Infinity"])
def test_json_numbers_too_long_or_out_of_range_are_400_naming_the_field(
        client, tokens, published, stored, number):
    before = stored()
    body = api_error(client.post("/api/v1/runs", headers=tokens["ana"],
                                 content_type="application/json",
                                 data='{"period": "2026-Q1", "ruleset": "tiny", "version": '
                                      + number + "}"), 400)
    assert list(body["errors"]) == ["version"] and body["message"].startswith(
        "Invalid JSON body: version: ")
    body = api_error(client.post("/api/v1/whatif", headers=tokens["ana"],
                                 content_type="application/json",
                                 data='{"period": "2026-Q1", "baseline": "tiny", "weights": '
                                      '{"sales": ' + number + "}}"), 400)
    assert body["errors"] == {"weights": {"sales": [body["message"].split(": ", 2)[2]]}}
    assert stored() == before


def test_a_weight_of_5000_digits_as_text_is_a_problem_of_the_ruleset(client, tokens,
                                                                     published):
    body = api_error(client.post("/api/v1/whatif", headers=tokens["ana"], json={
        "period": "2026-Q1", "baseline": "tiny", "weights": {"sales": LONG,
                                                             "formulary": "30"}}), 422)
    assert any("weight of sales: a number written with 5000 characters" in problem
               for problem in body["errors"]["weights"]), body


def test_page_numbers_beyond_a_column_or_too_long_are_400(client, scored):
    sign_in(client, "ana")
    for page in (LONG, "99999999999999999999", "2147483648", "²", "0", "-1"):
        response = client.get(f"/scoring/runs/{scored}?page={page}")
        assert response.status_code == 400, page
        assert "page must be a whole number from 1 to 2147483647" in \
            response.get_data(as_text=True)


def test_the_api_page_number_must_fit_a_column(client, tokens, scored):
    for page in ("99999999999999999999", "2147483648"):
        body = api_error(client.get(f"/api/v1/rulesets?page={page}", headers=tokens["ana"]),
                         422)
        assert body["errors"] == {"query": {"page": ["Must be between 1 and 2147483647."]}}
    body = api_error(client.get(f"/api/v1/rulesets?page={LONG}", headers=tokens["ana"]), 422)
    assert "page" in body["errors"]["query"]



# -- CSV exports --------------------------------------------------------------------------------

FORMULAS = {"K1": '=HYPERLINK("http://evil.example","Kam")', "K2": "-2+3+cmd|' /C calc'!A0",
            "K3": "@SUM(1+1)*cmd|' /C calc'!A0", "K4": "+1+1"}


def test_statement_csv_quotes_formulas_and_keeps_numbers(client, session, pm, tokens,
                                                        published):
    for code, name in FORMULAS.items():
        session.execute(update(Person).where(Person.code == code).values(name=name))
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.commit()
    exported = client.get(f"/api/v1/runs/{run.id}/statements.csv", headers=tokens["ana"])
    sign_in(client, "ana")
    page = client.get(f"/scoring/runs/{run.id}/statements.csv")
    assert exported.get_data() == page.get_data()
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert {r["kam_code"]: r["kam_name"] for r in rows} == {
        code: "'" + name for code, name in FORMULAS.items()}
    assert {r["kam_code"]: r["payout"] for r in rows} == EXPECTED
    assert all(float(r["sales.factor"]) >= 0 and r["currency"] == "EUR" for r in rows)


def test_negative_numbers_stay_numbers_in_the_statement_csv(session, scored):
    line = load_lines(session, scored)[0]
    detail = {**line.detail, "amount": -1175.5, "payout": "-1175.50", "target": -1.0,
              "parts": {p: "-12.25" for p in line.detail["parts"]},
              "components": [{**c, "value": -0.25, "contribution": -0.5}
                             for c in line.detail["components"]]}
    negative = replace(line, detail=detail, kam_name="-Kam")
    components = [c["id"] for c in line.detail["components"]]
    buffer = io.StringIO()
    writer = CsvWriter(buffer)  # as write_csv writes them
    writer.writerow(csv_header(components, sorted(detail["parts"]), []))
    writer.writerow(csv_row(negative, components, sorted(detail["parts"]), []))
    [row] = csv.DictReader(io.StringIO(buffer.getvalue()))
    assert (row["kam_name"], row["amount_before_rounding"], row["payout"], row["target"]) == (
        "'-Kam", "-1175.5", "-1175.50", "-1.0")
    assert row["sales.value"] == "-0.25" and row["sales.contribution"] == "-0.5"
    assert all(row[f"part.{p}"] == "-12.25" for p in detail["parts"])


def test_a_weight_of_5000_digits_on_the_whatif_page_is_a_problem_shown(client, scored):
    sign_in(client, "ana")
    response = client.post("/scoring/whatif", data={
        "period": "2026-Q1", "plan": "tiny", "mode": "form", "w:default:sales": LONG,
        "w:default:formulary": "30", "source": ""})
    assert response.status_code == 200  # the page again, with the problem (nothing stored)
    assert ("weight of sales: a number written with 5000 characters; at most 40 are "
            "allowed") in response.get_data(as_text=True)
