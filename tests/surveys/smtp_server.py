"""A small SMTP server on loopback for the mail tests (no mocks: kamscore talks real SMTP).

Just enough of RFC 5321 (and RFC 3207 STARTTLS, with the self-signed certificate for
127.0.0.1 in ``smtp_test_server.pem``) to accept — or refuse — messages, several per
connection. The server counts the connections it accepted and the TLS sessions it began.
"""

from __future__ import annotations

import socketserver
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CERTIFICATE = Path(__file__).with_name("smtp_test_server.pem")  # certificate and key


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, starttls: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.received: list[str] = []  # each message's text (headers and body)
        self.senders: list[str] = []  # each MAIL FROM line
        self.connections = 0
        self.tls_sessions = 0
        self.hang_ups = 0  # how many of the next MAIL FROM to answer by closing the connection
        self.refuse: str | None = None  # a reply to RCPT TO, e.g. "550 5.1.1 no such user"
        self.starttls = starttls
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]


class SmtpHandler(socketserver.StreamRequestHandler):
    server: SmtpServer

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        server = self.server
        with server.lock:
            server.connections += 1
        self.reply("220 test ESMTP")
        data_mode, lines = False, []
        while raw := self.rfile.readline():
            line = raw.decode().rstrip("\r\n")
            if data_mode:
                if line == ".":
                    with server.lock:
                        server.received.append("\n".join(lines))
                    data_mode, lines = False, []
                    self.reply("250 queued")
                else:
                    lines.append(line[1:] if line.startswith("..") else line)
                continue
            verb = line.split(" ")[0].upper()
            if verb == "EHLO":
                self.reply("250-test\r\n250 STARTTLS" if server.starttls else "250 test")
            elif verb == "HELO":
                self.reply("250 test")
            elif verb == "STARTTLS" and server.starttls:
                self.reply("220 go ahead")
                if not self.start_tls():
                    return
            elif verb == "MAIL":
                with server.lock:
                    hang_up, server.hang_ups = server.hang_ups > 0, max(server.hang_ups - 1, 0)
                    if not hang_up:
                        server.senders.append(line)
                if hang_up:
                    return
                self.reply("250 ok")
            elif verb == "RCPT":
                self.reply(server.refuse or "250 ok")
            elif verb == "DATA":
                data_mode = True
                self.reply("354 go ahead")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")

    def start_tls(self) -> bool:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(CERTIFICATE)
        try:
            self.request = context.wrap_socket(self.request, server_side=True)
        except (ssl.SSLError, OSError):
            return False  # the client refused the certificate
        with self.server.lock:
            self.server.tls_sessions += 1
        self.rfile = self.request.makefile("rb")
        self.wfile = self.request.makefile("wb", buffering=0)
        return True


@contextmanager
def running_smtp_server(*, starttls: bool = False) -> Iterator[SmtpServer]:
    """A running server on a free loopback port, shut down on exit."""
    server = SmtpServer(starttls=starttls)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
