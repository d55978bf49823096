"""Invitation and reminder e-mails, sent at most once each; bounces and opt-outs.

Each e-mail is a ``SurveyMessage`` row (invitation, kind, sequence) — UNIQUE. To send one,
the sender first *claims* it: it inserts the row (status ``pending``) together with the hash
of the fresh link token the e-mail will carry, and commits. Only the process whose insert
succeeded hands the message to the mail server, then records ``sent`` or ``failed``. A job
run twice, or by two schedulers at once, therefore sends nothing twice; a sender that dies
between claim and send leaves a ``pending`` row and that one message is lost rather than
duplicated (at-most-once, which is what a respondent prefers).

One sending run (``send_invitations``, ``send_reminders``) hands its messages to the mail
server over one connection (``kamscore.mail.sending``), opened at its first message.

Because of the claim protocol these functions COMMIT the session they are given, message by
message; call them with a session that holds nothing else.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask_mailman import EmailMessage
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.mail.sending import MailConnection, Mailer, MailError
from kamscore.models import (
    Campaign,
    CampaignStatus,
    EmailSuppression,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    SuppressionReason,
    SurveyMessage,
)
from kamscore.surveys.campaigns import get_campaign, offered_languages, open_campaign
from kamscore.surveys.catalog import definition_of
from kamscore.surveys.errors import Conflict, SurveyError
from kamscore.surveys.i18n import format_instant, pick_language, ui_text
from kamscore.surveys.tokens import invitation_for_token, issue_token

log = logging.getLogger(__name__)


@dataclass
class SendSummary:
    """What one sending run did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0  # no address, suppressed, opted out, bounced, already answered
    already: int = 0  # claimed earlier by this or another run: not sent again

    def __str__(self) -> str:
        return (f"{self.sent} sent, {self.failed} failed, {self.skipped} skipped, "
                f"{self.already} sent before")


def send_invitations(session: Session, code: str, mailer: Mailer, *, base_url: str,
                     now: dt.datetime, actor: str | None = None) -> SendSummary:
    """E-mail every invitation of an open campaign that has not had its invitation yet."""
    return _send_all(session, code, MessageKind.INVITATION, 0, mailer, base_url, now, actor)


def send_reminders(session: Session, code: str, sequence: int, mailer: Mailer, *,
                   base_url: str, now: dt.datetime, actor: str | None = None) -> SendSummary:
    """Reminder number ``sequence`` (1, 2, ...) to everyone who has not answered yet; in the
    audit log under ``actor`` (None: the scheduler)."""
    if sequence < 1:
        raise ValueError("reminders are numbered from 1")
    return _send_all(session, code, MessageKind.REMINDER, sequence, mailer, base_url, now,
                     actor)


def _send_all(session: Session, code: str, kind: MessageKind, sequence: int, mailer: Mailer,
              base_url: str, now: dt.datetime, actor: str | None) -> SendSummary:
    campaign = get_campaign(session, code)
    summary = SendSummary()
    if campaign.status is not CampaignStatus.OPEN or not campaign.accepts_answers(now):
        raise Conflict(f"campaign {code} is not taking answers; nothing to send",
                       field="status")
    invitation_ids = session.scalars(
        select(Invitation.id).where(Invitation.campaign_id == campaign.id)
        .order_by(Invitation.id)
    ).all()
    session.commit()
    with mailer.connection() as connection:  # one SMTP connection for the batch
        for invitation_id in invitation_ids:
            outcome = _send_one(session, campaign.id, invitation_id, kind, sequence,
                                connection, base_url, now)
            setattr(summary, outcome, getattr(summary, outcome) + 1)
    log.info("campaign %s: %s %d: %s", code, kind.value, sequence, summary)
    if kind is MessageKind.REMINDER:
        record(session, actor, "campaign.remind", "campaign", code, sequence=sequence,
               sent=summary.sent, failed=summary.failed, skipped=summary.skipped)
        session.commit()
    return summary


def _send_one(session: Session, campaign_id: int, invitation_id: int, kind: MessageKind,
              sequence: int, connection: MailConnection, base_url: str,
              now: dt.datetime) -> str:
    invitation = session.get(Invitation, invitation_id)
    assert invitation is not None
    reason = _skip_reason(session, invitation, kind)
    message = SurveyMessage(invitation_id=invitation_id, kind=kind, sequence=sequence,
                            status=MessageStatus.SKIPPED if reason else MessageStatus.PENDING,
                            created_at=now, error=reason)
    session.add(message)
    token = None if reason else issue_token(session, invitation)
    try:
        session.commit()  # the claim
    except IntegrityError:
        session.rollback()
        if reason:
            return "already"
        message = _reclaim_failed(session, invitation_id, kind, sequence, now)
        if message is None:
            return "already"
        invitation = message.invitation
        token = issue_token(session, invitation)
        session.commit()
    if reason:
        return "skipped"
    assert token is not None
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    try:
        connection.send(compose(connection.mailer, campaign, invitation, kind, token,
                                base_url))
    except MailError as exc:
        log.warning("mail to invitation %s failed: %s", invitation_id, exc)
        message.status, message.error = MessageStatus.FAILED, str(exc)[:500]
        session.commit()
        return "failed"
    message.status, message.sent_at = MessageStatus.SENT, now
    if invitation.status is InvitationStatus.PENDING:
        invitation.status = InvitationStatus.SENT
    session.commit()
    return "sent"


