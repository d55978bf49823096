"""Invitations and reminders: tokens stored as hashes only, each e-mail sent once, bounces and
opt-outs honoured; the mailers."""

from __future__ import annotations

import base64
import re
import threading

import pytest
from sent_mail import memory_mailer, received
from sqlalchemy import select, text
from survey_org import NOW, customer_spec

from kamscore.db.session import get_db
from kamscore.mail.backends import ConsoleEmailBackend
from kamscore.mail.sending import mailer_from_config
from kamscore.models import (
    EmailSuppression,
    Invitation,
    InvitationStatus,
    InvitationToken,
    MessageStatus,
    SurveyMessage,
)
from kamscore.surveys import mailing
from kamscore.surveys.campaigns import create_campaign
from kamscore.surveys.errors import Conflict, SurveyError
from kamscore.surveys.tokens import TOKEN_LENGTH, hash_token, invitation_for_token, new_token

BASE = "https://surveys.example/"
LINK = re.compile(r"https://surveys\.example/s/([A-Za-z0-9_-]{43})\n")


def tokens_in(mailer) -> list[str]:
    return [LINK.search(m.get_body(("plain",)).get_content()).group(1)
            for m in received(mailer)]


def test_tokens_are_256_random_bits_in_url_safe_text():
    tokens = {new_token() for _ in range(2000)}
    assert len(tokens) == 2000
    for token in list(tokens)[:50]:
        assert len(token) == TOKEN_LENGTH
        assert len(base64.urlsafe_b64decode(token + "=")) == 32
    # every URL-safe character turns up: the text is not from a smaller alphabet
    assert len(set("".join(tokens))) == 64


def test_invitations_are_sent_once_with_a_token_stored_only_as_its_hash(
        session, open_customer_campaign, mailer):
    summary = mailing.send_invitations(session, "CSAT-26Q1", mailer, base_url=BASE, now=NOW)
    assert (summary.sent, summary.skipped, summary.failed, summary.already) == (4, 1, 0, 0)
    assert sorted(m["To"] for m in received(mailer)) == [
        "ann@stmary.example", "bo@stmary.example", "chen@tgh.example", "cy@stmary.example"]
    tokens = tokens_in(mailer)
    stored = set(session.scalars(select(InvitationToken.token_hash)))
    assert stored == {hash_token(t) for t in tokens}
    dump = "\n".join(str(row) for table in ("survey_invitation", "survey_invitation_token",
                                            "survey_message", "survey_campaign")
                     for row in session.execute(text(f"SELECT * FROM {table}")))
    assert not any(token in dump for token in tokens)
    for token in tokens:
        assert invitation_for_token(session, token) is not None
    assert invitation_for_token(session, tokens[0][:-1] + ("A" if tokens[0][-1] != "A"
                                                           else "B")) is None
    again = mailing.send_invitations(session, "CSAT-26Q1", mailer, base_url=BASE, now=NOW)
    assert (again.sent, again.already) == (0, 5)
    assert len(mailer.outbox) == 4
    statuses = {i.email: i.status for i in session.scalars(select(Invitation))}
    assert statuses["ann@stmary.example"] is InvitationStatus.SENT
    assert statuses[None] is InvitationStatus.PENDING


def test_mail_is_in_the_respondents_language_with_an_opt_out_link(
        session, open_customer_campaign, mailer):
    mailing.send_invitations(session, "CSAT-26Q1", mailer, base_url=BASE, now=NOW)
    chinese = next(m for m in received(mailer) if m["To"] == "chen@tgh.example")
    body = chinese.get_body(("plain",)).get_content()
    assert chinese["Subject"] == "我們作為您的合作夥伴表現如何？"
    assert "陳醫師 您好" in body and "2026年3月31日 18:00（Asia/Taipei）" in body
    token = LINK.search(body).group(1)
    assert f"{BASE}s/{token}/opt-out" in body
    assert chinese["List-Unsubscribe"] == f"<{BASE}s/{token}/opt-out>"
    english = next(m for m in received(mailer) if m["To"] == "ann@stmary.example")
    assert "31 March 2026, 18:00 (Asia/Taipei)" in english.get_body(("plain",)).get_content()


