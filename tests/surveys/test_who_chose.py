"""Who chose the people asked: copied onto each invitation when a campaign is made, and said
in plain words on a subject's results page and in the results API — counts of invitations
over the whole subject, never per rater group nor per answer."""

from __future__ import annotations

import datetime as dt

import pytest
from results_org import OPENS, close, invitations_of, open_new_campaign, respond, seed_results_org
from results_org import spec as campaign_spec
from sqlalchemy import select, update

from kamscore.auth.scope import Scope
from kamscore.auth.tokens import issue_token
from kamscore.models import Campaign, ChosenBy, Invitation, Person, Stakeholder, User
from kamscore.surveys import nominations
from kamscore.surveys.campaigns import create_campaign, open_campaign
from kamscore.surveys.who_chose import WhoChose, who_chose

CUSTOMER_LEVEL = {"physician": 5, "pharmacist": 4, "nurse": 2}
A001_SENTENCE = "3 of the 7 people asked were chosen by the KAM himself (K01)."


def _choose(session, emails: list[str], chosen_by: ChosenBy) -> None:
    session.execute(update(Stakeholder).where(Stakeholder.email.in_(emails))
                    .values(chosen_by=chosen_by))
    session.commit()


@pytest.fixture
def customer(session):
    """A001: three stakeholders chosen by K01, one by his manager; A002: by the organisation."""
    seed_results_org(session)
    _choose(session, ["s0@stmary.example", "s3@stmary.example", "s6@stmary.example"],
            ChosenBy.KAM)
    _choose(session, ["s1@stmary.example"], ChosenBy.MANAGER)
    return open_new_campaign(session, "CS-26Q1", "customer_satisfaction")


def _by_email(session, campaign: Campaign) -> dict[str, ChosenBy]:
    return {i.email: i.chosen_by for i in invitations_of(session, campaign)}


def test_invitations_copy_who_chose_and_keep_it(session, customer):
    chosen = _by_email(session, customer)
    assert chosen["s0@stmary.example"] is ChosenBy.KAM
    assert chosen["s1@stmary.example"] is ChosenBy.MANAGER
    assert chosen["s2@stmary.example"] is ChosenBy.ORGANISATION
    assert sorted(chosen.values()).count(ChosenBy.KAM) == 3
    assert {chosen["s0@tgh.example"], chosen["s1@tgh.example"]} == {ChosenBy.ORGANISATION}
    # a later change to the stakeholder does not rewrite the campaign's history
    _choose(session, ["s0@stmary.example", "s1@stmary.example"], ChosenBy.ORGANISATION)
    _choose(session, ["s0@tgh.example"], ChosenBy.KAM)
    assert _by_email(session, customer) == chosen


def test_the_counts_are_of_invitations_over_the_whole_subject(session, customer):
    found = who_chose(session, customer)
    assert found["A001"] == WhoChose(asked=7, by_kam=3, by_manager=1, kams=("K01",),
                                     nominated=False)
    assert found["A001"].by_organisation == 3
    assert found["A001"].sentence == A001_SENTENCE
    assert found["A002"].by_kam == 0 and found["A002"].sentence is None
    one = WhoChose(asked=2, by_kam=1, by_manager=0, kams=("K01", "K02"), nominated=False)
    assert one.sentence == "1 of the 2 people asked was chosen by the KAM himself (K01, K02)."


def _answer_and_close(session, campaign: Campaign) -> None:
    for invitation in invitations_of(session, campaign):
        respond(session, invitation, CUSTOMER_LEVEL[invitation.rater_group])
    close(session, campaign)


def _sign_in(client, session) -> None:
    user = User(username="u-survey-admin", name="Sam Surveys", roles="survey_admin")
    user.set_password("not used")
    session.add(user)
    session.commit()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user.get_id()
        flask_session["_fresh"] = True


def _token(session) -> dict[str, str]:
    user = User(username="api-auditor", name="Api", roles="auditor")
    user.set_password("not used at all")
    session.add(user)
    session.flush()
    _, token = issue_token(session, user.username, "tests")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_the_results_page_says_when_the_kam_chose_people(client, session, customer):
    _answer_and_close(session, customer)
    _sign_in(client, session)
    page = client.get("/campaigns/CS-26Q1/results/A001").get_data(as_text=True)
    assert A001_SENTENCE in page and 'id="chosen-by"' in page
    # no word about it where the KAM chose nobody
    other = client.get("/campaigns/CS-26Q1/results/A002")
    assert other.status_code == 200
    assert 'id="chosen-by"' not in other.get_data(as_text=True)


