"""kamscore's refinements of two Flask-Mailman backends.

- ``SmtpEmailBackend``: Flask-Mailman's SMTP backend, except that STARTTLS checks the
  server's certificate and host name (Flask-Mailman 1.1 calls ``starttls`` without an SSL
  context, and smtplib then accepts any certificate).
- ``ConsoleEmailBackend``: Flask-Mailman's console backend, writing each message as a reader
  wants it (recipients, subject, text; not the encoded MIME source) and keeping it in the
  outbox like the memory backend does, for demos.
"""

from __future__ import annotations

import smtplib
import ssl
from typing import Any

from flask_mailman import EmailMessage
from flask_mailman.backends import console, smtp


class VerifiedStartTlsSMTP(smtplib.SMTP):
    """``smtplib.SMTP`` whose STARTTLS verifies the server unless given another context."""

    def starttls(self, *, context: ssl.SSLContext | None = None) -> tuple[int, bytes]:
        return super().starttls(context=context or ssl.create_default_context())


class SmtpEmailBackend(smtp.EmailBackend):
    """Flask-Mailman's SMTP backend with a verified STARTTLS (see the module docstring)."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return smtplib.SMTP_SSL if self.use_ssl else VerifiedStartTlsSMTP


class ConsoleEmailBackend(console.EmailBackend):
    """Prints each message readably and keeps it in the outbox (``mailman.outbox``)."""

    def write_message(self, message: EmailMessage) -> None:
        message.message()  # checks the headers as the SMTP backend would
        self.stream.write(f"--- mail to {', '.join(message.recipients())} ---\n"
                          f"Subject: {message.subject}\n\n{message.body}\n---\n")
        outbox: Any = getattr(self.mailman, "outbox", None)
        if outbox is not None:
            outbox.append(message)