def test_each_reminder_goes_once_and_never_to_those_who_answered_or_opted_out(
        session, open_customer_campaign, mailer):
    mailing.send_invitations(session, "CSAT-26Q1", mailer, base_url=BASE, now=NOW)
    by_email = {i.email: i for i in session.scalars(select(Invitation))}
    by_email["ann@stmary.example"].status = InvitationStatus.SUBMITTED
    session.commit()
    bo_token = next(t for m, t in zip(received(mailer), tokens_in(mailer), strict=True)
                    if m["To"] == "bo@stmary.example")
    assert mailing.opt_out(session, bo_token, NOW).email == "bo@stmary.example"
    assert mailing.record_bounce(session, "CY@stmary.example", "550 no such user", NOW) == 1
    session.commit()
    mailer.outbox.clear()
    first = mailing.send_reminders(session, "CSAT-26Q1", 1, mailer, base_url=BASE, now=NOW)
    assert [m["To"] for m in received(mailer)] == ["chen@tgh.example"]
    assert received(mailer)[0]["Subject"].startswith("提醒：")
    assert (first.sent, first.skipped) == (1, 4)
    second_run = mailing.send_reminders(session, "CSAT-26Q1", 1, mailer, base_url=BASE, now=NOW)
    assert (second_run.sent, second_run.already) == (0, 5)
    reasons = dict(session.execute(
        select(Invitation.email, SurveyMessage.error).join(SurveyMessage)
        .where(SurveyMessage.sequence == 1)).all())
    assert reasons == {"ann@stmary.example": "already answered",
                       "bo@stmary.example": "opted out", "cy@stmary.example": "address bounced",
                       "chen@tgh.example": None, None: "no e-mail address"}
    suppressed = dict(session.execute(
        select(EmailSuppression.email, EmailSuppression.reason)).all())
    assert {k: v.value for k, v in suppressed.items()} == {
        "bo@stmary.example": "opt_out", "cy@stmary.example": "bounce"}


def test_bounce_needs_an_address(session, org):
    with pytest.raises(SurveyError) as info:
        mailing.record_bounce(session, "nobody", None, NOW)
    assert info.value.field == "email"


def test_two_senders_at_once_send_each_invitation_once(app, session, open_customer_campaign):
    mailer = memory_mailer("x@y")
    database = get_db(app)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        with database.sessionmaker() as own:
            try:
                barrier.wait()
                mailing.send_invitations(own, "CSAT-26Q1", mailer, base_url=BASE, now=NOW)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(m["To"] for m in received(mailer)) == [
        "ann@stmary.example", "bo@stmary.example", "chen@tgh.example", "cy@stmary.example"]
    assert len(session.scalars(select(SurveyMessage)).all()) == 5


def test_a_refused_message_is_recorded_failed_and_retried_later(session, open_customer_campaign,
                                                                smtp_server):
    smtp_server.refuse = "554 5.7.1 message refused"
    refusing = mailer_from_config({"MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1",
                                   "SMTP_PORT": smtp_server.port, "SMTP_TIMEOUT": 5})
    summary = mailing.send_invitations(session, "CSAT-26Q1", refusing, base_url=BASE, now=NOW)
    assert (summary.sent, summary.failed) == (0, 4)
    failed = session.scalars(select(SurveyMessage).where(
        SurveyMessage.status == MessageStatus.FAILED)).all()
    assert len(failed) == 4 and all("554" in m.error for m in failed)
    retry = memory_mailer("x@y")
    summary = mailing.send_invitations(session, "CSAT-26Q1", retry, base_url=BASE, now=NOW)
    assert (summary.sent, summary.failed, summary.already) == (4, 0, 1)
    assert len(retry.outbox) == 4
    again = mailing.send_invitations(session, "CSAT-26Q1", retry, base_url=BASE, now=NOW)
    assert (again.sent, again.already) == (0, 5) and len(retry.outbox) == 4


def test_sending_for_a_draft_campaign_is_refused(session, org, mailer):
    create_campaign(session, customer_spec())
    session.commit()
    with pytest.raises(Conflict, match="not taking answers"):
        mailing.send_invitations(session, "CSAT-26Q1", mailer, base_url=BASE, now=NOW)


def test_console_mailer_prints_and_keeps_an_outbox(capsys):
    mailer = mailer_from_config({"MAIL_BACKEND": "console", "MAIL_SENDER": "k@s"})
    assert isinstance(mailer.connection().backend, ConsoleEmailBackend)
    mailer.send(mailer.message("a@b", "Hello", "Body text"))
    out = capsys.readouterr().out
    assert "mail to a@b" in out and "Subject: Hello" in out and "Body text" in out
    assert received(mailer)[-1]["From"] == "k@s"
    with pytest.raises(ValueError, match="MAIL_BACKEND"):
        mailer_from_config({"MAIL_BACKEND": "pigeon"})
