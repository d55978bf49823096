"""The survey administrators' campaign pages (create, preview, launch, remind, extend, close)
and the 360° nomination pages (a KAM proposes, his manager approves)."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from results_org import seed_results_org
from signed_in import sign_in_new_user
from sqlalchemy import select, update

from kamscore.models import (
    AuditEvent,
    Campaign,
    CampaignStatus,
    Invitation,
    NominationStatus,
    Person,
    RaterNomination,
    Role,
    SurveyDraft,
    SurveyMessage,
    Team,
    TeamMember,
    User,
)

SOON = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
LATER = SOON + dt.timedelta(days=20)


def _local(instant: dt.datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M")


def sign_in(client, session, username: str, roles: str, person: str | None = None,
            teams: tuple[str, ...] = ()) -> None:
    sign_in_new_user(client, session, username, roles, name=username.title(), person=person,
                     teams=teams)


@pytest.fixture
def org(session):
    org = seed_results_org(session)
    # the manager's team: the KAMs under Mona Manager (M01), linked to the user "mia"
    session.add(Team(code="MT", name="Mona's KAMs", members=[
        TeamMember(person=kam, function=Role.KAM) for kam in org.kams]))
    session.commit()
    return org


def _create(client, **changes) -> object:
    data = {"survey": "customer_satisfaction", "code": "CS-WEB", "period": "2026-Q1",
            "languages": ["en", "zh-Hant"], "opens_at": _local(SOON), "closes_at": _local(LATER),
            "timezone": "UTC", "reminder_days": "7, 2", "raters": "organisation",
            "min_peer": "3", "min_manager": "1", "min_cross_functional": "3",
            "min_direct_report": "0"}
    data.update(changes)
    return client.post("/campaigns/manage/new", data=data)


def test_manage_pages_need_campaigns_manage(client, session, org):
    assert client.get("/campaigns/manage/new").status_code == 302
    sign_in(client, session, "audrey", "auditor")
    assert client.get("/campaigns/manage/new").status_code == 403
    assert client.get("/campaigns/").status_code == 200  # reads, does not manage


def test_create_preview_launch_remind_extend_close(client, session, org):
    sign_in(client, session, "sam", "survey_admin")
    form = client.get("/campaigns/manage/new").get_data(as_text=True)
    assert "customer_satisfaction" in form and "internal_360" in form
    assert "North team (T01)" in form and "St. Mary &lt;Hospital&gt; (A001)" in form
    response = _create(client)
    assert response.status_code == 302 and response.location.endswith("/campaigns/manage/CS-WEB")
    campaign = session.scalars(select(Campaign)).one()
    assert campaign.reminder_days_before_close == [7, 2]
    assert campaign.languages == ["en", "zh-Hant"]
    session.rollback()
    page = client.get("/campaigns/manage/CS-WEB").get_data(as_text=True)
    assert "Launch now" in page and "Preview in" in page and "Planned:" in page
    # preview, both languages, every page; nothing written
    en = client.get("/campaigns/manage/CS-WEB/preview/1?lang=en").get_data(as_text=True)
    zh = client.get("/campaigns/manage/CS-WEB/preview/1?lang=zh-Hant").get_data(as_text=True)
    assert "Preview" in en and 'lang="zh-Hant"' in zh and "St. Mary &lt;Hospital&gt;" in en
    assert en != zh
    incomplete = client.post("/campaigns/manage/CS-WEB/preview/1?lang=en",
                             data={"section": "x", "action": "next"})
    assert incomplete.status_code == 422  # the respondent's own validation, nothing saved
    assert client.get("/campaigns/manage/CS-WEB/preview/99").status_code == 404
    assert session.scalars(select(SurveyDraft)).first() is None
    session.rollback()  # SQLite: end the read before a request writes
    # launch, remind, extend, close
    assert client.post("/campaigns/manage/CS-WEB/launch").status_code == 302
    assert session.scalars(select(Campaign)).one().status is CampaignStatus.OPEN
    session.rollback()
    client.post("/campaigns/manage/CS-WEB/remind")
    reminders = session.scalars(select(SurveyMessage).where(
        SurveyMessage.kind == "reminder")).all()
    assert len(reminders) == 9
    session.rollback()
    page = client.get("/campaigns/manage/CS-WEB").get_data(as_text=True)
    assert "Reminder 1" in page and "Completion by rater group" in page
    client.post("/campaigns/manage/CS-WEB/extend",
                data={"closes_at": _local(LATER + dt.timedelta(days=5))})
    assert session.scalars(select(Campaign)).one().closes_at > LATER.replace(second=0,
                                                                            microsecond=0)
    session.rollback()
    refused = client.post("/campaigns/manage/CS-WEB/extend", data={"closes_at": _local(SOON)},
                          follow_redirects=True).get_data(as_text=True)
    assert "must be later" in refused
    client.post("/campaigns/manage/CS-WEB/close")
    assert session.scalars(select(Campaign)).one().status is CampaignStatus.CLOSED
    session.rollback()
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert [a for a in actions if a.startswith("campaign.")] == [
        "campaign.create", "campaign.launch", "campaign.remind", "campaign.extend",
        "campaign.close"]
    session.rollback()
    results = client.get("/campaigns/CS-WEB/results").get_data(as_text=True)
    assert "reminder 1 on" in results and "Download the results as CSV" in results


def test_a_bad_form_says_what_is_wrong(client, session, org):
    sign_in(client, session, "sam", "survey_admin")
    response = _create(client, code="bad code!", reminder_days="soon")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "whole numbers of days" in page
    response = _create(client, code="bad code!")
    assert response.status_code == 422 and "a campaign code is 1-40" in response.get_data(
        as_text=True)
    response = _create(client, closes_at=_local(SOON - dt.timedelta(days=1)))
    assert "closes_at must be after opens_at" in response.get_data(as_text=True)


def test_nominations_from_proposal_to_launch(client, session, org):
    sign_in(client, session, "sam", "survey_admin")
    _create(client, survey="internal_360", code="360-WEB", raters="nominations", teams=["T01"],
            min_peer="2", min_manager="0", min_cross_functional="2")
    nominated = session.scalar(select(Campaign.raters_nominated))
    session.rollback()
    assert nominated
    launch = client.post("/campaigns/manage/360-WEB/launch", follow_redirects=True)
    assert "KAM 1 (K01) has 0 approved peer rater(s); 2 needed" in launch.get_data(as_text=True)
    client.get("/logout")
    # the KAM proposes
    client2 = client.application.test_client()
    sign_in(client2, session, "kim", "kam", person="K01")
    page = client2.get("/nominations/360-WEB").get_data(as_text=True)
    assert "Propose a colleague" in page
    for rater, group in (("K02", "peer"), ("K03", "peer"), ("P01", "cross_functional"),
                         ("P02", "peer")):
        client2.post("/nominations/360-WEB/propose", data={"kam": "K01", "rater": rater,
                                                          "group": group})
    assert client2.get("/nominations/team/360-WEB").status_code == 403
    other = client2.post("/nominations/360-WEB/propose",
                         data={"kam": "K02", "rater": "P01", "group": "peer"},
                         follow_redirects=True).get_data(as_text=True)
    assert "in your reach" in other
    # the manager approves, moves P02 to cross-functional
    client3 = client.application.test_client()
    sign_in(client3, session, "mia", "manager", person="M01", teams=("MT",))
    page = client3.get("/nominations/team/360-WEB").get_data(as_text=True)
    assert "Approve every proposal of KAM 1" in page
    p02 = session.scalar(select(RaterNomination.id).join(
        Person, Person.id == RaterNomination.rater_id).where(Person.code == "P02"))
    session.rollback()
    client3.post(f"/nominations/team/360-WEB/{p02}", data={"group": "cross_functional",
                                                          "decision": "approve"})
    client3.post("/nominations/team/360-WEB/kam/K01/approve-all")
    states = session.execute(select(RaterNomination.rater_group, RaterNomination.status)).all()
    session.rollback()
    assert sorted(states) == [("cross_functional", NominationStatus.APPROVED)] * 2 + [
        ("peer", NominationStatus.APPROVED)] * 2
    assert client.post("/campaigns/manage/360-WEB/launch").status_code == 302
    invited = session.scalars(select(Invitation.rater_group)).all()
    assert sorted(invited) == ["cross_functional", "cross_functional", "peer", "peer", "self"]
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"nomination.propose", "nomination.approve", "campaign.launch"} <= actions


@pytest.mark.parametrize("role", ["admin", "analyst", "approver", "survey_admin", "manager",
                                  "kam", "auditor", "viewer"])
def test_role_by_page(client, session, org, role):
    sign_in(client, session, f"user-{role}", role)
    allowed = {
        "/campaigns/manage/new": {"admin", "survey_admin"},
        "/nominations/": {"admin", "kam"},
        "/nominations/team/": {"admin", "manager"},
    }
    for url, roles in allowed.items():
        status = client.get(url).status_code
        assert status == (200 if role in roles else 403), (role, url, status)


def test_the_refusals_read_in_the_admins_language(client, session, org):
    """A zh-Hant survey admin reads the service's refusals in Traditional Chinese (issue 20):
    a code taken, a closing time before the opening, closing twice, extending a closed
    campaign; nothing changes."""
    sign_in(client, session, "sam", "survey_admin")
    session.execute(update(User).where(User.username == "sam").values(language="zh-Hant"))
    session.commit()
    assert _create(client).status_code == 302
    taken = unescape(_create(client).get_data(as_text=True))
    assert "調查活動 'CS-WEB' 已存在" in taken and "exists already" not in taken
    backwards = _create(client, code="CS-2", closes_at=_local(SOON - dt.timedelta(days=1)))
    assert "關閉時間必須晚於開始時間" in backwards.get_data(as_text=True)
    client.post("/campaigns/manage/CS-WEB/close")
    again = client.post("/campaigns/manage/CS-WEB/close", follow_redirects=True)
    assert "調查活動 CS-WEB 已經關閉" in again.get_data(as_text=True)
    extended = client.post("/campaigns/manage/CS-WEB/extend",
                           data={"closes_at": _local(LATER + dt.timedelta(days=3))},
                           follow_redirects=True).get_data(as_text=True)
    assert "調查活動 CS-WEB 已關閉，無法延長" in extended and "cannot be extended" not in extended
    session.rollback()
    assert [c.code for c in session.scalars(select(Campaign))] == ["CS-WEB"]
    assert session.scalars(select(Campaign)).one().closes_at.date() == LATER.date()
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert [a for a in actions if a.startswith("campaign.")] == ["campaign.create",
                                                                 "campaign.close"]
