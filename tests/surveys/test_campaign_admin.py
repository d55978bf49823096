"""Running campaigns from the browser, as services: reminders before the close, extending,
reminding now, languages, the catalogue, a preview that writes nothing, and 360° rater
nominations with the minimum per group enforced before launch."""

from __future__ import annotations

import datetime as dt

import pytest
from results_org import CLOSES, DURING, OPENS, seed_results_org, spec
from sent_mail import memory_mailer
from sqlalchemy import func, select

from kamscore.auth.scope import Scope
from kamscore.models import (
    AuditEvent,
    Campaign,
    Invitation,
    NominationStatus,
    Person,
    RaterNomination,
    SurveyDraft,
    SurveyMessage,
)
from kamscore.surveys import campaign_admin, nominations
from kamscore.surveys.answering import questionnaire
from kamscore.surveys.campaigns import close_campaign, create_campaign, open_campaign
from kamscore.surveys.errors import Conflict, NotFound, SurveyError
from kamscore.surveys.jobs import reminder_due, reminder_instants
from kamscore.surveys.mailing import send_invitations
from kamscore.surveys.population import kams_of_teams

DAY = dt.timedelta(days=1)


@pytest.fixture
def results_org(session):
    return seed_results_org(session)


def _actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_reminders_fall_due_days_before_the_close_and_move_with_it(session, results_org):
    campaign = create_campaign(session, spec("CS", "customer_satisfaction",
                                             reminder_days_before_close=[2, 7]))
    open_campaign(session, "CS", OPENS)
    assert campaign.reminder_days_before_close == [7, 2]
    assert reminder_instants(campaign) == [CLOSES - 7 * DAY, CLOSES - 2 * DAY]
    assert reminder_due(campaign, CLOSES - 8 * DAY) == 0
    assert reminder_due(campaign, CLOSES - 7 * DAY) == 1
    assert reminder_due(campaign, CLOSES - DAY) == 2
    campaign_admin.extend_campaign(session, "CS", CLOSES + 10 * DAY, DURING, "sam")
    assert reminder_due(campaign, CLOSES - DAY) == 0  # the schedule moved with the close
    assert reminder_instants(campaign)[0] == CLOSES + 3 * DAY
    assert _actions(session)[-1] == "campaign.extend"


def test_reminder_schedules_are_checked(session, results_org):
    with pytest.raises(SurveyError, match="not both"):
        create_campaign(session, spec("X", "customer_satisfaction", reminder_every_days=3,
                                      reminder_days_before_close=[2]))
    with pytest.raises(SurveyError, match="days before the close"):
        create_campaign(session, spec("X", "customer_satisfaction",
                                      reminder_days_before_close=[0]))


def test_extend_only_later_and_never_a_closed_campaign(session, results_org):
    create_campaign(session, spec("CS", "customer_satisfaction"))
    with pytest.raises(SurveyError, match="later"):
        campaign_admin.extend_campaign(session, "CS", CLOSES - DAY, DURING, "sam")
    close_campaign(session, "CS", DURING, "sam")
    with pytest.raises(Conflict):
        campaign_admin.extend_campaign(session, "CS", CLOSES + DAY, DURING, "sam")


def test_remind_now_sends_the_next_reminder_and_logs_it(session, results_org):
    create_campaign(session, spec("CS", "customer_satisfaction"))
    open_campaign(session, "CS", OPENS)
    session.commit()
    mailer = memory_mailer("surveys@corp.example")
    send_invitations(session, "CS", mailer, base_url="https://k.example", now=OPENS)
    first = campaign_admin.remind_now(session, "CS", mailer, base_url="https://k.example",
                                      now=DURING, actor="sam")
    second = campaign_admin.remind_now(session, "CS", mailer, base_url="https://k.example",
                                       now=DURING + DAY, actor="sam")
    assert first.sent == second.sent == 9
    rounds = campaign_admin.reminders_sent(session, session.scalars(select(Campaign)).one())
    assert [(r.sequence, r.sent) for r in rounds] == [(1, 9), (2, 9)]
    assert _actions(session).count("campaign.remind") == 2