def _reclaim_failed(session: Session, invitation_id: int, kind: MessageKind, sequence: int,
                    now: dt.datetime) -> SurveyMessage | None:
    """Claim again a message whose sending failed (an atomic failed → pending update)."""
    claimed = session.execute(
        update(SurveyMessage)
        .where(SurveyMessage.invitation_id == invitation_id, SurveyMessage.kind == kind,
               SurveyMessage.sequence == sequence,
               SurveyMessage.status == MessageStatus.FAILED)
        .values(status=MessageStatus.PENDING, error=None, created_at=now)
    ).rowcount
    if claimed != 1:
        session.rollback()
        return None
    session.commit()
    return session.scalars(select(SurveyMessage).where(
        SurveyMessage.invitation_id == invitation_id, SurveyMessage.kind == kind,
        SurveyMessage.sequence == sequence)).one()


def _skip_reason(session: Session, invitation: Invitation, kind: MessageKind) -> str | None:
    if invitation.status is InvitationStatus.SUBMITTED:
        return "already answered"
    if not invitation.email:
        return "no e-mail address"
    if invitation.opted_out_at is not None:
        return "opted out"
    if invitation.bounced_at is not None:
        return "address bounced"
    suppressed = session.scalar(
        select(EmailSuppression.reason).where(EmailSuppression.email == invitation.email.lower())
    )
    if suppressed is not None:
        return f"address suppressed ({suppressed.value})"
    return None


def compose(mailer: Mailer, campaign: Campaign, invitation: Invitation, kind: MessageKind,
            token: str, base_url: str) -> EmailMessage:
    """The e-mail for one invitation, in the respondent's language."""
    definition = definition_of(campaign.survey_version)
    language = pick_language(invitation.language,
                             offered_languages(campaign, definition.languages))
    subject_name = _subject_name(invitation)
    title = definition.title.render(language, subject=subject_name)
    link = f"{base_url.rstrip('/')}/s/{token}"
    opt_out = f"{link}/opt-out"
    closes = format_instant(campaign.closes_at, language, campaign.timezone)
    lead = "mail_invitation" if kind is MessageKind.INVITATION else "mail_reminder"
    body = "\n\n".join([
        ui_text("mail_greeting", language, name=invitation.name),
        ui_text(lead, language, closes=closes),
        link,
        ui_text("mail_personal_link", language),
        f"{ui_text('mail_optout', language)}\n{opt_out}",
    ])
    subject_key = ("mail_subject_invitation" if kind is MessageKind.INVITATION
                   else "mail_subject_reminder")
    assert invitation.email is not None
    return mailer.message(invitation.email, ui_text(subject_key, language, title=title),
                          body + "\n", {"List-Unsubscribe": f"<{opt_out}>",
                                        "Content-Language": language})


def _subject_name(invitation: Invitation) -> str:
    if invitation.subject_account is not None:
        return invitation.subject_account.name
    if invitation.subject_person is not None:
        return invitation.subject_person.name
    return ""


def open_and_invite(session: Session, code: str, mailer: Mailer, *, base_url: str,
                    now: dt.datetime, actor: str | None = None) -> SendSummary:
    """Open a draft campaign and e-mail its invitations (what opening on time means);
    ``actor`` is who opened it (None: the scheduler, at the opening time)."""
    open_campaign(session, code, now, actor)
    session.commit()
    return send_invitations(session, code, mailer, base_url=base_url, now=now)


def opt_out(session: Session, token: str, now: dt.datetime) -> Invitation | None:
    """Record that the holder of ``token`` wants no more survey e-mails (None: bad token)."""
    invitation = invitation_for_token(session, token)
    if invitation is None:
        return None
    if invitation.opted_out_at is None:
        invitation.opted_out_at = now
    if invitation.email:
        _suppress(session, invitation.email, SuppressionReason.OPT_OUT,
                  f"opt-out link of campaign {invitation.campaign.code}", now)
    session.flush()
    return invitation


def address_of(session: Session, token: str) -> str | None:
    """The e-mail address an invitation link was sent to (shown on the opt-out page)."""
    invitation = invitation_for_token(session, token)
    return invitation.email if invitation else None


def record_bounce(session: Session, email: str, detail: str | None, now: dt.datetime) -> int:
    """Record that mail to ``email`` bounced; returns the number of open invitations marked."""
    email = email.strip()
    if "@" not in email:
        raise SurveyError(f"{email!r} is not an e-mail address", field="email")
    _suppress(session, email, SuppressionReason.BOUNCE, detail, now)
    invitations = session.scalars(
        select(Invitation).join(Campaign)
        .where(func.lower(Invitation.email) == email.lower(), Invitation.bounced_at.is_(None),
               Campaign.status != CampaignStatus.CLOSED)
    ).all()
    for invitation in invitations:
        invitation.bounced_at = now
    session.flush()
    return len(invitations)


def _suppress(session: Session, email: str, reason: SuppressionReason, detail: str | None,
              now: dt.datetime) -> None:
    address = email.lower()
    existing = session.scalars(
        select(EmailSuppression).where(EmailSuppression.email == address)
    ).one_or_none()
    if existing is None:
        session.add(EmailSuppression(email=address, reason=reason,
                                     detail=(detail or "")[:500] or None, recorded_at=now))
