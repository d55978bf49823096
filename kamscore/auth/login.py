"""Sessions (Flask-Login) and CSRF protection (Flask-WTF) for the web pages.

Respondents never sign in: a survey invitation link is their credential. Staff users sign in
with a username and password (``kamscore.auth.sign_in``). The session cookie holds the user's
id and his current ``session_token``; signing out, a new password, new roles or disabling the
user replace the token, so every session of his — a copied cookie included — ends at once.
A session idle for longer than ``SESSION_IDLE_MINUTES`` ends too.
"""

from __future__ import annotations

import time

from flask import Flask, flash, session
from flask_login import LoginManager, current_user, logout_user
from flask_wtf import CSRFProtect

from kamscore.db.session import get_session
from kamscore.models import User

login_manager = LoginManager()
csrf = CSRFProtect()
_SEEN = "kamscore_seen"
_SEEN_RESOLUTION = 30  # seconds: the cookie is rewritten at most this often for "last seen"


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    app.before_request(_end_idle_session)


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The user a session cookie names, if the session is still his current one."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token or len(user_id) > 18:
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


def _end_idle_session() -> None:
    if not current_user.is_authenticated:
        return
    from flask import current_app

    idle = float(current_app.config["SESSION_IDLE_MINUTES"]) * 60
    now = time.time()
    seen = session.get(_SEEN)
    if isinstance(seen, int | float) and now - seen > idle:
        logout_user()
        session.pop(_SEEN, None)
        flash("You were signed out after a time without activity.", "info")
        return
    if not isinstance(seen, int | float) or now - seen > _SEEN_RESOLUTION:
        session[_SEEN] = now


def mark_signed_in() -> None:
    """Start the idle clock of a new session (called right after ``login_user``)."""
    session[_SEEN] = time.time()
