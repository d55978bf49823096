"""The survey jobs of the scheduler, called directly with a fixed clock (both backends):
on-time opening and closing, reminders sent once however often or by how many schedulers
the job runs, and a scheduler started late catching up once."""

from __future__ import annotations

import datetime as dt
import functools
import threading

import pytest
from results_org import CLOSES, OPENS, invitations_of, respond, seed_results_org, spec
from sent_mail import received
from sqlalchemy import func, select

from kamscore.db.session import get_db
from kamscore.models import (
    Campaign,
    CampaignStatus,
    MessageKind,
    MessageStatus,
    ScheduledJobRun,
    SurveyAggregate,
    SurveyMessage,
)
from kamscore.scheduler.job_runs import Job, RetryPolicy, run_job
from kamscore.surveys import jobs
from kamscore.surveys.aggregate_store import Minimums
from kamscore.surveys.campaigns import create_campaign

DAY = dt.timedelta(days=1)
BASE_URL = "https://kamscore.example"


@pytest.fixture
def factory(app):
    return get_db(app).sessionmaker


@pytest.fixture
def draft(session):
    """The customer survey for A001/A002 (9 stakeholders), a draft opening at OPENS, with a
    reminder every 7 days, at most 2."""
    seed_results_org(session)
    campaign = create_campaign(session, spec("CS-26Q1", "customer_satisfaction",
                                             reminder_every_days=7, max_reminders=2))
    session.commit()
    return campaign


def messages(session, kind: MessageKind, sequence: int | None = None,
             status: MessageStatus = MessageStatus.SENT) -> int:
    query = select(func.count()).select_from(SurveyMessage).where(
        SurveyMessage.kind == kind, SurveyMessage.status == status)
    if sequence is not None:
        query = query.where(SurveyMessage.sequence == sequence)
    count = session.scalar(query)
    session.commit()  # end the read: on SQLite every transaction holds the write lock
    return count


def status_of(session, campaign) -> CampaignStatus:
    session.expire_all()
    status = session.get(Campaign, campaign.id).status
    session.commit()
    return status


def tick(factory, mailer, now):
    """Everything the scheduler does at ``now``, in its order."""
    return [
        jobs.open_due_campaigns(factory, now, mailer=mailer, base_url=BASE_URL),
        jobs.send_due_reminders(factory, now, mailer=mailer, base_url=BASE_URL),
        jobs.close_due_campaigns(factory, now, Minimums()),
        jobs.recompute_closed_campaigns(factory, now, Minimums()),
    ]


def test_a_campaign_opens_on_time_and_invites_once(session, factory, mailer, draft):
    jobs.open_due_campaigns(factory, OPENS - dt.timedelta(seconds=1), mailer=mailer,
                            base_url=BASE_URL)
    assert status_of(session, draft) is CampaignStatus.DRAFT and not mailer.outbox
    summary = jobs.open_due_campaigns(factory, OPENS, mailer=mailer, base_url=BASE_URL)
    assert "opened 1" in summary and "9 invitation(s) sent" in summary
    assert status_of(session, draft) is CampaignStatus.OPEN
    assert len(mailer.outbox) == 9
    jobs.open_due_campaigns(factory, OPENS + dt.timedelta(minutes=1), mailer=mailer,
                            base_url=BASE_URL)
    assert len(mailer.outbox) == 9 and messages(session, MessageKind.INVITATION) == 9


def test_the_reminder_job_run_twice_sends_each_reminder_once(session, factory, mailer, draft):
    jobs.open_due_campaigns(factory, OPENS, mailer=mailer, base_url=BASE_URL)
    for invitation in invitations_of(session, draft)[:4]:
        respond(session, invitation, 4, now=OPENS + DAY)
    mailer.outbox.clear()
    assert "none due" in jobs.send_due_reminders(factory, OPENS + 6 * DAY, mailer=mailer,
                                                 base_url=BASE_URL)
    first = jobs.send_due_reminders(factory, OPENS + 8 * DAY, mailer=mailer, base_url=BASE_URL)
    again = jobs.send_due_reminders(factory, OPENS + 8 * DAY, mailer=mailer, base_url=BASE_URL)
    assert first.startswith("5 reminder(s) sent") and again.startswith("0 reminder(s)")
    assert len(mailer.outbox) == 5  # the 5 who have not answered, once each
    assert messages(session, MessageKind.REMINDER, 1) == 5
    assert messages(session, MessageKind.REMINDER, 1, MessageStatus.SKIPPED) == 4  # answered
    recipients = [m["To"] for m in received(mailer)]
    assert len(set(recipients)) == 5


def test_two_schedulers_at_once_send_each_reminder_once(session, factory, mailer, draft):
    jobs.open_due_campaigns(factory, OPENS, mailer=mailer, base_url=BASE_URL)
    mailer.outbox.clear()
    now = OPENS + 8 * DAY
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def scheduler():
        try:
            start.wait()
            jobs.send_due_reminders(factory, now, mailer=mailer, base_url=BASE_URL)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert len(mailer.outbox) == 9
    assert sorted(m["To"] for m in received(mailer)) == sorted(
        i.email for i in invitations_of(session, draft))
    assert messages(session, MessageKind.REMINDER, 1) == 9


def test_two_schedulers_claim_one_slot_once(session, factory, draft):
    """The job-run claim: the same slot in two processes runs the job function once."""
    calls: list[int] = []
    start = threading.Barrier(2)
    outcomes = []

    def count(_factory, _now):
        calls.append(1)
        return "counted"

    def scheduler():
        start.wait()
        outcomes.append(run_job(factory, Job("count", count), OPENS, interval_seconds=60))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(calls) == 1
    assert sorted(o.status for o in outcomes) == ["skipped", "succeeded"]
    assert session.scalar(select(func.count()).select_from(ScheduledJobRun)) == 1


