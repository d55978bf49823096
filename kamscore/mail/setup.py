"""Flask-Mailman, set up from kamscore's mail settings.

kamscore keeps its own setting names; this module is the one place that maps them onto
Flask-Mailman's:

============================  ==================================================
kamscore setting              Flask-Mailman setting
============================  ==================================================
``MAIL_BACKEND = "smtp"``     ``MAIL_BACKEND``: ``backends.SmtpEmailBackend``
``MAIL_BACKEND = "console"``  ``MAIL_BACKEND``: ``backends.ConsoleEmailBackend``
``MAIL_BACKEND = "memory"``   ``MAIL_BACKEND = "locmem"``
``SMTP_HOST``                 ``MAIL_SERVER``
``SMTP_PORT``                 ``MAIL_PORT``
``SMTP_TLS`` (STARTTLS)       ``MAIL_USE_TLS``
``SMTP_USERNAME``             ``MAIL_USERNAME``
``SMTP_PASSWORD``             ``MAIL_PASSWORD``
``SMTP_TIMEOUT`` (seconds)    ``MAIL_TIMEOUT``
``MAIL_SENDER``               ``MAIL_DEFAULT_SENDER``
============================  ==================================================

Flask-Mailman's own ``MAIL_*`` names are not read: the values above decide. ``init_app``
registers the resulting Flask-Mailman state as ``app.extensions["mailman"]``, so Flask-Mailman's
API (``flask_mailman.Mail().get_connection()``, ``EmailMessage().send()``) works in an app
context too; kamscore's services use ``kamscore.mail.sending.Mailer``, which needs none.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_mailman import Mail

from kamscore.config import DEFAULTS
from kamscore.mail.backends import ConsoleEmailBackend, SmtpEmailBackend

EXTENSION_KEY = "mailman"  # where Flask-Mailman looks for its state in app.extensions
OUTBOX_SIZE = 1000  # the newest messages kept by the console and memory backends

BACKENDS: dict[str, Any] = {
    "smtp": SmtpEmailBackend,
    "console": ConsoleEmailBackend,
    "memory": "locmem",
}

SETTINGS: dict[str, str] = {
    "SMTP_HOST": "MAIL_SERVER",
    "SMTP_PORT": "MAIL_PORT",
    "SMTP_TLS": "MAIL_USE_TLS",
    "SMTP_USERNAME": "MAIL_USERNAME",
    "SMTP_PASSWORD": "MAIL_PASSWORD",
    "SMTP_TIMEOUT": "MAIL_TIMEOUT",
    "MAIL_SENDER": "MAIL_DEFAULT_SENDER",
}

CONVERSIONS: dict[str, Any] = {"SMTP_PORT": int, "SMTP_TLS": bool, "SMTP_TIMEOUT": float}


def mailman_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Flask-Mailman's ``MAIL_*`` settings for kamscore's ``config`` (the table above); a
    setting missing from ``config`` has its default from ``kamscore.config.DEFAULTS``."""
    choice = config.get("MAIL_BACKEND", DEFAULTS["MAIL_BACKEND"])
    if choice not in BACKENDS:
        raise ValueError(f"MAIL_BACKEND must be console, smtp or memory, not {choice!r}")
    mapped: dict[str, Any] = {"MAIL_BACKEND": BACKENDS[choice]}
    for name, mailman_name in SETTINGS.items():
        value = config.get(name, DEFAULTS[name])
        convert = CONVERSIONS.get(name)
        mapped[mailman_name] = convert(value) if convert and value is not None else value
    return mapped


def mail_state(config: Mapping[str, Any]) -> Any:
    """Flask-Mailman's state (its settings object, which makes backends) for ``config``."""
    state = Mail.init_mail(mailman_config(config))
    state.outbox = deque(maxlen=OUTBOX_SIZE)
    return state


def init_app(app: Flask) -> None:
    """Set Flask-Mailman up for ``app`` from its settings (raises on an unknown backend)."""
    app.extensions[EXTENSION_KEY] = mail_state(app.config)
