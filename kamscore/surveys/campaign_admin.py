"""Running a campaign from the browser (service; no Flask): the catalogue of definitions, the
population to choose from, extending, reminding now, the reminders sent, and a preview of
each page as a respondent sees it — which writes nothing.

Creating, opening and closing are ``campaigns``'s; sending is ``mailing``'s. Each step that
changes something is in the audit log (``campaign.extend``; ``campaign.remind`` by
``mailing``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.content.yaml_source import SourceError, read_source
from kamscore.mail.sending import Mailer
from kamscore.models import (
    Account,
    Campaign,
    CampaignStatus,
    Invitation,
    MessageKind,
    MessageStatus,
    Period,
    SurveyMessage,
    Team,
)
from kamscore.surveys.answering import Questionnaire
from kamscore.surveys.campaigns import (
    MAX_REMINDERS,
    CampaignReport,
    campaign_report,
    get_campaign,
    offered_languages,
)
from kamscore.surveys.catalog import definition_of, search_dirs
from kamscore.surveys.definition import parse_definition
from kamscore.surveys.errors import Conflict, NotFound, SurveyError
from kamscore.surveys.jobs import reminder_instants
from kamscore.surveys.mailing import SendSummary, send_reminders
from kamscore.surveys.nominated_raters import Shortfall, shortfalls
from kamscore.texts import _


@dataclass(frozen=True)
class CatalogueEntry:
    """A survey definition a campaign can be created from."""

    key: str
    title: str
    kind: str  # customer | internal_360
    languages: tuple[str, ...]
    anonymous: bool
    #: The title in each language of the definition (``{subject}`` unfilled).
    titles: Mapping[str, str] = field(default_factory=dict)


def catalogue(surveys_dir: str | Path | None = None) -> list[CatalogueEntry]:
    """The valid definitions in the survey folders (an extra folder's first, by key)."""
    found: dict[str, CatalogueEntry] = {}
    for folder in search_dirs(surveys_dir):
        for path in sorted(Path(folder).glob("*.y*ml")):
            try:
                definition = parse_definition(read_source(path), str(path))
            except (SourceError, OSError):
                continue  # an invalid file is reported when someone picks it (CLI, API)
            found.setdefault(definition.key, CatalogueEntry(
                definition.key, definition.title.get("en"), definition.kind,
                tuple(definition.languages), definition.anonymous,
                dict(definition.title.by_language)))
    return sorted(found.values(), key=lambda e: e.key)


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


@dataclass(frozen=True)
class PopulationChoices:
    """What the create form offers: periods, accounts (customers), teams (colleagues)."""

    periods: list[Choice]
    accounts: list[Choice]
    teams: list[Choice]


def population_choices(session: Session) -> PopulationChoices:
    def pairs(model: type[Period] | type[Account] | type[Team]) -> list[Choice]:
        return [Choice(code, name) for code, name in
                session.execute(select(model.code, model.name).order_by(model.code))]

    periods = [Choice(code, code) for code in
               session.scalars(select(Period.code).order_by(Period.start_date.desc()))]
    return PopulationChoices(periods, pairs(Account), pairs(Team))


def extend_campaign(session: Session, code: str, closes_at: dt.datetime, now: dt.datetime,
                    actor: str | None) -> Campaign:
    """Move a draft's or an open campaign's closing time later (reminders planned before
    the close move with it)."""
    campaign = get_campaign(session, code)
    if campaign.status is CampaignStatus.CLOSED:
        raise Conflict(_("campaign %(code)s is closed; it cannot be extended", code=code),
                       field="status")
    if closes_at.tzinfo is None:  # a time as the campaign's time zone reads it
        closes_at = closes_at.replace(tzinfo=ZoneInfo(campaign.timezone))
    if closes_at <= campaign.closes_at:
        raise SurveyError(_("the new closing time must be later than the current one (close "
                            "the campaign now to end it early)"), field="closes_at")
    if closes_at <= now:
        raise SurveyError(_("the new closing time is in the past"), field="closes_at")
    before = campaign.closes_at
    campaign.closes_at = closes_at
    session.flush()
    record(session, actor, "campaign.extend", "campaign", code,
           closes_before=before.isoformat(), closes_at=closes_at.isoformat())
    return campaign


def next_reminder(session: Session, campaign: Campaign) -> int:
    """The number the next reminder gets: one more than the last sent, scheduled or not."""
    last = session.scalar(
        select(func.max(SurveyMessage.sequence))
        .join(Invitation, Invitation.id == SurveyMessage.invitation_id)
        .where(Invitation.campaign_id == campaign.id,
               SurveyMessage.kind == MessageKind.REMINDER)
    )
    return (last or 0) + 1


def remind_now(session: Session, code: str, mailer: Mailer, *, base_url: str,
               now: dt.datetime, actor: str | None) -> SendSummary:
    """Send the next reminder now to everyone who has not answered (it counts as the next
    planned one: the schedule does not send it again). Commits, like ``mailing``."""
    campaign = get_campaign(session, code)
    sequence = next_reminder(session, campaign)
    if sequence > MAX_REMINDERS:
        raise Conflict(_("campaign %(code)s has had %(count)s reminders already", code=code,
                         count=MAX_REMINDERS), field="status")
    return send_reminders(session, code, sequence, mailer, base_url=base_url, now=now,
                          actor=actor)


@dataclass(frozen=True)
class ReminderRound:
    sequence: int
    first_at: dt.datetime | None
    sent: int
    failed: int
    skipped: int


def reminders_sent(session: Session, campaign: Campaign) -> list[ReminderRound]:
    """Each reminder round of the campaign with its outcome (counts only)."""
    rows = session.execute(
        select(SurveyMessage.sequence, func.min(SurveyMessage.created_at),
               func.count().filter(SurveyMessage.status == MessageStatus.SENT),
               func.count().filter(SurveyMessage.status == MessageStatus.FAILED),
               func.count().filter(SurveyMessage.status == MessageStatus.SKIPPED))
        .join(Invitation, Invitation.id == SurveyMessage.invitation_id)
        .where(Invitation.campaign_id == campaign.id,
               SurveyMessage.kind == MessageKind.REMINDER)
        .group_by(SurveyMessage.sequence).order_by(SurveyMessage.sequence)
    ).all()
    return [ReminderRound(*row) for row in rows]


def preview(session: Session, code: str, language: str | None, page: int) -> Questionnaire:
    """Page ``page`` (1-based, every section counted) of a campaign's questionnaire as a
    respondent would see it, in ``language``; reads only. The subject is the campaign's
    first (a real name, as in the e-mails)."""
    campaign = get_campaign(session, code)
    definition = definition_of(campaign.survey_version)
    languages = offered_languages(campaign, definition.languages)
    if language not in languages:
        language = languages[0]
    count = len(definition.sections)
    if not 1 <= page <= count:
        raise NotFound(f"the survey has {count} page(s)", field="page")
    first = session.scalars(
        select(Invitation).where(Invitation.campaign_id == campaign.id)
        .order_by(Invitation.id).limit(1)
    ).first()
    subject = first and (first.subject_account or first.subject_person)
    return Questionnaire(
        definition=definition, invitation_id=0, language=language,
        subject_name=subject.name if subject else "", languages=languages,
        rater_group=first.rater_group if first else "", anonymous=campaign.anonymous,
        answers={}, section_index=page - 1, shown=list(range(count)),
    )


@dataclass(frozen=True)
class CampaignState:
    """What the campaign's management page shows: live counts, never answers."""

    campaign: Campaign
    report: CampaignReport
    languages: tuple[str, ...]
    pages: int  # sections of the questionnaire (what a preview pages through)
    reminders_planned: list[dt.datetime]
    reminders: list[ReminderRound]
    shortfalls: list[Shortfall]

    @property
    def is_360(self) -> bool:
        return self.campaign.subject_type.value == "kam"


def campaign_state(session: Session, code: str) -> CampaignState:
    campaign = get_campaign(session, code)
    definition = definition_of(campaign.survey_version)
    return CampaignState(
        campaign=campaign, report=campaign_report(session, code),
        languages=offered_languages(campaign, definition.languages),
        pages=len(definition.sections), reminders_planned=reminder_instants(campaign),
        reminders=reminders_sent(session, campaign),
        shortfalls=shortfalls(session, campaign) if campaign.status is CampaignStatus.DRAFT
        else [],
    )
