"""The demo's survey campaigns, run through the real survey services.

So that every survey page has something to show on the first start, the demo runs:

- a **closed** customer-satisfaction campaign and a **closed** 360° campaign on the
  business year's fourth quarter (the quarter the demo scores): created and launched by the
  demo survey administrator, answered through the answering service (whole questionnaires
  at once, ``kamscore.surveys.answering_batch``, with the checks of the answering pages),
  closed at their closing time and their results computed — exactly what a campaign run
  in the browser or by ``kamscore campaign`` leaves behind. The score run of that quarter
  then reads its survey metrics from these campaigns
  (``kamscore.surveys.survey_results_from_campaigns``); other periods still read the
  survey facts of the year (``survey_facts``).
- an **open** customer "pulse" campaign about the accounts of the demo manager's teams,
  opened a few days ago and closing in three weeks, with some invitations answered and a
  few started (their first page saved through ``answering.answer_page``, as the browser
  does), plus two unused answering links printed by ``kamscore demo``.

Respondents answer in line with the demo's other data: customers of accounts that do well
are happier, colleagues rate good KAMs higher, and a KAM rates himself a little kinder. At
the response rates below most accounts and KAMs pass the minimum group size
(``SURVEY_MIN_GROUP``) and small accounts often do not, so suppression shows too. Each
respondent takes a few minutes; about 6 % rush through in seconds (speeders) and 5 % tick one
column of every matrix of five or more items (straight-liners: the customer survey's), so the
response-quality page has flags to show; the customer campaign excludes its speeders
automatically, so some statements say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.demo.accounts import Accounts
from kamscore.demo.catalog import DemoPeriods
from kamscore.demo.org import Org
from kamscore.demo.spec import DemoSpec
from kamscore.demo.survey_answers import page_answers, questionnaire_answers
from kamscore.models import Campaign, Invitation
from kamscore.surveys.aggregate_store import Minimums, recompute_campaign
from kamscore.surveys.answering import Action, answer_page, questionnaire
from kamscore.surveys.answering_batch import CompletedQuestionnaire, submit_completed
from kamscore.surveys.campaigns import (
    CampaignSpec,
    close_campaign,
    create_campaign,
    open_campaign,
)
from kamscore.surveys.catalog import definition_of
from kamscore.surveys.definition import SurveyDefinition
from kamscore.surveys.i18n import pick_language
from kamscore.surveys.response_exclusion import set_exclude_speeders
from kamscore.surveys.response_quality import MATRIX_ITEMS
from kamscore.surveys.tokens import issue_token

SURVEY_ADMIN = "surveys"  # demo user (kamscore.demo.users)
CUSTOMER_SURVEY, THREE_SIXTY = "customer_satisfaction", "internal_360"
#: Share of the invited who answer, by rater group (customers: every stakeholder role).
CUSTOMER_RATE = 0.8
THREE_SIXTY_RATES = {"self": 0.95, "manager": 0.9, "peer": 0.7, "cross_functional": 0.75}
#: The open campaign: answered, and started but not finished.
PULSE_ANSWERED, PULSE_STARTED = 0.45, 0.1
#: Tone (standard deviations) per unit of the demo's account/KAM effect, and a KAM's own
#: kindness to himself.
EFFECT_TONE = 7.5
SELF_BIAS = 0.6


@dataclass(frozen=True)
class DemoCampaign:
    code: str
    name: str
    status: str
    invited: int
    answered: int


@dataclass
class DemoCampaigns:
    campaigns: list[DemoCampaign] = field(default_factory=list)
    #: unused answering links of the open campaign: (language, token)
    links: list[tuple[str, str]] = field(default_factory=list)


def build_campaigns(session: Session, spec: DemoSpec, org: Org, accounts: Accounts,
                    account_effect: np.ndarray, periods: DemoPeriods, minimums: Minimums,
                    now: dt.datetime) -> DemoCampaigns:
    """Run the demo's three campaigns (see the module docstring) in the caller's transaction."""
    rng = spec.rng("campaigns")
    year = periods.year
    quarter = f"{year}-Q4"
    opens = dt.datetime(year, 10, 6, 8, 0, tzinfo=dt.UTC)
    closes = dt.datetime(year, 11, 7, 17, 0, tzinfo=dt.UTC)
    by_account_id = {accounts.ids[c]: i for i, c in enumerate(accounts.codes)}
    skill_by_id = {org.person_ids[k.code]: k.skill for k in org.kams.values()}
    out = DemoCampaigns()

    def customer_tone(invitation: Invitation) -> float:
        effect = account_effect[by_account_id[invitation.subject_account_id]]
        return float(EFFECT_TONE * effect + rng.normal(0, 1))

    def colleague_tone(invitation: Invitation) -> float:
        tone = EFFECT_TONE * skill_by_id.get(invitation.subject_person_id, 0.0)
        bias = SELF_BIAS if invitation.rater_group == "self" else 0.0
        return float(tone + bias + rng.normal(0, 0.8))

    csat = _create(session, CampaignSpec(
        code=f"csat-{year}-q4", survey=CUSTOMER_SURVEY, period=quarter, opens_at=opens,
        closes_at=closes, name=f"Customer satisfaction {quarter}", created_by=SURVEY_ADMIN,
        reminder_every_days=7, max_reminders=2))
    quality = spec.rng("response_quality")
    answered = _answer(session, csat, opens, closes, rng, customer_tone,
                       lambda invitation: CUSTOMER_RATE, quality)
    # the survey administrator has speeders of the customer survey left out of scoring
    set_exclude_speeders(session, csat.code, True, SURVEY_ADMIN, minimums, opens)
    out.campaigns.append(_close(session, csat, closes, minimums, answered))

    three_sixty = _create(session, CampaignSpec(
        code=f"360-{year}-q4", survey=THREE_SIXTY, period=quarter, opens_at=opens,
        closes_at=closes, name=f"360° feedback {quarter}", created_by=SURVEY_ADMIN,
        reminder_every_days=7, max_reminders=2))
    answered = _answer(session, three_sixty, opens, closes, rng, colleague_tone,
                       lambda invitation: THREE_SIXTY_RATES.get(invitation.rater_group, 0.7),
                       quality)
    out.campaigns.append(_close(session, three_sixty, closes, minimums, answered))

    out.campaigns.append(_pulse(session, org, accounts, periods, rng, customer_tone, now,
                                out.links, quality))
    return out


@dataclass
class Invitations:
    """A campaign just launched, and its invitations."""

    campaign: Campaign
    rows: list[Invitation]

    @property
    def code(self) -> str:
        return self.campaign.code

    @property
    def name(self) -> str:
        return self.campaign.name


def _create(session: Session, spec: CampaignSpec) -> Invitations:
    """Created and launched by the demo survey administrator, as on the campaign pages."""
    campaign = create_campaign(session, spec)
    open_campaign(session, campaign.code, spec.opens_at, actor=SURVEY_ADMIN)
    invitations = session.scalars(
        select(Invitation).where(Invitation.campaign_id == campaign.id).order_by(Invitation.id)
    ).all()
    return Invitations(campaign, list(invitations))


#: Shares of the demo's respondents who rush through (speeders) or tick one column of every
#: matrix (straight-liners), so that the response-quality page has flags to show.
SPEEDERS = 0.06
STRAIGHT_LINERS = 0.05


def _answer(session: Session, campaign: Invitations, start: dt.datetime, end: dt.datetime,
            rng: np.random.Generator, tone: Callable[[Invitation], float],
            rate: Callable[[Invitation], float], quality: np.random.Generator) -> int:
    """Let a share of the invited answer at random moments of [start, end), taking a few
    minutes each — some of them in seconds, some ticking one column of a matrix."""
    seconds = (end - start).total_seconds()
    definition = definition_of(campaign.campaign.survey_version)
    completed = []
    for invitation in campaign.rows:
        if rng.random() >= rate(invitation):
            continue
        moment = start + dt.timedelta(seconds=float(rng.uniform(60, seconds - 60)))
        language = pick_language(invitation.language, definition.languages)
        answers = questionnaire_answers(definition, tone(invitation), language, rng)
        duration = int(quality.lognormal(np.log(300), 0.35))
        if quality.random() < SPEEDERS:
            duration = int(quality.uniform(8, 25))
        if quality.random() < STRAIGHT_LINERS:
            answers = _straight_lined(definition, answers)
        completed.append(CompletedQuestionnaire(
            invitation.id, answers, moment.replace(microsecond=0), duration_seconds=duration))
    return submit_completed(session, completed)


def _straight_lined(definition: SurveyDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers with every row of each large matrix given its first row's value."""
    out = dict(answers)
    for section in definition.sections:
        for question in section.questions:
            items = question.answer_items()
            if question.type != "matrix" or len(items) < MATRIX_ITEMS:
                continue
            first = out.get(items[0])
            if isinstance(first, int) and all(isinstance(out.get(i), int) for i in items):
                out.update({item: first for item in items})
    return out


