"""The SMTP backend against a small SMTP server on loopback (no mocks): messages handed over,
refusals reported, one connection per batch, STARTTLS with the certificate verified."""

from __future__ import annotations

import socket

import pytest
from smtp_server import CERTIFICATE, running_smtp_server
from sqlalchemy import select
from survey_org import NOW

from kamscore.mail.sending import Mailer, MailError, mailer_from_config
from kamscore.models import MessageStatus, SurveyMessage
from kamscore.surveys import mailing

BASE = "https://surveys.example/"


def smtp_mailer(port: int, sender: str = "surveys@corp.example", **settings) -> Mailer:
    return mailer_from_config({"MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1",
                               "SMTP_PORT": port, "SMTP_TIMEOUT": 5, "MAIL_SENDER": sender,
                               **settings})


def send_one(mailer: Mailer) -> None:
    mailer.send(mailer.message("ann@stmary.example", "我們作為您的合作夥伴表現如何？",
                               "Dear Ann,\n\nhttps://surveys.example/s/abc\n"))


def test_smtp_mailer_hands_the_message_to_the_server(smtp_server):
    send_one(smtp_mailer(smtp_server.port))
    assert len(smtp_server.received) == 1
    received = smtp_server.received[0]
    assert "From: surveys@corp.example" in received and "To: ann@stmary.example" in received
    assert "surveys@corp.example" in smtp_server.senders[0]


def test_a_refusal_or_an_unreachable_server_is_a_mail_error(smtp_server):
    smtp_server.refuse = "550 5.1.1 no such user"
    with pytest.raises(MailError, match="no such user"):
        send_one(smtp_mailer(smtp_server.port, "s@corp.example"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with pytest.raises(MailError, match="refused the message"):
        send_one(smtp_mailer(closed_port, "s@corp.example"))


def test_a_batch_of_invitations_goes_over_one_connection(session, open_customer_campaign,
                                                         smtp_server):
    mailer = smtp_mailer(smtp_server.port)
    summary = mailing.send_invitations(session, "CSAT-26Q1", mailer, base_url=BASE, now=NOW)
    assert (summary.sent, summary.skipped) == (4, 1)
    assert len(smtp_server.received) == 4 and smtp_server.connections == 1
    assert sorted(next(line for line in text.splitlines() if line.startswith("To: "))
                  for text in smtp_server.received) == [
        "To: ann@stmary.example", "To: bo@stmary.example", "To: chen@tgh.example",
        "To: cy@stmary.example"]
    again = mailing.send_invitations(session, "CSAT-26Q1", mailer, base_url=BASE, now=NOW)
    assert again.already == 5 and smtp_server.connections == 1  # nothing to send: no connection
    reminders = mailing.send_reminders(session, "CSAT-26Q1", 1, mailer, base_url=BASE, now=NOW)
    assert reminders.sent == 4
    assert len(smtp_server.received) == 8 and smtp_server.connections == 2


def test_after_a_failed_message_the_batch_goes_on(session, open_customer_campaign, smtp_server):
    """A server that drops the connection fails one message; the next ones get a new one."""
    mailer = smtp_mailer(smtp_server.port)
    smtp_server.hang_ups = 1
    summary = mailing.send_invitations(session, "CSAT-26Q1", mailer, base_url=BASE, now=NOW)
    assert (summary.sent, summary.failed) == (3, 1)
    assert len(smtp_server.received) == 3 and smtp_server.connections == 2
    failed = session.scalars(select(SurveyMessage).where(
        SurveyMessage.status == MessageStatus.FAILED)).one()
    assert "refused the message" in failed.error


def test_starttls_verifies_the_servers_certificate(monkeypatch):
    with running_smtp_server(starttls=True) as server:
        with pytest.raises(MailError, match="CERTIFICATE_VERIFY_FAILED"):
            send_one(smtp_mailer(server.port, SMTP_TLS=True))
        assert server.received == []
        monkeypatch.setenv("SSL_CERT_FILE", str(CERTIFICATE))  # now a trusted certificate
        send_one(smtp_mailer(server.port, SMTP_TLS=True))
        assert len(server.received) == 1 and server.tls_sessions == 1
