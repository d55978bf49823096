"""The SMTP mailer against a small SMTP server on loopback (no mocks)."""

from __future__ import annotations

import socket
import socketserver
import threading
from email.message import EmailMessage

import pytest

from kamscore.mail.sending import MailError, SmtpMailer


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to accept — or refuse — one message per connection."""

    def handle(self) -> None:
        server = self.server
        self.wfile.write(b"220 test ESMTP\r\n")
        data_mode, lines = False, []
        while raw := self.rfile.readline():
            line = raw.decode().rstrip("\r\n")
            if data_mode:
                if line == ".":
                    server.received.append("\n".join(lines))  # type: ignore[attr-defined]
                    data_mode = False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line[1:] if line.startswith("..") else line)
                continue
            verb = line.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == "MAIL":
                server.senders.append(line)  # type: ignore[attr-defined]
                self.wfile.write(b"250 ok\r\n")
            elif verb == "RCPT":
                if server.refuse:  # type: ignore[attr-defined]
                    self.wfile.write(b"550 5.1.1 no such user\r\n")
                else:
                    self.wfile.write(b"250 ok\r\n")
            elif verb == "DATA":
                data_mode = True
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpHandler)
    server.received, server.senders, server.refuse = [], [], False
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["To"], mail["Subject"] = "ann@stmary.example", "我們作為您的合作夥伴表現如何？"
    mail.set_content("Dear Ann,\n\nhttps://surveys.example/s/abc\n")
    return mail


def test_smtp_mailer_hands_the_message_to_the_server(smtp_server):
    port = smtp_server.server_address[1]
    SmtpMailer("surveys@corp.example", "127.0.0.1", port, timeout=5).send(message())
    assert len(smtp_server.received) == 1
    received = smtp_server.received[0]
    assert "From: surveys@corp.example" in received and "To: ann@stmary.example" in received
    assert "surveys@corp.example" in smtp_server.senders[0]


def test_a_refusal_or_an_unreachable_server_is_a_mail_error(smtp_server):
    smtp_server.refuse = True
    port = smtp_server.server_address[1]
    with pytest.raises(MailError, match="no such user"):
        SmtpMailer("s@corp.example", "127.0.0.1", port, timeout=5).send(message())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with pytest.raises(MailError, match="refused the message"):
        SmtpMailer("s@corp.example", "127.0.0.1", closed_port, timeout=5).send(message())
