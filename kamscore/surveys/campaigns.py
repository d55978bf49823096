"""Campaigns: a survey sent for a period to a population; draft → open → closed.

The functions take a ``Session`` and leave committing to the caller (one transaction per
command or request, so a failed ``create_campaign`` writes nothing). Sending the e-mails is
``mailing``'s job; opening a campaign here only changes its state.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.models import (
    NOMINATED_GROUPS,
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
from kamscore.surveys.nominated_raters import invite_approved, shortfalls
from kamscore.surveys.population import (
    customer_invitees,
    kams_of_teams,
    self_invitees,
    three_sixty_invitees,
)
from kamscore.texts import _

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
    teams: Sequence[str] | None = None  # 360° surveys: the KAMs of these teams (with kams)
    anonymous: bool | None = None  # None: as the definition says (360s always anonymous)
    language: str = "en"  # 360° invitations (people have no language of their own)
    reminder_every_days: int | None = None
    max_reminders: int = 2
    created_by: str | None = None
    surveys_dir: str | None = None  # an extra folder of definitions
    #: reminders this many days before the closing time (instead of reminder_every_days)
    reminder_days_before_close: Sequence[int] | None = None
    languages: Sequence[str] | None = None  # offered to respondents (None: the definition's)
    #: 360°: raters nominated by the KAMs, approved by their managers (not from the org)
    raters_nominated: bool = False
    #: nominated 360°: approved raters each KAM needs per group before the campaign opens
    nomination_minimums: Mapping[str, int] | None = None


def create_campaign(session: Session, spec: CampaignSpec) -> Campaign:
    """A draft campaign with one invitation per respondent and subject."""
    _check_spec(spec)
    if session.scalar(select(Campaign.id).where(Campaign.code == spec.code)) is not None:
        raise Conflict(_("a campaign %(code)r exists already", code=spec.code), field="code")
    period = session.scalars(select(Period).where(Period.code == spec.period)).one_or_none()
    if period is None:
        raise NotFound(_("no period %(period)r", period=spec.period), field="period")
    version, definition = snapshot(session, find_definition(spec.survey,
                                                            search_dirs(spec.surveys_dir)))
    is_360 = version.kind is SurveyKind.INTERNAL_360
    if is_360 and spec.anonymous is False:
        raise SurveyError("360° campaigns are always anonymous", field="anonymous")
    if is_360 and spec.accounts:
        raise SurveyError("a 360° campaign is about KAMs; give kams, not accounts",
                          field="accounts")
    if spec.teams:
        if not is_360:
            raise SurveyError("a customer campaign is about accounts; give accounts, not "
                              "teams", field="teams")
        spec = replace(spec, kams=sorted({*(spec.kams or ()),
                                          *kams_of_teams(session, spec.teams)}))
    if not is_360 and spec.kams:
        raise SurveyError("a customer campaign is about accounts; give accounts, not kams",
                          field="kams")
    languages = _languages(spec.languages, definition.languages)
    if spec.raters_nominated and not is_360:
        raise SurveyError("raters are nominated in 360° campaigns only",
                          field="raters_nominated")
    if spec.raters_nominated:
        invitees = self_invitees(session, period, spec.kams, spec.language)
    elif is_360:
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
        reminder_days_before_close=(sorted(set(spec.reminder_days_before_close), reverse=True)
                                    if spec.reminder_days_before_close else None),
        languages=languages, raters_nominated=spec.raters_nominated,
        nomination_minimums=(_minimums(spec.nomination_minimums)
                             if spec.raters_nominated else None),
    )
    session.add(campaign)
    for invitee in invitees:
        session.add(Invitation(campaign=campaign, **invitee.__dict__))
    session.flush()
    record(session, spec.created_by, "campaign.create", "campaign", spec.code,
           survey=version.survey_key, period=period.code, invitations=len(invitees))
    return campaign


def _languages(wanted: Sequence[str] | None, offered: tuple[str, ...]) -> list[str] | None:
    if not wanted:
        return None
    unknown = [lang for lang in wanted if lang not in offered]
    if unknown:
        raise SurveyError(_("the survey is not written in %(languages)s; it offers "
                            "%(offered)s", languages=", ".join(unknown),
                            offered=", ".join(offered)), field="languages")
    if "en" not in wanted:
        raise SurveyError(_("English is always offered (texts fall back to it)"),
                          field="languages")
    return [lang for lang in offered if lang in wanted]


def _minimums(given: Mapping[str, int] | None) -> dict[str, int]:
    minimums = {group: 0 for group in NOMINATED_GROUPS}
    for group, count in (given or {}).items():
        if group not in minimums:
            raise SurveyError(f"unknown rater group {group!r}; nominations are for "
                              f"{', '.join(NOMINATED_GROUPS)}", field="nomination_minimums")
        if not 0 <= int(count) <= 50:
            raise SurveyError(f"the minimum of {group} is 0 to 50",
                              field="nomination_minimums")
        minimums[group] = int(count)
    return minimums


def offered_languages(campaign: Campaign, definition_languages: tuple[str, ...]
                      ) -> tuple[str, ...]:
    """The languages respondents of ``campaign`` may choose, in the definition's order."""
    if not campaign.languages:
        return definition_languages
    return tuple(lang for lang in definition_languages if lang in campaign.languages)


