"""The mailer kamscore's services are given: Flask-Mailman messages and connections, usable
without an app context (the scheduler's jobs run in worker threads that have none).

A ``Mailer`` wraps the Flask-Mailman state of one set of settings (an app's, from
``get_mailer(app)``, or a mapping's, from ``mailer_from_config``). A batch of messages goes
through one connection::

    with mailer.connection() as connection:
        for ...:
            connection.send(mailer.message(to, subject, body))

The connection is opened at the first ``send`` (a batch with nothing to send opens none), kept
open between messages and closed at the end of the ``with`` block; after a failed message it
is closed, and the next ``send`` opens a fresh one. Failures are ``MailError``.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Mapping
from email.utils import formatdate, make_msgid
from types import TracebackType
from typing import Any

from flask import Flask
from flask_mailman import EmailMessage
from flask_mailman.backends.base import BaseEmailBackend

from kamscore.mail.backends import SmtpEmailBackend
from kamscore.mail.setup import EXTENSION_KEY, mail_state

MESSAGE_ID_DOMAIN = "kamscore"


class MailError(Exception):
    """The message could not be handed to the mail server."""


class Mailer:
    """Makes messages and connections from one Flask-Mailman state (its settings)."""

    def __init__(self, state: Any) -> None:
        self.state = state

    @property
    def sender(self) -> str:
        """The ``From`` of every message (``MAIL_SENDER``)."""
        return self.state.default_sender

    @property
    def outbox(self) -> deque[EmailMessage]:
        """What the memory and console backends sent, newest last (the newest 1000)."""
        return self.state.outbox

    def message(self, to: str, subject: str, body: str,
                headers: Mapping[str, str] | None = None) -> EmailMessage:
        """A plain-text message from ``sender`` to ``to``, complete without an app context
        (charset, ``Date`` and ``Message-ID`` set here rather than by Flask-Mailman)."""
        message = EmailMessage(subject, body, self.sender, [to], headers={
            "Date": formatdate(), "Message-ID": make_msgid(domain=MESSAGE_ID_DOMAIN),
            **(headers or {})})
        message.encoding = self.state.default_charset
        return message

    def connection(self) -> MailConnection:
        """A connection for a batch of messages; use it in a ``with`` block."""
        backend = self.state.import_backend(self.state.backend)(mailman=self.state)
        return MailConnection(self, backend)

    def send(self, message: EmailMessage) -> None:
        """Send one message on a connection of its own."""
        with self.connection() as connection:
            connection.send(message)


class MailConnection:
    """A Flask-Mailman backend instance, opened at the first message and kept open."""

    def __init__(self, mailer: Mailer, backend: BaseEmailBackend) -> None:
        self.mailer = mailer
        self.backend = backend

    def __enter__(self) -> MailConnection:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the backend (raises ``MailError`` if it is refused)."""
        try:
            self.backend.open()  # an open connection stays open: send_messages keeps it
            sent = self.backend.send_messages([message])
        except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors; bad addresses
            self.close()
            raise MailError(f"{self._server()} refused the message: {exc}") from exc
        if sent != 1:
            raise MailError(f"{self._server()} did not take the message (no recipients?)")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.backend.close()

    def _server(self) -> str:
        if isinstance(self.backend, SmtpEmailBackend):
            return f"SMTP {self.backend.host}:{self.backend.port}"
        return f"mail backend {type(self.backend).__module__}"


def get_mailer(app: Flask) -> Mailer:
    """The mailer of a Flask ``app`` (set up by ``kamscore.mail.setup.init_app``)."""
    state = app.extensions.get(EXTENSION_KEY)
    if state is None:
        raise RuntimeError("mail is not set up for this app: call kamscore.mail.setup.init_app")
    return Mailer(state)


def mailer_from_config(config: Mapping[str, Any]) -> Mailer:
    """A mailer for kamscore mail settings outside an app (tests, scripts)."""
    return Mailer(mail_state(config))
