"""Who may write through the API: a bearer token, or a signed-in user who sends the CSRF token.

Scripts send ``Authorization: Bearer <token>`` (``kamscore api-token create``). A browser
session also works (the Swagger UI, the web pages' own scripts), but then the request must
carry the CSRF token in an ``X-CSRFToken`` header, as Flask-WTF checks it for forms: the
session cookie alone proves nothing, since another site can make the browser send it. The
blueprints of write endpoints are therefore exempt from Flask-WTF's automatic check, and
``write_access`` does the right check for the kind of credential presented.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from flask import current_app, g, request
from flask_login import current_user
from flask_smorest import abort

from kamscore.auth.login import csrf
from kamscore.auth.tokens import find_active_token, record_use
from kamscore.db.session import get_session
from kamscore.models import User

BEARER = "bearer"


def read_access(view: Callable[..., Any]) -> Callable[..., Any]:
    """Allow the view to any user who signed in or presents a valid API token.

    The API shows e-mail addresses and people's places in the organisation: it is not public.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.api_user = _authenticate()
        return view(*args, **kwargs)

    return wrapped


def write_access(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow the view to users holding one of ``roles`` (admins hold every role)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = _authenticate()
            if not any(user.has_role(role) for role in roles):
                abort(403, message=f"This needs one of the roles: {', '.join(roles)}.")
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _authenticate() -> User:  # type: ignore[return]
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != BEARER or not token.strip():
            _unauthorized("The Authorization header must be 'Bearer <token>'.")
        session = get_session()
        record = find_active_token(session, token.strip())
        if record is None:
            _unauthorized("The API token is not valid: unknown, expired or revoked.")
        user = record.user
        if record_use(record):
            session.commit()  # before the view's own transaction begins
        return user
    if current_user.is_authenticated:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()  # a missing or wrong X-CSRFToken header: 400 in the error shape
        return current_user._get_current_object()
    _unauthorized(None)


def _unauthorized(message: str | None) -> NoReturn:
    abort(401, message=message, headers={"WWW-Authenticate": 'Bearer realm="kamscore"'})