def _check_spec(spec: CampaignSpec) -> None:
    texts = {"period": [spec.period], "survey": [spec.survey], "timezone": [spec.timezone],
             "accounts": list(spec.accounts or ()), "kams": list(spec.kams or ()),
             "teams": list(spec.teams or ()), "languages": list(spec.languages or ()),
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
        raise SurveyError(_("closes_at must be after opens_at"), field="closes_at")
    try:
        ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SurveyError(_("unknown time zone %(zone)r", zone=spec.timezone),
                          field="timezone") from exc
    if spec.reminder_every_days is not None and spec.reminder_every_days < 1:
        raise SurveyError("reminders can be at most daily (reminder_every_days >= 1)",
                          field="reminder_every_days")
    if spec.reminder_every_days is not None and spec.reminder_every_days > MAX_REMINDER_DAYS:
        raise SurveyError(f"reminders come at least once a year (reminder_every_days <= "
                          f"{MAX_REMINDER_DAYS})", field="reminder_every_days")
    offsets = list(spec.reminder_days_before_close or ())
    if offsets and spec.reminder_every_days is not None:
        raise SurveyError("give reminders either every N days or days before the close, "
                          "not both", field="reminder_days_before_close")
    if any(not 1 <= days <= MAX_REMINDER_DAYS for days in offsets):
        raise SurveyError(f"reminders come 1 to {MAX_REMINDER_DAYS} days before the close",
                          field="reminder_days_before_close")
    if len(set(offsets)) > MAX_REMINDERS:
        raise SurveyError(f"at most {MAX_REMINDERS} reminders",
                          field="reminder_days_before_close")
    if spec.max_reminders < 0:
        raise SurveyError("max_reminders cannot be negative", field="max_reminders")
    if spec.max_reminders > MAX_REMINDERS:
        raise SurveyError(f"at most {MAX_REMINDERS} reminders", field="max_reminders")


def get_campaign(session: Session, code: str) -> Campaign:
    if not CODE_PATTERN.match(code):  # also keeps NUL bytes and the like away from the DB
        raise NotFound(_("no campaign %(code)r", code=code), field="code")
    campaign = session.scalars(select(Campaign).where(Campaign.code == code)).one_or_none()
    if campaign is None:
        raise NotFound(_("no campaign %(code)r", code=code), field="code")
    return campaign


def open_campaign(session: Session, code: str, now: dt.datetime,
                  actor: str | None = None) -> Campaign:
    """Open a draft campaign now (earlier than planned if need be).

    Opening after the closing time is refused: the campaign would take no answer.
    """
    campaign = get_campaign(session, code)
    if campaign.status is not CampaignStatus.DRAFT:
        raise Conflict(_("campaign %(code)s is %(status)s; only a draft opens", code=code,
                         status=campaign.status.value), field="status")
    if now >= campaign.closes_at:
        raise Conflict(_("campaign %(code)s was to close at %(when)s; change its closing time "
                         "first", code=code, when=campaign.closes_at.isoformat()),
                       field="closes_at")
    short = shortfalls(session, campaign)
    if short:
        raise Conflict(_("campaign %(code)s cannot open: %(shortfalls)s", code=code,
                         shortfalls="; ".join(map(str, short))), field="nominations")
    raters = invite_approved(session, campaign) if campaign.raters_nominated else 0
    campaign.status = CampaignStatus.OPEN
    campaign.opened_at = now
    if campaign.opens_at > now:
        campaign.opens_at = now
    session.flush()
    record(session, actor, "campaign.launch", "campaign", code,
           **({"nominated_raters": raters} if campaign.raters_nominated else {}))
    return campaign


def close_campaign(session: Session, code: str, now: dt.datetime,
                   actor: str | None = None) -> Campaign:
    """Close a campaign for good (a draft closed this way is cancelled). ``actor`` is who
    closed it, for the audit log (None: the scheduler, at the closing time)."""
    campaign = get_campaign(session, code)
    if campaign.status is CampaignStatus.CLOSED:
        raise Conflict(_("campaign %(code)s is closed already", code=code), field="status")
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
    def group(self) -> str:
        return self.rater_group

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
