"""``kamscore campaign ...``: create, open, close, list and report on survey campaigns;
send invitations and reminders; record bounces."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import current_app
from flask.cli import AppGroup

from kamscore.api.schemas.campaigns import CampaignReportSchema
from kamscore.cli.ruleset_lifecycle import default_user
from kamscore.db.session import get_db
from kamscore.mail.sending import get_mailer
from kamscore.models import CampaignStatus
from kamscore.surveys import campaigns, mailing
from kamscore.surveys.errors import SurveyError


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _instant(value: str, timezone: str, option: str) -> dt.datetime:
    """ISO 8601; without an offset it is read in ``--timezone``."""
    try:
        instant = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO date-time such as "
                                 "2026-03-01T09:00 or 2026-03-01T09:00+08:00",
                                 param_hint=option) from exc
    if instant.tzinfo is None:
        try:
            instant = instant.replace(tzinfo=ZoneInfo(timezone))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise click.BadParameter(f"unknown time zone {timezone!r}",
                                     param_hint="--timezone") from exc
    return instant


def _fail(exc: SurveyError) -> click.ClickException:
    where = f" (--{exc.field.replace('_', '-')})" if exc.field else ""
    return click.ClickException("\n".join([f"{exc.message}{where}", *exc.problems]))


@click.group("campaign", cls=AppGroup)
def campaign_group() -> None:
    """Survey campaigns: a survey sent for a period to a population."""


@campaign_group.command("create")
@click.argument("code")
@click.option("--survey", required=True, help="survey key (e.g. customer_satisfaction) or file")
@click.option("--period", required=True, help="period code, e.g. 2026-Q1")
@click.option("--opens", "opens", required=True, help="opening date-time (ISO 8601)")
@click.option("--closes", "closes", required=True, help="closing date-time (ISO 8601)")
@click.option("--timezone", default="UTC", show_default=True,
              help="IANA zone for times without offset, and shown to respondents")
@click.option("--name", help="a name for lists (default: the survey title and period)")
@click.option("--account", "accounts", multiple=True,
              help="customer surveys: an account code (repeat); default: all with a KAM")
@click.option("--kam", "kams", multiple=True,
              help="360° surveys: a KAM's person code (repeat); default: every KAM")
@click.option("--anonymous/--named", default=None,
              help="customer surveys: override the definition (360s are always anonymous)")
@click.option("--language", default="en", show_default=True,
              help="360° surveys: language of the invitations")
@click.option("--reminder-every", "reminder_every_days", type=int,
              help="days between reminders to those who have not answered")
@click.option("--max-reminders", default=2, show_default=True, type=int)
@click.option("--remind-before", "remind_before", multiple=True, type=int,
              help="a reminder this many days before the close (repeat; not with "
                   "--reminder-every)")
def create_command(code: str, survey: str, period: str, opens: str, closes: str,
                   timezone: str, name: str | None, accounts: tuple[str, ...],
                   kams: tuple[str, ...], anonymous: bool | None, language: str,
                   reminder_every_days: int | None, max_reminders: int,
                   remind_before: tuple[int, ...]) -> None:
    """Create draft campaign CODE with its invitations."""
    spec = campaigns.CampaignSpec(
        code=code, survey=survey, period=period, name=name, timezone=timezone,
        opens_at=_instant(opens, timezone, "--opens"),
        closes_at=_instant(closes, timezone, "--closes"),
        accounts=list(accounts) or None, kams=list(kams) or None, anonymous=anonymous,
        language=language, reminder_every_days=reminder_every_days,
        max_reminders=max_reminders, created_by="cli",
        reminder_days_before_close=list(remind_before) or None,
        surveys_dir=current_app.config.get("SURVEYS_DIR"),
    )
    with get_db().session() as session:
        try:
            campaign = campaigns.create_campaign(session, spec)
        except SurveyError as exc:
            raise _fail(exc) from exc
        click.echo(f"campaign {campaign.code} created (draft): {len(campaign.invitations)} "
                   f"invitations, {'anonymous' if campaign.anonymous else 'named'}, "
                   f"{campaign.opens_at.isoformat()} → {campaign.closes_at.isoformat()}")


@campaign_group.command("open")
@click.argument("code")
def open_command(code: str) -> None:
    """Open draft campaign CODE now and e-mail its invitations."""
    with get_db().sessionmaker() as session:
        try:
            summary = mailing.open_and_invite(
                session, code, get_mailer(current_app),
                base_url=current_app.config["PUBLIC_BASE_URL"], now=_now(),
                actor=default_user())
        except SurveyError as exc:
            raise _fail(exc) from exc
    click.echo(f"campaign {code} is open; invitations: {summary}")


@campaign_group.command("send")
@click.argument("code")
def send_command(code: str) -> None:
    """E-mail the invitations of open campaign CODE not sent yet (or that failed)."""
    with get_db().sessionmaker() as session:
        try:
            summary = mailing.send_invitations(
                session, code, get_mailer(current_app),
                base_url=current_app.config["PUBLIC_BASE_URL"], now=_now(),
                actor=default_user())
        except SurveyError as exc:
            raise _fail(exc) from exc
    click.echo(f"invitations: {summary}")


@campaign_group.command("remind")
@click.argument("code")
@click.option("--number", "sequence", type=int, required=True,
              help="which reminder this is (1, 2, ...); each number is sent once")
def remind_command(code: str, sequence: int) -> None:
    """Send reminder NUMBER of campaign CODE to those who have not answered."""
    if sequence < 1:
        raise click.BadParameter("reminders are numbered from 1", param_hint="--number")
    with get_db().sessionmaker() as session:
        try:
            summary = mailing.send_reminders(
                session, code, sequence, get_mailer(current_app),
                base_url=current_app.config["PUBLIC_BASE_URL"], now=_now(),
                actor=default_user())
        except SurveyError as exc:
            raise _fail(exc) from exc
    click.echo(f"reminder {sequence}: {summary}")


@campaign_group.command("close")
@click.argument("code")
def close_command(code: str) -> None:
    """Close campaign CODE: it takes no more answers."""
    with get_db().session() as session:
        try:
            campaign = campaigns.close_campaign(session, code, _now(), default_user())
        except SurveyError as exc:
            raise _fail(exc) from exc
        click.echo(f"campaign {campaign.code} closed")


@campaign_group.command("list")
@click.option("--status", type=click.Choice([s.value for s in CampaignStatus]))
def list_command(status: str | None) -> None:
    """List campaigns, newest first."""
    with get_db().session() as session:
        found = campaigns.list_campaigns(session, CampaignStatus(status) if status else None)
        if not found:
            click.echo("no campaigns")
        for campaign in found:
            click.echo(f"{campaign.code:<20} {campaign.status.value:<7} "
                       f"{campaign.survey_version.survey_key:<24} {campaign.period.code:<8} "
                       f"{campaign.opens_at:%Y-%m-%d %H:%M}Z → "
                       f"{campaign.closes_at:%Y-%m-%d %H:%M}Z")


@campaign_group.command("report")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def report_command(code: str, as_json: bool) -> None:
    """Invited, answered and response rate of campaign CODE (by rater group)."""
    with get_db().session() as session:
        try:
            report = campaigns.campaign_report(session, code)
        except SurveyError as exc:
            raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(CampaignReportSchema().dump(report), indent=2))
        return
    rate = f"{report.response_rate:.0%}" if report.response_rate is not None else "-"
    click.echo(f"{report.code} ({report.status}): {report.answered}/{report.invited} answered "
               f"({rate}); {report.opted_out} opted out, {report.bounced} bounced; "
               f"mail: {report.mails_sent} sent, {report.mails_failed} failed")
    for group in report.by_group:
        group_rate = f"{group.response_rate:.0%}" if group.response_rate is not None else "-"
        click.echo(f"  {group.rater_group:<20} {group.answered:>4}/{group.invited:<4} {group_rate}")


@campaign_group.command("bounce")
@click.argument("email")
@click.option("--detail", help="the bounce message, e.g. '550 5.1.1 user unknown'")
def bounce_command(email: str, detail: str | None) -> None:
    """Record that mail to EMAIL bounced: no more survey e-mail goes to it."""
    with get_db().session() as session:
        try:
            marked = mailing.record_bounce(session, email, detail, _now())
        except SurveyError as exc:
            raise _fail(exc) from exc
    click.echo(f"{email}: bounce recorded; {marked} open invitation(s) marked")