def test_the_results_api_says_who_chose(client, session, customer):
    headers = _token(session)
    body = client.get("/api/v1/campaigns/CS-26Q1/results", headers=headers).json
    assert body["subjects"] == []  # open: counts only, as before
    _answer_and_close(session, customer)
    body = client.get("/api/v1/campaigns/CS-26Q1/results", headers=headers).json
    subjects = {s["code"]: s for s in body["subjects"]}
    assert subjects["A001"]["chosen_by"] == {
        "asked": 7, "by_kam": 3, "by_manager": 1, "by_organisation": 3, "kams": ["K01"],
        "nominated": False, "sentence": A001_SENTENCE}
    assert subjects["A002"]["chosen_by"]["by_kam"] == 0
    assert subjects["A002"]["chosen_by"]["sentence"] is None
    # never a count per rater group: the groups keep their own invited counts only
    assert all(set(g) == {"rater_group", "invited", "answered", "completion_rate", "verdict"}
               for g in subjects["A001"]["groups"])


def test_nominated_raters_are_chosen_by_the_kam_and_approved_by_his_manager(
        client, session):
    seed_results_org(session)
    campaign = create_campaign(session, campaign_spec(
        "360N", "internal_360", kams=["K01"], raters_nominated=True,
        nomination_minimums={"peer": 0, "cross_functional": 0}))
    session.commit()
    k01 = session.scalar(select(Person.id).where(Person.code == "K01"))
    kam = Scope("nominations.propose", False, frozenset({k01}))
    manager = Scope("nominations.approve", False, frozenset({k01}))
    now = OPENS - dt.timedelta(days=1)
    for rater, group in (("K02", "peer"), ("P01", "cross_functional"),
                         ("P02", "cross_functional")):
        nominations.propose(session, "360N", "K01", rater, group, kam, "kim", now)
    nominations.approve_all(session, "360N", "K01", manager, "mia", now)
    nominations.add_approved(session, "360N", "K01", "K03", "peer", manager, "mia", now)
    open_campaign(session, "360N", OPENS, "sam")
    session.commit()
    chosen = {i.respondent_key: i.chosen_by for i in invitations_of(session, campaign)}
    assert chosen == {"person:K01": ChosenBy.ORGANISATION, "person:K02": ChosenBy.KAM,
                      "person:P01": ChosenBy.KAM, "person:P02": ChosenBy.KAM,
                      "person:K03": ChosenBy.MANAGER}
    sentence = ("3 of the 4 raters asked were nominated by the KAM (K01) and approved by his "
                "manager.")
    assert who_chose(session, campaign)["K01"].sentence == sentence  # the self-rating apart
    for invitation in invitations_of(session, campaign):
        respond(session, invitation, 4)
    close(session, campaign)
    _sign_in(client, session)
    page = client.get("/campaigns/360N/results/K01").get_data(as_text=True)
    assert sentence in page
    body = client.get("/api/v1/campaigns/360N/results", headers=_token(session)).json
    assert body["subjects"][0]["chosen_by"]["nominated"] is True
    assert body["subjects"][0]["chosen_by"]["sentence"] == sentence


def test_a_360_from_the_organisation_says_nothing(session):
    seed_results_org(session)
    campaign = open_new_campaign(session, "360-26Q1", "internal_360")
    assert {i.chosen_by for i in invitations_of(session, campaign)} == {ChosenBy.ORGANISATION}
    assert all(w.sentence is None and w.by_kam == 0
               for w in who_chose(session, campaign).values())
    assert session.scalar(select(Invitation.chosen_by).where(
        Invitation.campaign_id == campaign.id, Invitation.rater_group == "self")) is (
        ChosenBy.ORGANISATION)


def test_the_stakeholders_api_shows_who_chose(client, session, customer):
    body = client.get("/api/v1/stakeholders?account=A001", headers=_token(session)).json
    chosen = {s["email"]: s["chosen_by"] for s in body}
    assert chosen["s0@stmary.example"] == "kam" and chosen["s1@stmary.example"] == "manager"
    assert chosen["s2@stmary.example"] == "organisation"