def test_a_campaign_closes_on_time_and_its_results_are_computed(session, factory, mailer,
                                                                  draft):
    jobs.open_due_campaigns(factory, OPENS, mailer=mailer, base_url=BASE_URL)
    for invitation in invitations_of(session, draft):
        respond(session, invitation, 5, now=OPENS + DAY)
    jobs.close_due_campaigns(factory, CLOSES - dt.timedelta(seconds=1), Minimums())
    assert status_of(session, draft) is CampaignStatus.OPEN
    summary = jobs.close_due_campaigns(factory, CLOSES, Minimums())
    assert summary == "closed 1 campaign(s) ['CS-26Q1']"
    session.expire_all()
    closed = session.get(Campaign, draft.id)
    assert closed.status is CampaignStatus.CLOSED and closed.closed_at == CLOSES
    assert session.scalar(select(SurveyAggregate.n).where(
        SurveyAggregate.campaign_id == draft.id, SurveyAggregate.measure == "responses")) == 9
    session.commit()
    assert jobs.close_due_campaigns(factory, CLOSES + DAY, Minimums()).startswith("closed 0")
    assert jobs.recompute_closed_campaigns(factory, CLOSES + DAY, Minimums()).startswith(
        "recomputed 0")


def test_a_scheduler_started_late_catches_up_once(session, factory, mailer, draft):
    """Opened on time; then the scheduler is down from day 6 to day 15, when reminders 1
    (day 7) and 2 (day 14) have both fallen due: it sends one reminder — the latest — once.
    Down again over the closing time: the first tick closes and computes, once."""
    tick(factory, mailer, OPENS)
    respond(session, invitations_of(session, draft)[0], 4, now=OPENS + DAY)
    mailer.outbox.clear()
    tick(factory, mailer, OPENS + 6 * DAY)
    assert not mailer.outbox
    late = OPENS + 15 * DAY
    tick(factory, mailer, late)
    tick(factory, mailer, late)
    tick(factory, mailer, late + dt.timedelta(minutes=1))
    assert len(mailer.outbox) == 8
    assert messages(session, MessageKind.REMINDER, 2) == 8
    assert messages(session, MessageKind.REMINDER, 1) == 0  # missed: not sent in a burst
    tick(factory, mailer, OPENS + 22 * DAY)  # no third reminder (max 2)
    assert len(mailer.outbox) == 8
    after = CLOSES + 2 * DAY
    first = tick(factory, mailer, after)
    second = tick(factory, mailer, after)
    assert first[2].startswith("closed 1") and second[2].startswith("closed 0")
    assert first[3].startswith("recomputed 0")  # the close job computed them already
    assert status_of(session, draft) is CampaignStatus.CLOSED
    assert len(mailer.outbox) == 8


def test_a_late_opening_still_opens_but_never_after_the_closing_time(session, factory, mailer,
                                                                      draft):
    other = create_campaign(session, spec("CS-LATE", "customer_satisfaction",
                                          opens_at=OPENS, closes_at=OPENS + DAY))
    session.commit()
    summary = jobs.open_due_campaigns(factory, OPENS + 2 * DAY, mailer=mailer,
                                      base_url=BASE_URL)
    assert "['CS-26Q1']" in summary  # opened two days late, once
    assert status_of(session, other) is CampaignStatus.DRAFT  # its window is over


def test_a_failing_job_is_retried_a_bounded_number_of_times_and_logged(session, factory,
                                                                       caplog):
    attempts: list[int] = []
    pauses: list[float] = []

    def flaky(_factory, _now):
        attempts.append(1)
        if len(attempts) < 3:
            raise RuntimeError(f"mail server down ({len(attempts)})")
        return "done"

    outcome = run_job(factory, Job("flaky", flaky), OPENS, interval_seconds=60,
                      retry=RetryPolicy(3, 10), sleep=pauses.append)
    assert outcome.status == "succeeded" and outcome.attempts == 3
    assert pauses == [10, 20]
    run = session.scalars(select(ScheduledJobRun).where(ScheduledJobRun.job_name == "flaky")).one()
    assert run.attempts == 3 and run.status.value == "succeeded" and run.error is None
    session.commit()

    def broken(_factory, _now):
        raise RuntimeError("always broken")

    outcome = run_job(factory, Job("broken", broken), OPENS, interval_seconds=60,
                      retry=RetryPolicy(3, 1), sleep=lambda _s: None)
    assert outcome.status == "failed" and outcome.attempts == 3
    session.expire_all()
    run = session.scalars(select(ScheduledJobRun).where(ScheduledJobRun.job_name == "broken")).one()
    assert run.status.value == "failed" and "always broken" in run.error and run.attempts == 3
    session.commit()
    assert "job broken" in caplog.text and "attempt 3 of 3 failed" in caplog.text
    # the next slot runs again
    later = run_job(factory, Job("broken", broken), OPENS + dt.timedelta(minutes=1),
                    interval_seconds=60, retry=RetryPolicy(1, 0), sleep=lambda _s: None)
    assert later.status == "failed"


def test_reminders_need_a_schedule(session, factory, mailer):
    seed_results_org(session)
    create_campaign(session, spec("CS-NOREM", "customer_satisfaction"))
    session.commit()
    jobs.open_due_campaigns(factory, OPENS, mailer=mailer, base_url=BASE_URL)
    mailer.outbox.clear()
    job = functools.partial(jobs.send_due_reminders, mailer=mailer, base_url=BASE_URL)
    assert job(factory, OPENS + 20 * DAY) == "0 reminder(s) sent (none due)"
    assert not mailer.outbox
