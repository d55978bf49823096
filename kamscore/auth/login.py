"""Sign-in (Flask-Login) and CSRF protection (Flask-WTF) for the web pages.

Respondents never sign in: a survey invitation link is their credential. Staff users sign in
with a username and password; ``role_required`` guards pages and API endpoints by role.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort
from flask_login import LoginManager, current_user
from flask_wtf import CSRFProtect

from kamscore.db.session import get_session
from kamscore.models import User

login_manager = LoginManager()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    login_manager.login_message_category = "info"
    csrf.init_app(app)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return get_session().get(User, int(user_id))


def role_required(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow the view only to signed-in users holding ``role`` (admins hold every role)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403, description=f"this needs the '{role}' role")
            return view(*args, **kwargs)

        return wrapped

    return decorator