def test_languages_offered_are_a_choice_of_the_definition(session, results_org):
    with pytest.raises(SurveyError, match="not written in"):
        create_campaign(session, spec("X", "customer_satisfaction", languages=["en", "fr"]))
    campaign = create_campaign(session, spec("CS", "customer_satisfaction", languages=["en"]))
    open_campaign(session, "CS", OPENS)
    invitation = session.scalars(select(Invitation).where(
        Invitation.campaign_id == campaign.id)).first()
    current = questionnaire(session, invitation.id, DURING, "zh-Hant")
    assert current.language == "en" and current.languages == ("en",)


def test_the_catalogue_lists_the_shipped_definitions():
    entries = {e.key: e for e in campaign_admin.catalogue()}
    assert entries["customer_satisfaction"].kind == "customer"
    assert entries["internal_360"].kind == "internal_360"
    assert "zh-Hant" in entries["internal_360"].languages


def test_kams_of_teams(session, results_org):
    assert kams_of_teams(session, ["T01"]) == ["K01"]
    with pytest.raises(SurveyError):
        kams_of_teams(session, ["NOPE"])


def test_preview_renders_every_page_in_each_language_and_writes_nothing(session, results_org):
    create_campaign(session, spec("CS", "customer_satisfaction"))
    session.commit()
    before = (session.scalar(select(func.count()).select_from(SurveyDraft)),
              session.scalar(select(func.count()).select_from(SurveyMessage)))
    page = campaign_admin.preview(session, "CS", "zh-Hant", 2)
    assert page.language == "zh-Hant" and page.section_index == 1 and page.page_number == 2
    assert campaign_admin.preview(session, "CS", "xx", 1).language == "en"
    with pytest.raises(NotFound):
        campaign_admin.preview(session, "CS", "en", 99)
    assert not session.new and not session.dirty
    assert before == (session.scalar(select(func.count()).select_from(SurveyDraft)),
                      session.scalar(select(func.count()).select_from(SurveyMessage)))


# --- nominations --------------------------------------------------------------------------

def _person_id(session, code: str) -> int:
    return session.scalar(select(Person.id).where(Person.code == code))


@pytest.fixture
def nominated(session, results_org):
    campaign = create_campaign(session, spec(
        "360N", "internal_360", kams=["K01", "K02"], raters_nominated=True,
        nomination_minimums={"peer": 2, "cross_functional": 3}))
    session.commit()
    return campaign


def test_a_nominated_campaign_starts_with_self_ratings_only(session, nominated):
    groups = session.scalars(select(Invitation.rater_group).where(
        Invitation.campaign_id == nominated.id)).all()
    assert groups == ["self", "self"]
    assert nominated.nomination_minimums == {"peer": 2, "manager": 0,
                                             "cross_functional": 3, "direct_report": 0}


