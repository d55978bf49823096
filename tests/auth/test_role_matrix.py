"""Role x route: each role signed in (API token, and the web pages) gets the status its
grants give, and no row outside its scope — facts, accounts, assignments, stakeholders,
plans, runs, statements, the statements CSV, campaign results, what-if, the audit log.
Every route of the people pages and the comp team's console (``MATRIX_BLUEPRINTS``) is in
``_page_matrix`` with the roles it lets in: each role opens every page and gets its status
(a route missing from the matrix fails the test), sends the writes it may not, and no page
shows a KAM outside its scope.

The world (``world.py``): T1 = K1 (A1), K2 (A2); T2 = K3 (A3), K4 (A4); the manager ``mia``
manages T1; the KAM ``kim`` is K1. A2's imported survey group has 2 respondents: its figures
reach nobody, however the request is phrased.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from world import EXPECTED_ACCOUNTS, KAM_OF, ROLE_USERS, TEAM_OF

ROLES = list(ROLE_USERS)


def _all_pages(client, url: str, headers: dict, **query: str) -> tuple[int, list[dict]]:
    """Every item of a paginated list (status of the first page, items)."""
    items: list[dict] = []
    page = 1
    while True:
        response = client.get(url, query_string={**query, "page": page, "page_size": 500},
                              headers=headers)
        if response.status_code != 200:
            return response.status_code, []
        items += response.json
        if len(response.json) < 500:
            return 200, items
        page += 1


def _kams(accounts: set[str]) -> set[str]:
    return {KAM_OF[a] for a in accounts}


@pytest.mark.parametrize("role", ROLES)
def test_accounts_and_what_hangs_on_them(client, world, role):
    headers = world.tokens[role]
    expected = EXPECTED_ACCOUNTS[role]
    for url, key in (("/api/v1/accounts", lambda r: r["code"]),
                     ("/api/v1/assignments", lambda r: r["account"]),
                     ("/api/v1/stakeholders", lambda r: r["account"]),
                     ("/api/v1/plans", lambda r: r["account"])):
        status, items = _all_pages(client, url, headers)
        if expected is None:
            assert status == 403, (role, url)
            continue
        assert status == 200, (role, url)
        assert {key(item) for item in items} == expected, (role, url)
    if expected is not None:
        outside = ALL - expected
        for account in sorted(outside):  # one by one: as if it did not exist
            assert client.get(f"/api/v1/accounts/{account}", headers=headers
                              ).status_code == 404, (role, account)
            assert client.get(f"/api/v1/plans/{account}/2026-Q1", headers=headers
                              ).status_code == 404, (role, account)


ALL = {"A1", "A2", "A3", "A4"}


@pytest.mark.parametrize("role", ROLES)
def test_facts_in_scope_and_never_a_small_survey_group(client, world, role):
    status, facts = _all_pages(client, "/api/v1/facts", world.tokens[role])
    expected = EXPECTED_ACCOUNTS[role] if role != "survey_admin" else None
    if expected is None:
        assert status == 403
        return
    assert status == 200
    accounts = {f["account"] for f in facts if f["account"]}
    people = {f["person"] for f in facts if f["person"]}
    teams = {f["team"] for f in facts if f["team"]}
    assert accounts == expected
    assert people == _kams(expected)
    assert teams == {TEAM_OF[k] for k in _kams(expected)} | (
        {"T1", "T2"} if expected == ALL else set())
    survey = {(f["account"], f["name"]) for f in facts if f["name"].startswith("survey.")}
    assert all(account != "A2" for account, _ in survey), "A2's group of 2 leaked"
    if "A1" in expected:
        assert {name for account, name in survey if account == "A1"} == {
            "survey.overall_satisfaction.all.n", "survey.overall_satisfaction.all.mean",
            "survey.overall_satisfaction.all.count.5"}
    # asked for directly, by name, by account, by id: still nothing of A2's group
    for query in ({"name": "survey.overall_satisfaction.all.mean"}, {"account": "A2"}):
        _, found = _all_pages(client, "/api/v1/facts", world.tokens[role], **query)
        assert not any(f["account"] == "A2" and f["name"].startswith("survey.")
                       for f in found)


def test_a_small_survey_group_is_not_found_by_id_either(client, world, session):
    from sqlalchemy import select

    from kamscore.models import Account, Fact

    ids = session.scalars(select(Fact.id).join(Account, Account.id == Fact.account_id)
                          .where(Account.code == "A2", Fact.name.startswith("survey."))).all()
    assert len(ids) == 3
    session.rollback()  # end the read (SQLite: every transaction holds the write lock)
    for fact_id in ids:
        assert client.get(f"/api/v1/facts/{fact_id}", headers=world.tokens["admin"]
                          ).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_runs_statements_and_the_csv(client, world, role):
    headers = world.tokens[role]
    run = world.run_id
    expected = EXPECTED_ACCOUNTS[role]
    kams = _kams(expected) if expected is not None and role != "survey_admin" else set()
    listing = client.get("/api/v1/runs", headers=headers)
    csv_response = client.get(f"/api/v1/runs/{run}/statements.csv", headers=headers)
    if role in ("kam", "viewer", "survey_admin"):
        assert listing.status_code == 403
        assert csv_response.status_code == 403
    else:
        assert listing.status_code == 200 and [r["id"] for r in listing.json] == [run]
        rows = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True))))
        assert {row["KAM code"] for row in rows} == kams
        summary = client.get(f"/api/v1/runs/{run}", headers=headers).json
        paid = {"K1": 1175.0, "K2": 675.0, "K3": 0.0, "K4": 675.0}
        assert summary["total_payout"] == pytest.approx(sum(paid[k] for k in kams))
        assert summary["kam_count"] == len(kams)
    for kam in ("K1", "K2", "K3", "K4"):
        response = client.get(f"/api/v1/runs/{run}/statements/{kam}", headers=headers)
        if role in ("viewer", "survey_admin"):
            assert response.status_code == 403
        elif kam in kams:
            assert response.status_code == 200 and response.json["kam"]["code"] == kam
            assert response.json["run"]["kam_count"] == len(kams)
        else:
            assert response.status_code in (403, 404), (role, kam)


@pytest.mark.parametrize("role", ROLES)
def test_writes_and_what_if_need_their_roles(client, world, role):
    headers = world.tokens[role]
    whatif = client.post("/api/v1/whatif", json={"period": "2026-Q1", "baseline": "tiny",
                                                 "weights": {"sales": 60, "formulary": 40}},
                         headers=headers)
    assert (whatif.status_code == 200) == (role in ("admin", "analyst", "approver", "auditor")), \
        (role, whatif.status_code, whatif.data)
    if whatif.status_code != 200:
        assert whatif.status_code == 403
    run = client.post("/api/v1/runs", json={"period": "2026-Q1", "ruleset": "tiny"},
                      headers=headers)
    assert (run.status_code == 201) == (role in ("admin", "analyst")), (role, run.data)
    audit = client.get("/api/v1/audit-events", headers=headers)
    assert (audit.status_code == 200) == (role in ("admin", "auditor"))
    imported = client.post("/api/v1/imports/people", data={}, headers=headers)
    assert (imported.status_code == 403) == (role not in ("admin", "analyst"))


@pytest.mark.parametrize("role", ROLES)
def test_campaign_results_only_for_survey_readers(client, world, role):
    listing = client.get("/api/v1/campaigns/", headers=world.tokens[role])
    assert (listing.status_code == 200) == (role in ("admin", "survey_admin", "auditor"))


# -- the same through the web pages ---------------------------------------------------------


def _sign_in(client, session, role: str) -> None:
    from sqlalchemy import select

    from kamscore.models import User

    user = session.scalar(select(User).where(User.username == ROLE_USERS[role]))
    session_id = user.get_id()
    session.rollback()  # end the read (SQLite: every transaction holds the write lock)
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = session_id
        flask_session["_fresh"] = True


@pytest.mark.parametrize("role", ROLES)
def test_pages_show_only_the_rows_in_scope(client, session, world, role):
    _sign_in(client, session, role)
    expected = EXPECTED_ACCOUNTS[role]
    accounts = client.get("/accounts?page=1")
    if expected is None:
        assert accounts.status_code == 403
    else:
        page = accounts.get_data(as_text=True)
        assert {a for a in ALL if f">{a}<" in page} == expected, role
    run = client.get(f"/scoring/runs/{world.run_id}")
    statements_csv = client.get(f"/scoring/runs/{world.run_id}/statements.csv")
    if role in ("kam", "viewer", "survey_admin"):
        assert run.status_code == 403 and statements_csv.status_code == 403
    else:
        page = run.get_data(as_text=True)
        kams = _kams(expected)
        assert {k for k in ("K1", "K2", "K3", "K4") if f">{k}<" in page} == kams, role
        rows = list(csv.DictReader(io.StringIO(statements_csv.get_data(as_text=True))))
        assert {row["KAM code"] for row in rows} == kams
    mine = client.get(f"/scoring/runs/{world.run_id}/statements/K1")
    other = client.get(f"/scoring/runs/{world.run_id}/statements/K3")
    if role in ("viewer", "survey_admin"):
        assert mine.status_code == other.status_code == 403
    elif role in ("kam", "manager"):
        assert mine.status_code == 200 and other.status_code in (403, 404)
    else:
        assert mine.status_code == other.status_code == 200
    audit = client.get("/admin/audit")
    assert (audit.status_code == 200) == (role in ("admin", "auditor"))
    users = client.get("/admin/users")
    assert (users.status_code == 200) == (role == "admin")


# -- every page of the people pages and the console, role by role ---------------------------

#: the blueprints whose every route the matrix below must name (a new route fails the test
#: until it says who may open it)
MATRIX_BLUEPRINTS = ("campaign_admin_pages", "response_quality_pages", "nomination_pages",
                     "scorecard_pages", "team_pages", "query_pages", "run_pages", "whatif_pages",
                     "ruleset_pages", "target_pages", "plan_pages", "pay_pages",
                     "import_pages")
EVERYONE = frozenset(ROLES)
STAFF = frozenset({"admin", "analyst", "approver", "auditor"})
PAY = STAFF | {"manager", "kam"}  # pay.read (MANAGERS_SEE_PAY on)
RUNS = STAFF | {"manager"}
COMP = frozenset({"admin", "analyst"})
FOUR_EYES = frozenset({"admin", "approver"})
SURVEYS = frozenset({"admin", "survey_admin"})


def _page_matrix(run: int) -> dict[tuple[str, str], tuple[str, frozenset[str], int]]:
    """(rule, method) → (a URL of it, the roles let in, the status they get).

    Everyone else gets 403. GET pages are opened by every role; a write is sent only by the
    roles it refuses (what it does for the others is tested with the page)."""
    return {
        # a survey administrator's campaigns (360-NOM: a draft with nominated raters)
        ("/campaigns/manage/new", "GET"): ("/campaigns/manage/new", SURVEYS, 200),
        ("/campaigns/manage/new", "POST"): ("/campaigns/manage/new", SURVEYS, 0),
        ("/campaigns/manage/<code>", "GET"): ("/campaigns/manage/360-NOM", SURVEYS, 200),
        ("/campaigns/manage/<code>/preview/<int:page>", "GET"): (
            "/campaigns/manage/360-NOM/preview/1", SURVEYS, 200),
        ("/campaigns/manage/<code>/preview/<int:page>", "POST"): (
            "/campaigns/manage/360-NOM/preview/1", SURVEYS, 0),
        ("/campaigns/manage/<code>/launch", "POST"): (
            "/campaigns/manage/360-NOM/launch", SURVEYS, 0),
        ("/campaigns/manage/<code>/remind", "POST"): (
            "/campaigns/manage/360-NOM/remind", SURVEYS, 0),
        ("/campaigns/manage/<code>/extend", "POST"): (
            "/campaigns/manage/360-NOM/extend", SURVEYS, 0),
        ("/campaigns/manage/<code>/close", "POST"): (
            "/campaigns/manage/360-NOM/close", SURVEYS, 0),
        # response quality: flag counts, exclusions, the speeder setting
        ("/campaigns/manage/<code>/quality", "GET"): (
            "/campaigns/manage/360-NOM/quality", SURVEYS, 200),
        ("/campaigns/manage/<code>/quality/exclude", "POST"): (
            "/campaigns/manage/360-NOM/quality/exclude", SURVEYS, 0),
        ("/campaigns/manage/<code>/quality/setting", "POST"): (
            "/campaigns/manage/360-NOM/quality/setting", SURVEYS, 0),
        # 360° nominations: the KAM proposes, his manager decides
        ("/nominations/", "GET"): ("/nominations/", frozenset({"admin", "kam"}), 200),
        ("/nominations/<code>", "GET"): ("/nominations/360-NOM?kam=K1",
                                         frozenset({"admin", "kam"}), 200),
        ("/nominations/<code>/propose", "POST"): ("/nominations/360-NOM/propose",
                                                  frozenset({"admin", "kam"}), 0),
        ("/nominations/<code>/<int:nomination_id>/withdraw", "POST"): (
            "/nominations/360-NOM/1/withdraw", frozenset({"admin", "kam"}), 0),
        ("/nominations/team/", "GET"): ("/nominations/team/", frozenset({"admin", "manager"}),
                                        200),
        ("/nominations/team/<code>", "GET"): ("/nominations/team/360-NOM",
                                              frozenset({"admin", "manager"}), 200),
        ("/nominations/team/<code>/<int:nomination_id>", "POST"): (
            "/nominations/team/360-NOM/1", frozenset({"admin", "manager"}), 0),
        ("/nominations/team/<code>/kam/<kam_code>/approve-all", "POST"): (
            "/nominations/team/360-NOM/kam/K1/approve-all", frozenset({"admin", "manager"}), 0),
        ("/nominations/team/<code>/kam/<kam_code>/add", "POST"): (
            "/nominations/team/360-NOM/kam/K1/add", frozenset({"admin", "manager"}), 0),
        # target rounds: the comp team sets and opens, the KAM proposes, his manager
        # decides, an approver approves (TR1: open, K1 and K3 have proposed)
        ("/targets/rounds/", "GET"): ("/targets/rounds/", STAFF, 200),
        ("/scoring/whatif/targets/<code>", "GET"): ("/scoring/whatif/targets/TR1", STAFF, 200),
        ("/targets/rounds/", "POST"): ("/targets/rounds/", COMP, 0),
        ("/targets/rounds/<code>", "GET"): ("/targets/rounds/TR1", STAFF, 200),
        ("/targets/rounds/<code>/import", "POST"): ("/targets/rounds/TR1/import", COMP, 0),
        ("/targets/rounds/<code>/allocate", "POST"): ("/targets/rounds/TR1/allocate", COMP, 0),
        ("/targets/rounds/<code>/open", "POST"): ("/targets/rounds/TR1/open", COMP, 0),
        ("/targets/rounds/<code>/approve", "POST"): ("/targets/rounds/TR1/approve",
                                                     FOUR_EYES, 0),
        ("/targets/mine/", "GET"): ("/targets/mine/", frozenset({"admin", "kam"}), 200),
        ("/targets/mine/<code>", "GET"): ("/targets/mine/TR1?kam=K1",
                                          frozenset({"admin", "kam"}), 200),
        ("/targets/mine/<code>/<int:line_id>", "POST"): ("/targets/mine/TR1/1",
                                                         frozenset({"admin", "kam"}), 0),
        ("/targets/team/", "GET"): ("/targets/team/", frozenset({"admin", "manager"}), 200),
        ("/targets/team/<code>", "GET"): ("/targets/team/TR1", frozenset({"admin", "manager"}),
                                          200),
        ("/targets/team/<code>/<int:line_id>", "POST"): ("/targets/team/TR1/1",
                                                         frozenset({"admin", "manager"}), 0),
        # a KAM's scorecard, the manager's team view and his KAMs' scorecards
        ("/me/scorecard", "GET"): ("/me/scorecard", frozenset({"kam"}), 200),
        ("/team/", "GET"): ("/team/", frozenset({"manager"}), 200),
        ("/team/kam/<code>", "GET"): ("/team/kam/K1", frozenset({"manager"}), 200),
        # queries on statement lines
        ("/scoring/queries/", "GET"): ("/scoring/queries/", COMP, 200),
        ("/scoring/queries/raise/<int:run_id>/<kam>", "POST"): (
            f"/scoring/queries/raise/{run}/K1", frozenset({"kam"}), 0),
        ("/scoring/queries/<int:query_id>/answer", "POST"): (
            "/scoring/queries/1/answer", COMP, 0),
        ("/scoring/queries/<int:query_id>/resolve", "POST"): (
            "/scoring/queries/1/resolve", COMP | {"kam"}, 0),
        # runs, statements, the payroll file, four-eyes close
        ("/scoring/", "GET"): ("/scoring/", PAY, 200),
        ("/scoring/runs/new", "GET"): ("/scoring/runs/new", COMP, 200),
        ("/scoring/runs/new", "POST"): ("/scoring/runs/new", COMP, 0),
        # the import page (imports.write); a check or an import is seen by who started it
        ("/imports/", "GET"): ("/imports/", COMP, 200),
        ("/imports/", "POST"): ("/imports/", COMP, 0),
        ("/imports/jobs/<job_id>", "GET"): ("/imports/jobs/no-such-job", COMP, 404),
        ("/imports/jobs/<job_id>/apply", "POST"): ("/imports/jobs/no-such-job/apply", COMP, 0),
        ("/imports/jobs/<job_id>/errors.csv", "GET"): ("/imports/jobs/no-such-job/errors.csv",
                                                        COMP, 404),
        ("/imports/templates/<kind>.<file_format>", "GET"): ("/imports/templates/facts.csv",
                                                              COMP, 200),
        ("/scoring/run-jobs/<job_id>", "GET"): ("/scoring/run-jobs/no-such-job", COMP, 404),
        ("/scoring/run-jobs/<job_id>.json", "GET"): ("/scoring/run-jobs/no-such-job.json",
                                                     COMP, 404),
        ("/scoring/runs/<int:run_id>", "GET"): (f"/scoring/runs/{run}", RUNS, 200),
        ("/scoring/runs/<int:run_id>/statements.csv", "GET"): (
            f"/scoring/runs/{run}/statements.csv", RUNS, 200),
        ("/scoring/runs/<int:run_id>/statements/<kam>", "GET"): (
            f"/scoring/runs/{run}/statements/K1", PAY, 200),
        ("/scoring/runs/compare", "GET"): (f"/scoring/runs/compare?a={run}&b={run}", RUNS,
                                           200),
        ("/scoring/runs/<int:run_id>/correct", "GET"): (f"/scoring/runs/{run}/correct", COMP,
                                                        200),
        ("/scoring/runs/<int:run_id>/correct", "POST"): (f"/scoring/runs/{run}/correct",
                                                         COMP, 0),
        ("/scoring/runs/<int:run_id>/payroll.<any(csv, xlsx):file_format>", "GET"): (
            f"/scoring/runs/{run}/payroll.csv", FOUR_EYES | {"analyst"}, 303),  # not signed off
        ("/scoring/runs/<int:run_id>/sign-off", "POST"): (f"/scoring/runs/{run}/sign-off",
                                                          FOUR_EYES, 0),
        ("/scoring/periods/<code>/close", "POST"): ("/scoring/periods/2026-Q1/close",
                                                    FOUR_EYES, 0),
        # the pay ledger: adjustments and SPIFFs (four-eyes), draws and balances
        ("/pay/adjustments", "GET"): ("/pay/adjustments", STAFF, 200),
        ("/pay/adjustments", "POST"): ("/pay/adjustments", COMP, 0),
        ("/pay/adjustments/<int:entry_id>/approve", "POST"): (
            "/pay/adjustments/1/approve", FOUR_EYES, 0),
        ("/pay/draws", "GET"): ("/pay/draws", STAFF, 200),
        # what-if
        ("/scoring/whatif", "GET"): ("/scoring/whatif", STAFF, 200),
        ("/scoring/whatif", "POST"): ("/scoring/whatif", STAFF, 0),
        ("/scoring/whatif/save", "POST"): ("/scoring/whatif/save", COMP, 0),
        # the plans
        ("/scoring/rulesets", "GET"): ("/scoring/rulesets", EVERYONE, 200),
        ("/scoring/rulesets/<name>/<int:version>", "GET"): ("/scoring/rulesets/tiny/1",
                                                            EVERYONE, 200),
        ("/scoring/rulesets/<name>/<int:version>", "POST"): (
            "/scoring/rulesets/tiny/1", frozenset({"admin", "analyst", "approver", "manager",
                                                   "kam"}), 0),
        ("/scoring/rulesets/new", "GET"): ("/scoring/rulesets/new", COMP, 200),
        ("/scoring/rulesets/new", "POST"): ("/scoring/rulesets/new", COMP, 0),
        # the editor's check writes nothing; the what-if page uses it too (whatif.use)
        ("/scoring/rulesets/check", "POST"): ("/scoring/rulesets/check", STAFF, 0),
        ("/scoring/rulesets/work-in-progress/<int:wip_id>", "GET"): (
            "/scoring/rulesets/work-in-progress/999999", COMP, 404),
        ("/scoring/rulesets/work-in-progress/<int:wip_id>", "POST"): (
            "/scoring/rulesets/work-in-progress/999999", COMP, 0),
        ("/scoring/rulesets/<name>/<int:version>/approve", "GET"): (
            "/scoring/rulesets/tiny/1/approve", FOUR_EYES, 200),
        ("/scoring/rulesets/<name>/<int:version>/approve", "POST"): (
            "/scoring/rulesets/tiny/1/approve", FOUR_EYES, 0),
        ("/scoring/rulesets/<name>/<int:version>/publish", "GET"): (
            "/scoring/rulesets/tiny/1/publish", FOUR_EYES | {"analyst"}, 200),
        ("/scoring/rulesets/<name>/<int:version>/publish", "POST"): (
            "/scoring/rulesets/tiny/1/publish", FOUR_EYES | {"analyst"}, 0),
        # plan acknowledgment: the KAM's own plan; who has acknowledged; reminders
        ("/plans/mine", "GET"): ("/plans/mine", frozenset({"kam"}), 200),
        ("/plans/mine/<int:version_id>/<period>", "GET"): (
            "/plans/mine/1/2026-Q1", frozenset({"kam"}), 200),
        ("/plans/mine/<int:version_id>/<period>", "POST"): (
            "/plans/mine/1/2026-Q1", frozenset({"kam"}), 0),
        ("/plans/acknowledgments", "GET"): ("/plans/acknowledgments", RUNS | {"kam"}, 200),
        ("/plans/acknowledgments/<int:version_id>/<period>/remind", "POST"): (
            "/plans/acknowledgments/1/2026-Q1/remind", COMP | {"manager"}, 0),
        ("/plans/acknowledged/<int:ack_id>.txt", "GET"): (
            "/plans/acknowledged/999999.txt", RUNS | {"kam"}, 404),
        # payment holds
        ("/holds/", "GET"): ("/holds/", STAFF, 200),
        ("/holds/", "POST"): ("/holds/", FOUR_EYES | {"analyst"}, 0),
        ("/holds/<int:hold_id>/release", "POST"): ("/holds/1/release",
                                                   FOUR_EYES | {"analyst"}, 0),
    }


def test_the_page_matrix_names_every_route(app):
    found = {(rule.rule, method)
             for rule in app.url_map.iter_rules()
             if rule.endpoint.split(".")[0] in MATRIX_BLUEPRINTS
             and not rule.endpoint.endswith(".static")
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert found == set(_page_matrix(1)), (
        "routes missing from the page matrix (say who may open them): "
        f"{sorted(found - set(_page_matrix(1)))}; "
        f"gone: {sorted(set(_page_matrix(1)) - found)}")


#: people outside each limited role's scope, by the name the pages give them
OUTSIDE = {"manager": ("Kam K3", "Kam K4"), "kam": ("Kam K2", "Kam K3", "Kam K4")}
#: pages that list people as the directory does (every colleague may be nominated as a rater)
DIRECTORY_PAGES = {"/nominations/360-NOM?kam=K1", "/nominations/team/360-NOM"}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_its_grants_say(client, session, world, role):
    from people_surveys import add_nominations, add_target_round

    add_nominations(session)
    add_target_round(session)
    _sign_in(client, session, role)
    for (_rule, method), (url, allowed, status) in _page_matrix(world.run_id).items():
        if method == "GET":
            response = client.get(url)
            want = status if role in allowed else 403
            assert response.status_code == want, (role, url, response.status_code)
            page = response.get_data(as_text=True)
            if response.status_code == 200 and url not in DIRECTORY_PAGES:
                leaked = [name for name in OUTSIDE.get(role, ()) if name in page]
                assert leaked == [], (role, url, leaked)
        elif role not in allowed:
            response = client.post(url, data={})
            assert response.status_code == 403, (role, method, url, response.status_code)


def test_pages_about_one_kam_are_absent_outside_the_scope(client, session, world):
    from people_surveys import add_nominations

    add_nominations(session)
    _sign_in(client, session, "manager")
    for url in ("/team/kam/K3", "/team/kam/K4", f"/scoring/runs/{world.run_id}/statements/K3"):
        assert client.get(url).status_code in (403, 404), url
    assert client.get("/team/kam/K3").status_code == 404
    team = client.get("/nominations/team/360-NOM").get_data(as_text=True)
    sections = set(re.findall(r'<h2 id="kam-(\w+)"', team))
    assert sections == {"K1", "K2"}  # his KAMs' nominations; K3's and K4's are not his
    _sign_in(client, session, "kam")
    assert client.get("/nominations/360-NOM?kam=K2").status_code == 404
    assert client.get("/nominations/360-NOM?kam=K3").status_code == 404
