"""kamscore's mail settings mapped onto Flask-Mailman when the app is made."""

from __future__ import annotations

import pytest
from flask_mailman import EmailMessage, Mail

from kamscore import create_app
from kamscore.mail.backends import SmtpEmailBackend
from kamscore.mail.sending import get_mailer


def make_app(tmp_path, **settings):
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite",
                       **settings}, instance_path=str(tmp_path))


def test_the_smtp_settings_become_flask_mailmans(tmp_path, monkeypatch):
    monkeypatch.setenv("KAMSCORE_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("KAMSCORE_SMTP_PORT", "587")
    app = make_app(tmp_path, MAIL_BACKEND="smtp", SMTP_HOST="smtp.example.com",
                   SMTP_TLS=True, SMTP_USERNAME="kamscore",
                   MAIL_SENDER="KAM surveys <kam-surveys@example.com>")
    state = app.extensions["mailman"]
    assert (state.server, state.port, state.use_tls, state.use_ssl) == (
        "smtp.example.com", 587, True, False)
    assert (state.username, state.password, state.timeout) == ("kamscore", "s3cret", 30.0)
    assert state.default_sender == "KAM surveys <kam-surveys@example.com>"
    with app.app_context():
        assert isinstance(Mail().get_connection(), SmtpEmailBackend)
    assert isinstance(get_mailer(app).connection().backend, SmtpEmailBackend)


def test_flask_mailmans_own_api_uses_the_same_outbox(tmp_path, monkeypatch):
    app = make_app(tmp_path, MAIL_BACKEND="memory", MAIL_SENDER="k@example.com")
    with app.app_context():
        assert EmailMessage("Hi", "Text", to=["a@example.com"]).send() == 1
    [message] = get_mailer(app).outbox
    assert (message.from_email, message.to, message.subject) == (
        "k@example.com", ["a@example.com"], "Hi")


def test_an_unknown_mail_backend_stops_the_start_up(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="MAIL_BACKEND must be console, smtp or memory"):
        make_app(tmp_path, MAIL_BACKEND="pigeon")
