"""Sending e-mail: SMTP for real, the console (and an in-memory outbox) for demos and tests.

``MAIL_BACKEND`` chooses: ``smtp`` (``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_TLS`` — STARTTLS —,
``SMTP_USERNAME``, ``SMTP_PASSWORD``), ``console`` (prints each message and keeps it in
``outbox``) or ``memory`` (keeps it in ``outbox`` only; for tests). The sender is
``MAIL_SENDER``. A mailer is made per app on first use (``get_mailer``), never at import.
"""

from __future__ import annotations

import smtplib
import ssl
import sys
import threading
from collections import deque
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any, Protocol, TextIO

EXTENSION_KEY = "kamscore.mail.sending"
OUTBOX_SIZE = 1000  # the newest messages kept by the console and memory backends


class MailError(Exception):
    """The message could not be handed to the mail server."""


class Mailer(Protocol):
    sender: str

    def send(self, message: EmailMessage) -> None: ...


class MemoryMailer:
    """Keeps messages in ``outbox`` (newest last); thread-safe."""

    def __init__(self, sender: str) -> None:
        self.sender = sender
        self.outbox: deque[EmailMessage] = deque(maxlen=OUTBOX_SIZE)
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        _set_sender(message, self.sender)
        with self._lock:
            self.outbox.append(message)


class ConsoleMailer(MemoryMailer):
    """Prints every message (headers and text) and keeps it in ``outbox``."""

    def __init__(self, sender: str, stream: TextIO | None = None) -> None:
        super().__init__(sender)
        self.stream = stream

    def send(self, message: EmailMessage) -> None:
        super().send(message)
        stream = self.stream or sys.stdout
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        stream.write(
            f"--- mail to {message['To']} ---\nSubject: {message['Subject']}\n\n{text}\n---\n"
        )
        stream.flush()


class SmtpMailer:
    """Hands messages to an SMTP server (one connection per message)."""

    def __init__(self, sender: str, host: str, port: int, *, tls: bool = False,
                 username: str | None = None, password: str | None = None,
                 timeout: float = 30.0) -> None:
        self.sender = sender
        self.host, self.port, self.tls = host, port, tls
        self.username, self.password, self.timeout = username, password, timeout

    def send(self, message: EmailMessage) -> None:
        _set_sender(message, self.sender)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.tls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"SMTP {self.host}:{self.port} refused the message: {exc}") from exc


def mailer_from_config(config: Mapping[str, Any]) -> Mailer:
    backend = config.get("MAIL_BACKEND", "console")
    sender = config.get("MAIL_SENDER", "kamscore@localhost")
    if backend == "smtp":
        return SmtpMailer(sender, config["SMTP_HOST"], int(config["SMTP_PORT"]),
                          tls=bool(config.get("SMTP_TLS")), username=config.get("SMTP_USERNAME"),
                          password=config.get("SMTP_PASSWORD"))
    if backend == "console":
        return ConsoleMailer(sender)
    if backend == "memory":
        return MemoryMailer(sender)
    raise ValueError(f"MAIL_BACKEND must be console, smtp or memory, not {backend!r}")


def get_mailer(app: Any) -> Mailer:
    """The mailer of a Flask ``app``, made from its settings on first use."""
    mailer = app.extensions.get(EXTENSION_KEY)
    if mailer is None:
        mailer = app.extensions[EXTENSION_KEY] = mailer_from_config(app.config)
    return mailer


def _set_sender(message: EmailMessage, sender: str) -> None:
    if message["From"] is None:
        message["From"] = sender