def test_nominations_reach_launch_only_when_every_group_has_its_minimum(session, nominated):
    kam = Scope("nominations.propose", False, frozenset({_person_id(session, "K01")}))
    manager = Scope("nominations.approve", False,
                    frozenset({_person_id(session, "K01"), _person_id(session, "K02")}))
    now = OPENS - DAY
    for rater, group in (("K02", "peer"), ("K03", "peer"), ("P01", "cross_functional"),
                         ("P02", "cross_functional"), ("M01", "peer")):
        nominations.propose(session, "360N", "K01", rater, group, kam, "kim", now)
    with pytest.raises(Conflict, match="already"):
        nominations.propose(session, "360N", "K01", "P01", "peer", kam, "kim", now)
    with pytest.raises(NotFound):  # K02 is not the KAM's own
        nominations.propose(session, "360N", "K02", "P01", "peer", kam, "kim", now)
    with pytest.raises(SurveyError):
        nominations.propose(session, "360N", "K01", "K01", "peer", kam, "kim", now)
    mine = nominations.kam_nominations(session, "360N", "K01", kam)
    by_rater = {n.rater.code: n for n in mine.nominations}
    nominations.withdraw(session, "360N", by_rater["K03"].id, kam, "kim")
    # the manager approves, moves his own nomination to "manager", rejects one, adds one
    nominations.decide(session, "360N", by_rater["M01"].id, "approve", manager, "mia", now,
                       group="manager")
    nominations.decide(session, "360N", by_rater["P02"].id, "reject", manager, "mia", now)
    nominations.approve_all(session, "360N", "K01", manager, "mia", now)
    nominations.add_approved(session, "360N", "K01", "K03", "peer", manager, "mia", now)
    with pytest.raises(Conflict) as refused:
        open_campaign(session, "360N", OPENS, "sam")
    message = refused.value.message
    assert "KAM 1 (K01) has 1 approved cross-functional colleague rater(s); 3 needed" in message
    assert "KAM 2 (K02) has 0 approved peer rater(s); 2 needed" in message
    nominations.decide(session, "360N", by_rater["P02"].id, "approve", manager, "mia", now)
    nominations.add_approved(session, "360N", "K01", "P03", "cross_functional", manager,
                             "mia", now)
    for rater in ("K01", "K03"):
        nominations.add_approved(session, "360N", "K02", rater, "peer", manager, "mia", now)
    for rater in ("P01", "P02", "P03"):
        nominations.add_approved(session, "360N", "K02", rater, "cross_functional", manager,
                                 "mia", now)
    assert nominations.kam_nominations(session, "360N", "K01", manager).ready
    open_campaign(session, "360N", OPENS, "sam")
    invited = session.execute(select(Invitation.subject_key, Invitation.respondent_key,
                                     Invitation.rater_group)
                              .where(Invitation.campaign_id == nominated.id)).all()
    k01 = sorted((r, g) for s, r, g in invited if s == "kam:K01")
    assert k01 == [("person:K01", "self"), ("person:K02", "peer"), ("person:K03", "peer"),
                   ("person:M01", "manager"), ("person:P01", "cross_functional"),
                   ("person:P02", "cross_functional"), ("person:P03", "cross_functional")]
    with pytest.raises(Conflict, match="closed"):
        nominations.propose(session, "360N", "K01", "P02", "peer", kam, "kim", now)
    actions = _actions(session)
    for action in ("nomination.propose", "nomination.withdraw", "nomination.approve",
                   "nomination.reject", "nomination.add", "campaign.launch"):
        assert action in actions
    assert session.scalar(select(func.count()).select_from(RaterNomination).where(
        RaterNomination.status == NominationStatus.PROPOSED)) == 0


def test_a_manager_decides_only_for_kams_in_his_reach(session, nominated):
    kam = Scope("nominations.propose", False, frozenset({_person_id(session, "K01")}))
    other = Scope("nominations.approve", False, frozenset({_person_id(session, "K02")}))
    nomination = nominations.propose(session, "360N", "K01", "P01", "peer", kam, "kim",
                                     OPENS)
    with pytest.raises(NotFound):
        nominations.decide(session, "360N", nomination.id, "approve", other, "max", OPENS)
    assert [k.kam.code for k in nominations.team_nominations(session, "360N", other)] == [
        "K02"]


def test_customer_campaigns_take_no_nominations(session, results_org):
    with pytest.raises(SurveyError, match="360"):
        create_campaign(session, spec("CS", "customer_satisfaction", raters_nominated=True))


def test_the_scheduler_does_not_open_a_campaign_short_of_raters(app, session, nominated,
                                                                caplog):
    from sent_mail import memory_mailer

    from kamscore.db.session import get_db
    from kamscore.models import CampaignStatus
    from kamscore.surveys.jobs import open_due_campaigns

    session.rollback()
    report = open_due_campaigns(get_db(app).sessionmaker, OPENS,
                                mailer=memory_mailer("s@corp.example"),
                                base_url="https://k.example")
    assert "opened 0 campaign(s)" in report
    assert "K01" in caplog.text and "needed" in caplog.text
    assert session.scalar(select(Campaign.status)) is CampaignStatus.DRAFT
