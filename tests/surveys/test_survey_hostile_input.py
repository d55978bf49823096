"""Hostile input to the surveys answers a clear 4xx and writes nothing: NUL characters in
free text, definitions with YAML aliases (billion laughs) or nested 100,000 deep, and a
double click on "next" (two saves of the same page at once). Names that read as spreadsheet
formulas are quoted in the results CSV, negative numbers are not."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import textwrap
import threading
import urllib.parse

import pytest
from live_server import real_app, werkzeug_server
from results_org import close as close_campaign
from results_org import invitations_of, open_new_campaign, respond, seed_results_org
from sqlalchemy import delete, func, select, update
from survey_org import CUSTOMER_PAGES, live_campaign, token_for
from test_survey_concurrency import Browser

from kamscore.auth.tokens import issue_token
from kamscore.content.yaml_source import ALIASES_REFUSED, SourceError
from kamscore.db.session import get_db
from kamscore.engine.loader import check_ruleset
from kamscore.models import (
    Account,
    Campaign,
    Invitation,
    SurveyAnswer,
    SurveyDraft,
    SurveyKind,
    SurveyVersion,
    User,
)
from kamscore.surveys import answering
from kamscore.surveys.answering import Action
from kamscore.surveys.catalog import definition_of
from kamscore.surveys.definition import parse_definition

pytestmark = pytest.mark.timeout(120)

#: A billion laughs: 9 values, then 11 levels of six aliases each (3 billion values).
BOMB = "\n".join(
    ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
       for i in range(1, 12)]) + "\n"

#: A small valid definition whose scale labels are written once and reused by an alias, as
#: the shipped 360° survey did before aliases were refused.
WITH_ALIASES = textwrap.dedent("""\
    key: aliased
    kind: customer
    title: {en: Aliased, zh-Hant: 別名}
    sections:
      - id: first
        title: {en: First, zh-Hant: 第一頁}
        questions:
          - id: a
            type: rating
            scale: 1-5
            text: {en: A, zh-Hant: 甲}
            anchors: &labels
              1: {en: Low, zh-Hant: 低}
              5: {en: High, zh-Hant: 高}
          - id: b
            type: rating
            scale: 1-5
            text: {en: B, zh-Hant: 乙}
            anchors: *labels
    """)


@pytest.fixture
def campaign(session, org):
    return live_campaign(session)


@pytest.fixture
def token(session, campaign):
    return token_for(session, campaign, email="ann@stmary.example")


@pytest.fixture
def stored(session):
    """What answering may have written: drafts and their answers, stored answers."""

    def snapshot() -> tuple:
        drafts = tuple(session.execute(select(SurveyDraft.invitation_id, SurveyDraft.page,
                                              SurveyDraft.answers)))
        answers = session.scalar(select(func.count()).select_from(SurveyAnswer))
        session.rollback()  # SQLite: hold no write lock while the app serves requests
        return drafts, answers

    return snapshot


def follow(client, token: str) -> str:
    response = client.get(f"/s/{token}")
    assert response.status_code == 302
    return response.headers["Location"]


def post_page(client, url: str, values: dict, action: str = "next"):
    section = re.search(r'name="section" value="([a-z_]+)"', client.get(url).text).group(1)
    return client.post(url, data={"section": section, "action": action, **values})


# -- NUL characters -----------------------------------------------------------------------------


def test_nul_in_a_free_text_answer_is_refused_next_to_the_field(client, token, stored):
    url = follow(client, token)
    for values in CUSTOMER_PAGES[:-1]:
        assert post_page(client, url, values).status_code == 302
    before = stored()
    response = post_page(client, url, {"improve": "Faster\x00answers", "comments": ""},
                         action="submit")
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="improve-error">.*?</p>', response.text, re.S)
    assert error and ("Your answer contains a NUL character (\\x00), which cannot be saved."
                      in error.group(0))
    assert stored() == before
    # in the respondent's language
    client.get(f"{url}?lang=zh-Hant")
    response = post_page(client, url, {"improve": "\x00", "comments": ""}, action="submit")
    assert response.status_code == 422 and "您的回答包含無法儲存的 NUL 字元" in response.text
    assert stored() == before


def test_nul_in_a_survey_url_is_400(client, token):
    url = follow(client, token)
    assert client.get(f"{url}?lang=en%00").status_code == 400
    assert client.get("/s/abc%00def").status_code == 400


def test_nul_in_a_campaign_name_is_400_naming_the_field(client, session, org):
    user = User(username="sam", name="Sam", roles="survey_admin")
    user.set_password("x" * 12)
    session.add(user)
    session.flush()
    headers = {"Authorization": f"Bearer {issue_token(session, 'sam', 'tests')[1]}"}
    session.commit()
    opens = dt.datetime.now(dt.UTC)
    response = client.post("/api/v1/campaigns/", headers=headers, json={
        "code": "NUL", "survey": "customer_satisfaction", "period": "2026-Q1",
        "opens_at": opens.isoformat(), "closes_at": (opens + dt.timedelta(days=9)).isoformat(),
        "name": "Spring\x00survey"})
    assert response.status_code == 400
    assert response.json["errors"] == {"name": ["Must not contain NUL characters (\\x00)."]}
    assert session.scalar(select(func.count()).select_from(Campaign)) == 0


@pytest.mark.parametrize(("option", "value"), [("--reminder-every", str(10**12)),
                                               ("--reminder-every", "366"),
                                               ("--max-reminders", str(2**40))])
def test_reminder_numbers_beyond_reason_are_refused_naming_the_option(runner, session, org,
                                                                      option, value):
    result = runner.invoke(args=["campaign", "create", "REM", "--survey",
                                 "customer_satisfaction", "--period", "2026-Q1",
                                 "--opens", "2026-04-01T00:00", "--closes", "2026-04-30T00:00",
                                 option, value])
    assert result.exit_code == 1
    assert option in result.output
    assert session.scalar(select(func.count()).select_from(Campaign)) == 0


# -- definitions: aliases and nesting -----------------------------------------------------------


def test_a_billion_laughs_definition_is_refused_like_a_ruleset(runner, tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB, encoding="utf-8")
    result = runner.invoke(args=["survey", "check", str(path)])
    assert result.exit_code == 1
    message = ALIASES_REFUSED.format(kind="survey definitions")
    assert f"{path}:1: (document): {message}" in result.output
    # the same check, message and line as for a ruleset
    ruleset = check_ruleset(BOMB, "r.yaml", {})
    assert [(p.line, p.message) for p in ruleset] == [
        (1, ALIASES_REFUSED.format(kind="rulesets"))]


def test_a_campaign_on_a_definition_with_aliases_is_refused_and_nothing_stored(
        app, client, session, org, tmp_path):
    folder = tmp_path / "surveys"
    folder.mkdir()
    (folder / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    (folder / "aliased.yaml").write_text(WITH_ALIASES, encoding="utf-8")
    app.config["SURVEYS_DIR"] = str(folder)
    user = User(username="sam", name="Sam", roles="survey_admin")
    user.set_password("x" * 12)
    session.add(user)
    session.flush()
    headers = {"Authorization": f"Bearer {issue_token(session, 'sam', 'tests')[1]}"}
    session.commit()
    opens = dt.datetime.now(dt.UTC)
    for survey, line in (("bomb", 1), ("aliased", 12)):
        response = client.post("/api/v1/campaigns/", headers=headers, json={
            "code": survey.upper(), "survey": survey, "period": "2026-Q1",
            "opens_at": opens.isoformat(),
            "closes_at": (opens + dt.timedelta(days=9)).isoformat()})
        assert 400 <= response.status_code < 500, response.json
        assert f":{line}: (document): YAML anchors and aliases" in str(response.json), survey
    assert session.scalar(select(func.count()).select_from(Campaign)) == 0
    assert session.scalar(select(func.count()).select_from(SurveyVersion)) == 0


def test_a_stored_version_with_aliases_is_still_read_and_its_expansion_bounded(session):
    with pytest.raises(SourceError, match="anchors and aliases"):
        parse_definition(WITH_ALIASES, "aliased.yaml")
    old = SurveyVersion(survey_key="aliased", checksum="1" * 64, kind=SurveyKind.CUSTOMER,
                        title="Aliased", anonymous=True, filename="aliased.yaml",
                        source=WITH_ALIASES)
    definition = definition_of(old)
    labels = [q.anchors[5].get("en") for q in definition.questions()]
    assert labels == ["High", "High"]
    bomb = SurveyVersion(survey_key="bomb", checksum="2" * 64, kind=SurveyKind.CUSTOMER,
                         title="Bomb", anonymous=True, filename="bomb.yaml", source=BOMB)
    with pytest.raises(SourceError, match="too many values once its aliases are expanded"):
        definition_of(bomb)
    looped = SurveyVersion(survey_key="loop", checksum="3" * 64, kind=SurveyKind.CUSTOMER,
                           title="Loop", anonymous=True, filename="loop.yaml",
                           source="key: loop\nsections: &s [*s]\n")
    with pytest.raises(SourceError, match="nested more than 30 levels deep once its aliases"):
        definition_of(looped)


def test_a_definition_nested_100000_deep_is_a_problem_with_its_line(runner, tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("key: deep\nkind: customer\nsections: " + "[" * 100_000 + "]" * 100_000
                    + "\n", encoding="utf-8")
    result = runner.invoke(args=["survey", "check", str(path)])
    assert result.exit_code == 1
    assert (f"{path}:3: (document): mappings and lists are nested more than 30 levels deep "
            "here; at most that many are allowed") in result.output


# -- a double click on "next" -------------------------------------------------------------------


def test_two_saves_of_the_same_page_at_once_save_it_once(app, session, campaign, token):
    """Request B saves page 1 while request A's save of it is not committed yet: B waits
    for A, then finds the page saved and points at the current page (no second draft)."""
    invitation_id = session.scalar(select(Invitation.id).where(
        Invitation.email == "ann@stmary.example"))
    session.rollback()
    now = dt.datetime.now(dt.UTC)
    database = get_db(app)
    values = {"overall_satisfaction": 4, "nps": 5}
    outcomes: list = []
    with database.sessionmaker() as first:
        section = answering.questionnaire(first, invitation_id, now).section.id
        done = answering.answer_page(first, invitation_id, section, values, Action.NEXT, now)

        def second_click() -> None:
            with database.sessionmaker() as second:
                try:
                    outcomes.append(answering.answer_page(second, invitation_id, section,
                                                          values, Action.NEXT, now))
                    second.commit()
                except Exception as exc:  # reported by the assertion below
                    outcomes.append(exc)

        thread = threading.Thread(target=second_click)
        thread.start()
        thread.join(timeout=0.5)  # the second request waits for the first
        first.commit()
    thread.join(timeout=60)
    assert outcomes == [done], outcomes
    draft = session.scalars(select(SurveyDraft)).one()
    assert (draft.page, draft.answers) == (done.section_index, values)


def test_double_clicks_on_next_never_fail(session, org, database_url, tmp_path):
    """Browsers posting the first page several times at once (real server, real threads):
    every request ends on the second page, one draft holds the answers."""
    campaign = live_campaign(session, code="DBL")
    token = token_for(session, campaign, email="ann@stmary.example")
    app = real_app(database_url, tmp_path / "instance")
    with werkzeug_server(app) as base:
        for _round in range(8):
            browser = Browser(base)
            status, url, html = browser.get(f"/s/{token}")
            assert status == 200 and "Page 1 of 4" in html
            path = urllib.parse.urlparse(url).path
            fields = {**Browser.form_fields(html), **CUSTOMER_PAGES[0], "action": "next"}
            barrier = threading.Barrier(4)
            results: list = []

            def click(browser=browser, path=path, fields=fields, barrier=barrier,
                      results=results) -> None:
                barrier.wait(timeout=30)
                results.append(browser.post(path, fields))

            threads = [threading.Thread(target=click) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert [status for status, _, _ in results] == [200] * 4, [r[:2] for r in results]
            assert all("Page 2 of 4" in html for _, _, html in results)
            draft = session.scalars(select(SurveyDraft)).one()
            assert draft.answers == {"overall_satisfaction": 4, "nps": 5}
            session.execute(delete(SurveyDraft))  # the next round starts on page 1 again
            session.commit()


# -- the results CSV ---------------------------------------------------------------------------


def test_results_csv_quotes_formulas_and_keeps_negative_numbers(client, session):
    seed_results_org(session)
    session.execute(update(Account).where(Account.code == "A001").values(
        name="@SUM(1+1)*cmd|' /C calc'!A0"))
    campaign = open_new_campaign(session, "CS-EVIL", "customer_satisfaction",
                                 name='=HYPERLINK("http://evil.example","Results")')
    for invitation in invitations_of(session, campaign):
        respond(session, invitation, 1)  # every NPS a detractor: NPS -100
    close_campaign(session, campaign)
    admin = User(username="sam", name="Sam", roles="survey_admin")
    admin.set_password("not used")
    session.add(admin)
    session.commit()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = admin.get_id()  # "id:session token"
        flask_session["_fresh"] = True
    response = client.get("/campaigns/CS-EVIL/results.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    names = {r["subject"]: r["subject_name"] for r in rows}
    assert names == {"CS-EVIL": '\'=HYPERLINK("http://evil.example","Results")',
                     "A001": "'@SUM(1+1)*cmd|' /C calc'!A0"}
    nps = [r for r in rows if r["measure"] == "nps" and r["rater_group"] == "all"]
    assert nps and all(r["nps"] == "-100" for r in nps)
    assert all(float(r["nps_ci_low"]) < 0 for r in nps)