def respond(session: Session, invitation_id: int, tone: float, rng: np.random.Generator,
            now: dt.datetime, *, pages: int | None = None) -> bool:
    """Answer an invitation page by page through the answering service, as a respondent
    in the browser does; stop after ``pages`` pages (None: to the end). True if submitted."""
    page = questionnaire(session, invitation_id, now)
    for _ in range(pages if pages is not None else len(page.definition.sections)):
        values = page_answers(page.section, page.earlier_answers(), tone, page.language, rng)
        action = Action.SUBMIT if page.is_last else Action.NEXT
        outcome = answer_page(session, invitation_id, page.section.id, values, action, now)
        if outcome.submitted:
            return True
        page = questionnaire(session, invitation_id, now)
    return False


def _close(session: Session, campaign: Invitations, closes: dt.datetime, minimums: Minimums,
           answered: int) -> DemoCampaign:
    """Closed at its closing time by the scheduler, and its results computed, as the
    scheduler's ``close_due_campaigns`` does."""
    closed = close_campaign(session, campaign.code, closes)
    recompute_campaign(session, closed, minimums, closes)
    return DemoCampaign(campaign.code, campaign.name, closed.status.value,
                        len(campaign.rows), answered)


def _pulse(session: Session, org: Org, accounts: Accounts, periods: DemoPeriods,
           rng: np.random.Generator,
           tone: Callable[[Invitation], float], now: dt.datetime,
           links: list[tuple[str, str]], quality: np.random.Generator) -> DemoCampaign:
    """The open campaign: the demo manager's teams' accounts, some answers in already."""
    manager = org.teams[0].manager
    teams = {i for i, team in enumerate(org.teams) if team.manager == manager}
    chosen = [code for i, code in enumerate(accounts.codes) if int(accounts.team[i]) in teams]
    now = now.replace(minute=0, second=0, microsecond=0)
    opens, closes = now - dt.timedelta(days=9), now + dt.timedelta(days=21)
    pulse = _create(session, CampaignSpec(
        code=f"csat-{periods.year}-pulse", survey=CUSTOMER_SURVEY, period=str(periods.year),
        opens_at=opens, closes_at=closes, name=f"Customer pulse {periods.year}",
        accounts=chosen, created_by=SURVEY_ADMIN, reminder_every_days=7, max_reminders=2))
    draws = rng.random(len(pulse.rows))
    answering = {i.id for i, d in zip(pulse.rows, draws, strict=True) if d < PULSE_ANSWERED}
    answered = _answer(session, pulse, opens, now, rng, tone,
                       lambda invitation: 1.0 if invitation.id in answering else 0.0, quality)
    seconds = (now - opens).total_seconds()
    unused: list[Invitation] = []
    for invitation, draw in zip(pulse.rows, draws, strict=True):
        if PULSE_ANSWERED <= draw < PULSE_ANSWERED + PULSE_STARTED:
            moment = opens + dt.timedelta(seconds=float(rng.uniform(60, seconds)))
            respond(session, invitation.id, tone(invitation), rng,
                    moment.replace(microsecond=0), pages=1)
        elif draw >= PULSE_ANSWERED + PULSE_STARTED:
            unused.append(invitation)
    for language in ("en", "zh-Hant"):
        invitation = next((i for i in unused if i.language == language), None)
        if invitation is not None:
            links.append((language, issue_token(session, invitation)))
    session.flush()
    return DemoCampaign(pulse.code, pulse.name, "open", len(pulse.rows), answered)
