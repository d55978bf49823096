"""Reading what a mailer sent, as its recipient would (helpers of the survey mail tests)."""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import EmailPolicy
from typing import Any

from kamscore.mail.sending import Mailer, mailer_from_config


class MailClientPolicy(EmailPolicy):
    """The standard library's default policy, except that a header value starts at its first
    visible character, as mail clients show it: Python's parser keeps the blank of a fold
    right after the colon (``Subject:\\r\\n =?utf-8?b?...?=``, which is how the standard
    library's legacy generator, used by Flask-Mailman, folds a long first word)."""

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        if isinstance(value, str):
            value = value.lstrip(" \t\r\n")
        return super().header_fetch_parse(name, value)


def memory_mailer(sender: str) -> Mailer:
    """A mailer that keeps what it sends in ``outbox`` (``MAIL_BACKEND = "memory"``)."""
    return mailer_from_config({"MAIL_BACKEND": "memory", "MAIL_SENDER": sender})


def received(mailer: Mailer) -> list[EmailMessage]:
    """The messages of the mailer's outbox, oldest first, each serialised as it would go to
    the SMTP server (with LF line ends) and parsed back as a mail client reads it."""
    return [message_from_bytes(m.message().as_bytes(), policy=MailClientPolicy())
            for m in mailer.outbox]
