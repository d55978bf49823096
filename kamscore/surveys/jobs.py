"""The survey campaigns' scheduled work, as plain service functions of (session factory, now).

The scheduler process (``kamscore scheduler``) calls these every minute; tests call them
directly with a fixed clock. Each looks at the *state* of the campaigns, not at which ticks
were missed, so a run after any pause does everything that fell due meanwhile, once:

- ``open_due_campaigns``: drafts whose opening time has come are opened and their invitations
  e-mailed (and invitations of open campaigns that never went out are sent);
- ``close_due_campaigns``: open campaigns past their closing time are closed and their
  aggregates computed;
- ``send_due_reminders``: the *latest* reminder that has fallen due goes to everyone who has
  not answered — after a long pause one reminder, not a burst of the missed ones;
- ``recompute_closed_campaigns``: closed campaigns without up-to-date aggregates (a
  failed or interrupted computation, or minimum group sizes changed in the settings) are
  computed.

Nothing is done twice, whoever runs the job and however often: opening and closing check
the state inside the transaction (a second scheduler gets a ``Conflict`` and moves on), each
e-mail is claimed by a UNIQUE row before it is sent (``mailing``), and aggregates are
replaced as a whole in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kamscore.mail.sending import Mailer
from kamscore.models import Campaign, CampaignStatus, Invitation, MessageKind, SurveyMessage
from kamscore.surveys.aggregate_store import Minimums, campaigns_to_recompute, recompute_campaign
from kamscore.surveys.campaigns import close_campaign, get_campaign, open_campaign
from kamscore.surveys.errors import Conflict
from kamscore.surveys.mailing import send_invitations, send_reminders

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]


def open_due_campaigns(session_factory: SessionFactory, now: dt.datetime, *, mailer: Mailer,
                       base_url: str) -> str:
    """Open the drafts whose time has come; e-mail invitations not sent yet."""
    with session_factory() as session:
        due = session.scalars(
            select(Campaign.code).where(Campaign.status == CampaignStatus.DRAFT,
                                        Campaign.opens_at <= now, Campaign.closes_at > now)
            .order_by(Campaign.opens_at, Campaign.code)
        ).all()
    opened = [code for code in due if _step(session_factory, open_campaign, code, now, "opened")]
    sent = 0
    for code in _unsent(session_factory, now, MessageKind.INVITATION, lambda _c: 0):
        with session_factory() as session:
            sent += send_invitations(session, code, mailer, base_url=base_url, now=now).sent
    return f"opened {len(opened)} campaign(s) {opened}; {sent} invitation(s) sent"


def close_due_campaigns(session_factory: SessionFactory, now: dt.datetime,
                        minimums: Minimums) -> str:
    """Close the open campaigns past their closing time, then compute their results."""
    with session_factory() as session:
        due = session.scalars(
            select(Campaign.code).where(Campaign.status == CampaignStatus.OPEN,
                                        Campaign.closes_at <= now)
            .order_by(Campaign.closes_at, Campaign.code)
        ).all()
    closed = [code for code in due if _step(session_factory, close_campaign, code, now, "closed")]
    for code in closed:
        _recompute(session_factory, code, minimums, now)
    return f"closed {len(closed)} campaign(s) {closed}"


def reminder_due(campaign: Campaign, now: dt.datetime) -> int:
    """The number of the latest reminder due at ``now`` (0: none yet, or none planned).

    Reminder n falls due ``n * reminder_every_days`` after the campaign really opened, for
    n up to ``max_reminders``, while the campaign takes answers — or, when the campaign has
    ``reminder_days_before_close`` (e.g. [7, 2]), the n-th of those days before its closing
    time (a closing time moved later moves them with it).
    """
    opened = campaign.opened_at or campaign.opens_at
    if campaign.status is not CampaignStatus.OPEN or not campaign.accepts_answers(
            now) or now < opened:
        return 0
    if campaign.reminder_days_before_close:
        return sum(1 for instant in reminder_instants(campaign) if instant <= now)
    every = campaign.reminder_every_days
    if not every:
        return 0
    return min(campaign.max_reminders, (now - opened) // dt.timedelta(days=every))


def reminder_instants(campaign: Campaign) -> list[dt.datetime]:
    """When the planned reminders fall due, in order (reminder 1 first)."""
    if campaign.reminder_days_before_close:
        return [campaign.closes_at - dt.timedelta(days=days)
                for days in sorted(campaign.reminder_days_before_close, reverse=True)]
    if not campaign.reminder_every_days:
        return []
    opened = campaign.opened_at or campaign.opens_at
    instants = [opened + dt.timedelta(days=campaign.reminder_every_days * n)
                for n in range(1, campaign.max_reminders + 1)]
    return [instant for instant in instants if instant < campaign.closes_at]


def send_due_reminders(session_factory: SessionFactory, now: dt.datetime, *, mailer: Mailer,
                       base_url: str) -> str:
    """Send each open campaign's latest due reminder to those who have not answered."""
    with session_factory() as session:
        campaigns = session.scalars(
            select(Campaign).where(Campaign.status == CampaignStatus.OPEN,
                                   or_(Campaign.reminder_every_days.is_not(None),
                                       Campaign.reminder_days_before_close.is_not(None)))
        ).all()
        due = {c.code: reminder_due(c, now) for c in campaigns}
    sent, done = 0, []
    for code in _unsent(session_factory, now, MessageKind.REMINDER, lambda c: due.get(c, 0)):
        with session_factory() as session:
            summary = send_reminders(session, code, due[code], mailer, base_url=base_url,
                                     now=now)
        sent += summary.sent
        done.append(f"{code} #{due[code]}")
    return f"{sent} reminder(s) sent ({', '.join(done) or 'none due'})"


