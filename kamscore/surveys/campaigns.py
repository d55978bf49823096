"""Campaigns: a survey sent for a period to a population; draft → open → closed.

The functions take a ``Session`` and leave committing to the caller (one transaction per
command or request, so a failed ``create_campaign`` writes nothing). Sending the e-mails is
``mailing``'s job; opening a campaign here only changes its state.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.models import (
    Campaign,
    CampaignStatus,
    Invitation,
    InvitationStatus,
    MessageStatus,
    Period,
    SubjectType,
    SurveyKind,
    SurveyMessage,
)
from kamscore.surveys.catalog import find_definition, search_dirs, snapshot
from kamscore.surveys.errors import Conflict, NotFound, SurveyError
from kamscore.surveys.population import customer_invitees, three_sixty_invitees

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
#: Reminders come at most this many days apart, and at most this many times.
MAX_REMINDER_DAYS = 365
MAX_REMINDERS = 10


@dataclass(frozen=True)
class CampaignSpec:
    """What ``create_campaign`` needs; instants must be timezone-aware."""

    code: str
    survey: str  # a survey key or a path to a definition file
    period: str  # period code
    opens_at: dt.datetime
    closes_at: dt.datetime
    name: str | None = None
    timezone: str = "UTC"
    accounts: Sequence[str] | None = None  # customer surveys: account codes (None: all)
    kams: Sequence[str] | None = None  # 360° surveys: KAM codes (None: all in role)
    anonymous: bool | None = None  # None: as the definition says (360s always anonymous)
    language: str = "en"  # 360° invitations (people have no language of their own)
    reminder_every_days: int | None = None
    max_reminders: int = 2
    created_by: str | None = None
    surveys_dir: str | None = None  # an extra folder of definitions


def create_campaign(session: Session, spec: CampaignSpec) -> Campaign:
    """A draft campaign with one invitation per respondent and subject."""
    _check_spec(spec)
    if session.scalar(select(Campaign.id).where(Campaign.code == spec.code)) is not None:
        raise Conflict(f"a campaign {spec.code!r} exists already", field="code")
    period = session.scalars(select(Period).where(Period.code == spec.period)).one_or_none()
    if period is None:
        raise NotFound(f"no period {spec.period!r}", field="period")
    version, definition = snapshot(session, find_definition(spec.survey,
                                                            search_dirs(spec.surveys_dir)))
    is_360 = version.kind is SurveyKind.INTERNAL_360
    if is_360 and spec.anonymous is False:
        raise SurveyError("360° campaigns are always anonymous", field="anonymous")
    if is_360 and spec.accounts:
        raise SurveyError("a 360° campaign is about KAMs; give kams, not accounts",
                          field="accounts")
    if not is_360 and spec.kams:
        raise SurveyError("a customer campaign is about accounts; give accounts, not kams",
                          field="kams")
    if is_360:
        invitees = three_sixty_invitees(session, period, spec.kams, spec.language)
    else:
        invitees = customer_invitees(session, period, spec.accounts)
    if not invitees:
        raise SurveyError("nobody to invite: the chosen accounts have no stakeholders",
                          field="accounts")
    campaign = Campaign(
        code=spec.code,
        name=spec.name or f"{definition.in_general(definition.title)} {period.code}",
        survey_version=version, period=period,
        subject_type=SubjectType.KAM if is_360 else SubjectType.ACCOUNT,
        anonymous=True if is_360 else (definition.anonymous if spec.anonymous is None
                                       else spec.anonymous),
        status=CampaignStatus.DRAFT, opens_at=spec.opens_at, closes_at=spec.closes_at,
        timezone=spec.timezone, reminder_every_days=spec.reminder_every_days,
        max_reminders=spec.max_reminders, created_by=spec.created_by,
    )
    session.add(campaign)
    for invitee in invitees:
        session.add(Invitation(campaign=campaign, **invitee.__dict__))
    session.flush()
    record(session, spec.created_by, "campaign.create", "campaign", spec.code,
           survey=version.survey_key, period=period.code, invitations=len(invitees))
    return campaign


def _check_spec(spec: CampaignSpec) -> None:
    texts = {"period": [spec.period], "survey": [spec.survey], "timezone": [spec.timezone],
             "accounts": list(spec.accounts or ()), "kams": list(spec.kams or ()),
             "name": [spec.name or ""], "language": [spec.language]}
    for name, values in texts.items():
        if any("\x00" in value for value in values):
            raise SurveyError("text with a NUL character", field=name)
    if not CODE_PATTERN.match(spec.code):
        raise SurveyError("a campaign code is 1-40 letters, digits, '.', '_' or '-'",
                          field="code")
    for name in ("opens_at", "closes_at"):
        instant = getattr(spec, name)
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise SurveyError(f"{name} needs a time zone (e.g. 2026-03-01T09:00+08:00)",
                              field=name)
        try:
            instant.astimezone(dt.UTC)  # as it is stored
        except OverflowError as exc:
            raise SurveyError(f"{name} is out of range: {instant.isoformat()} has no UTC "
                              "time before year 10000", field=name) from exc
    if spec.closes_at <= spec.opens_at:
        raise SurveyError("closes_at must be after opens_at", field="closes_at")
    try:
        ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SurveyError(f"unknown time zone {spec.timezone!r}", field="timezone") from exc
    if spec.reminder_every_days is not None and spec.reminder_every_days < 1:
        raise SurveyError("reminders can be at most daily (reminder_every_days >= 1)",
                          field="reminder_every_days")
    if spec.reminder_every_days is not None and spec.reminder_every_days > MAX_REMINDER_DAYS:
        raise SurveyError(f"reminders come at least once a year (reminder_every_days <= "
                          f"{MAX_REMINDER_DAYS})", field="reminder_every_days")
    if spec.max_reminders < 0:
        raise SurveyError("max_reminders cannot be negative", field="max_reminders")
    if spec.max_reminders > MAX_REMINDERS:
        raise SurveyError(f"at most {MAX_REMINDERS} reminders", field="max_reminders")


def get_campaign(session: Session, code: str) -> Campaign:
    if not CODE_PATTERN.match(code):  # also keeps NUL bytes and the like away from the DB
        raise NotFound(f"no campaign {code!r}", field="code")
    campaign = session.scalars(select(Campaign).where(Campaign.code == code)).one_or_none()
    if campaign is None:
        raise NotFound(f"no campaign {code!r}", field="code")
    return campaign


def open_campaign(session: Session, code: str, now: dt.datetime,
                  actor: str | None = None) -> Campaign:
    """Open a draft campaign now (earlier than planned if need be).

    Opening after the closing time is refused: the campaign would take no answer.
    """
    campaign = get_campaign(session, code)
    if campaign.status is not CampaignStatus.DRAFT:
        raise Conflict(f"campaign {code} is {campaign.status.value}; only a draft opens",
                       field="status")
    if now >= campaign.closes_at:
        raise Conflict(f"campaign {code} was to close at {campaign.closes_at.isoformat()}; "
                       "change its closing time first", field="closes_at")
    campaign.status = CampaignStatus.OPEN
    campaign.opened_at = now
    if campaign.opens_at > now:
        campaign.opens_at = now
    session.flush()
    record(session, actor, "campaign.launch", "campaign", code)
    return campaign


def close_campaign(session: Session, code: str, now: dt.datetime,
                   actor: str | None = None) -> Campaign:
    """Close a campaign for good (a draft closed this way is cancelled). ``actor`` is who
    closed it, for the audit log (None: the scheduler, at the closing time)."""
    campaign = get_campaign(session, code)
    if campaign.status is CampaignStatus.CLOSED:
        raise Conflict(f"campaign {code} is closed already", field="status")
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = now
    session.flush()
    record(session, actor, "campaign.close", "campaign", code)
    return campaign


def list_campaigns(session: Session, status: CampaignStatus | None = None) -> list[Campaign]:
    query = select(Campaign).order_by(Campaign.opens_at.desc(), Campaign.code)
    if status is not None:
        query = query.where(Campaign.status == status)
    return list(session.scalars(query))


@dataclass(frozen=True)
class GroupCount:
    rater_group: str
    invited: int
    answered: int

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.invited if self.invited else None


@dataclass(frozen=True)
class CampaignReport:
    """Who was asked and how many answered — counts only, never answers."""

    code: str
    name: str
    survey: str
    period: str
    status: str
    anonymous: bool
    opens_at: dt.datetime
    closes_at: dt.datetime
    invited: int
    answered: int
    opted_out: int
    bounced: int
    mails_sent: int
    mails_failed: int
    by_group: list[GroupCount] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.invited if self.invited else None


def campaign_report(session: Session, code: str) -> CampaignReport:
    campaign = get_campaign(session, code)
    answered = Invitation.status == InvitationStatus.SUBMITTED
    rows = session.execute(
        select(Invitation.rater_group, func.count(),
               func.count().filter(answered),
               func.count(Invitation.opted_out_at), func.count(Invitation.bounced_at))
        .where(Invitation.campaign_id == campaign.id)
        .group_by(Invitation.rater_group).order_by(Invitation.rater_group)
    ).all()
    mails = dict(session.execute(
        select(SurveyMessage.status, func.count())
        .join(Invitation, Invitation.id == SurveyMessage.invitation_id)
        .where(Invitation.campaign_id == campaign.id).group_by(SurveyMessage.status)
    ).all())
    return CampaignReport(
        code=campaign.code, name=campaign.name, survey=campaign.survey_version.survey_key,
        period=campaign.period.code, status=campaign.status.value,
        anonymous=campaign.anonymous, opens_at=campaign.opens_at,
        closes_at=campaign.closes_at,
        invited=sum(r[1] for r in rows), answered=sum(r[2] for r in rows),
        opted_out=sum(r[3] for r in rows), bounced=sum(r[4] for r in rows),
        mails_sent=mails.get(MessageStatus.SENT, 0),
        mails_failed=mails.get(MessageStatus.FAILED, 0),
        by_group=[GroupCount(r[0], r[1], r[2]) for r in rows],
    )
