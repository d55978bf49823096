"""End to end: two campaigns opened by the scheduler's jobs, answered through the answering
service, closed on time and aggregated by the jobs; then an official score run pays on the
live survey results through the metric plugins (CSAT and the 360 collaboration score)."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from results_org import CLOSES, OPENS, invitations_of, respond, seed_results_org, spec
from sent_mail import memory_mailer
from sqlalchemy import select

from kamscore.db.session import get_db
from kamscore.models import Campaign, User
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import lifecycle
from kamscore.scoring.run_store import load_lines
from kamscore.scoring.runs import run_score
from kamscore.surveys import jobs
from kamscore.surveys.aggregate_store import Minimums
from kamscore.surveys.campaigns import create_campaign

SURVEY_PLAN = textwrap.dedent("""\
    name: survey_plan
    version: 1
    title: Survey-based plan
    period: quarter
    currency: EUR
    rounding: {step: 0.01, mode: half_even}
    eligibility: {roles: [kam], min_days: 30, prorate: true}
    target_incentive: {amount: 1000}
    components:
      - id: csat
        title: Customer satisfaction
        metric: csat
        weight: 50
        params: {min_responses: 3}
        missing: zero
        curve:
          points:
            - {at: 0%, pays: 0, label: threshold}
            - {at: 100%, pays: 100%, label: target}
      - id: collaboration
        title: 360 collaboration
        metric: collaboration_360
        weight: 50
        missing: zero
        curve:
          points:
            - {at: 1.0, pays: 0, label: threshold}
            - {at: 5.0, pays: 100%, label: target}
    """)

CUSTOMER_LEVEL = {"physician": 5, "pharmacist": 4, "nurse": 2}
RATER_LEVEL = {"self": 5, "manager": 2, "peer": 3, "cross_functional": 5}


def test_a_score_run_after_the_campaigns_close_pays_on_the_survey_results(app, session):
    seed_results_org(session)
    for code, survey in (("CS-26Q1", "customer_satisfaction"), ("360-26Q1", "internal_360")):
        create_campaign(session, spec(code, survey, reminder_every_days=7))
    session.add_all([User(username="ana", name="Ana", roles="analyst", password_hash="-"),
                     User(username="bob", name="Bob", roles="approver", password_hash="-")])
    session.commit()
    factory, mailer = get_db(app).sessionmaker, memory_mailer("surveys@corp.example")

    def tick(now: dt.datetime) -> None:
        jobs.open_due_campaigns(factory, now, mailer=mailer, base_url="https://k.example")
        jobs.send_due_reminders(factory, now, mailer=mailer, base_url="https://k.example")
        jobs.close_due_campaigns(factory, now, Minimums())
        jobs.recompute_closed_campaigns(factory, now, Minimums())

    tick(OPENS)
    # every stakeholder (9) and every 360 rater: K01 7 (self, manager, 2 peers, 3
    # cross-functional), K02 and K03 4 each (self, manager, 2 peers) — once
    assert len(mailer.outbox) == 9 + 15
    for invitation in invitations_of(session, _campaign(session, "CS-26Q1")):
        respond(session, invitation, CUSTOMER_LEVEL[invitation.rater_group],
                now=OPENS + dt.timedelta(days=1))
    for invitation in invitations_of(session, _campaign(session, "360-26Q1")):
        respond(session, invitation, RATER_LEVEL[invitation.rater_group],
                now=OPENS + dt.timedelta(days=1))
    tick(OPENS + dt.timedelta(days=8))
    assert len(mailer.outbox) == 24  # everyone answered: no reminder
    tick(CLOSES)

    pm = get_plugin_manager(app)
    version = lifecycle.import_ruleset(session, pm, SURVEY_PLAN, "survey_plan.yaml", user="ana")
    lifecycle.approve_version(session, version.name, version.version, user="bob")
    lifecycle.publish_version(session, version.name, version.version, user="ana")
    run = run_score(session, pm, period="2026-Q1", ruleset="survey_plan", user="ana")
    lines = {line.kam_code: line.detail for line in load_lines(session, run.id)}
    payouts = {code: detail["payout"] for code, detail in lines.items()}
    # K01: A001's CSAT 6/7 → 6/7 x 50 % = 0.428571...; colleagues' collaboration
    #      (2 + 3 + 3 + 5 + 5 + 5) / 6 = 3.8333 → (3.8333 - 1) / 4 x 50 % = 0.354167
    #      → 1000 x 0.782738 = 782.74
    # K02, K03: no reportable customer results (A002: 2 answers; A003: none) → CSAT no data,
    #      paid as zero by the plan; collaboration (2 + 3 + 3) / 3 = 2.6667 → 0.208333
    #      → 208.33
    assert payouts == {"K01": "782.74", "K02": "208.33", "K03": "208.33"}
    k01 = {c["id"]: c for c in lines["K01"]["components"]}
    assert k01["csat"]["inputs"]["responses"] == 7
    assert k01["csat"]["inputs"]["source"] == "surveys"
    assert k01["collaboration"]["inputs"]["self_mean"] == pytest.approx(5.0)
    k02 = {c["id"]: c for c in lines["K02"]["components"]}
    assert k02["csat"]["treatment"] == "zero"


def _campaign(session, code):
    campaign = session.scalars(select(Campaign).where(Campaign.code == code)).one()
    session.commit()
    return campaign