def recompute_closed_campaigns(session_factory: SessionFactory, now: dt.datetime,
                               minimums: Minimums) -> str:
    """Compute the results of closed campaigns that have none, or stale ones."""
    with session_factory() as session:
        codes = [c.code for c in campaigns_to_recompute(session, minimums)]
    done = [code for code in codes if _recompute(session_factory, code, minimums, now)]
    return f"recomputed {len(done)} campaign(s) {done}"


def _step(session_factory: SessionFactory, step: Callable[[Session, str, dt.datetime], object],
          code: str, now: dt.datetime, done: str) -> bool:
    """Open or close one campaign in its own transaction; False if someone else did."""
    try:
        with session_factory() as session, session.begin():
            step(session, code, now)
    except Conflict as exc:
        if exc.field == "nominations":  # waits for its raters; tried again next tick
            log.warning("campaign %s: %s", code, exc.message)
        else:
            log.info("campaign %s: %s (done by another run?)", code, exc.message)
        return False
    log.info("campaign %s: %s at %s", code, done, now.isoformat())
    return True


def _recompute(session_factory: SessionFactory, code: str, minimums: Minimums,
               now: dt.datetime) -> bool:
    try:
        with session_factory() as session, session.begin():
            recompute_campaign(session, get_campaign(session, code), minimums, now)
    except IntegrityError:
        log.info("campaign %s: aggregates written by another run meanwhile", code)
        return False
    return True


def _unsent(session_factory: SessionFactory, now: dt.datetime, kind: MessageKind,
            sequence_of: Callable[[str], int]) -> list[str]:
    """Open campaigns taking answers with an invitation still lacking message ``sequence``.

    One query per campaign at most (usually one in all): lets a tick skip campaigns whose
    messages all went out, instead of re-claiming every invitation's e-mail each minute.
    """
    with session_factory() as session:
        campaigns = session.scalars(
            select(Campaign).where(Campaign.status == CampaignStatus.OPEN)
            .order_by(Campaign.code)
        ).all()
        wanted = {c.code: (c.id, sequence_of(c.code)) for c in campaigns
                  if c.accepts_answers(now) and (kind is MessageKind.INVITATION
                                                 or sequence_of(c.code) >= 1)}
        found = []
        for code, (campaign_id, sequence) in wanted.items():
            missing = session.scalar(
                select(func.count()).select_from(Invitation)
                .where(Invitation.campaign_id == campaign_id,
                       ~exists().where(SurveyMessage.invitation_id == Invitation.id,
                                       SurveyMessage.kind == kind,
                                       SurveyMessage.sequence == sequence))
            )
            if missing:
                found.append(code)
    return found
