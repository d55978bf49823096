"""The one decorator family that guards every page and API operation.

``@requires("facts.read")`` on a view: the caller must be signed in (pages: a session;
``/api/``: a bearer token or a session that sends its CSRF token on writes) and hold a role
with a grant for the permission (``kamscore.auth.roles.GRANTS``); the view then finds the
caller in :func:`current_user_of_request` and the rows he may see in :func:`current_scope`
— which it hands to the service, whose query applies it. ``@public("why")`` marks the few
views anyone may call (survey links, sign-in, health) and says why.

Each guarded view carries its :class:`Policy` (``view.access_policy``); a test walks
``app.url_map`` and fails when a route has none.

Refusals: a page sends an anonymous caller to the sign-in page and answers 403 to a signed-in
one; the API answers 401 (with ``WWW-Authenticate``) or 403 in its JSON error shape. Failed
API credentials are throttled per client (``kamscore.auth.throttle``): 429 with
``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import Flask, abort, current_app, g, request
from flask_login import current_user
from flask_smorest import abort as api_abort

from kamscore.auth.login import csrf
from kamscore.auth.roles import GRANTS
from kamscore.auth.scope import AccessDenied, Scope, scope_for
from kamscore.auth.tokens import find_active_token, record_use
from kamscore.auth.web_throttle import check_client, client_failed
from kamscore.db.session import get_session
from kamscore.models import User

F = TypeVar("F", bound=Callable[..., Any])
POLICY_ATTRIBUTE = "access_policy"
BEARER = "bearer"


@dataclass(frozen=True)
class Policy:
    """Who may call a view: a permission (its rows are the caller's scope for it), or
    nobody in particular (``public``, with the reason)."""

    permission: str | None
    public_because: str | None = None


def requires(permission: str) -> Callable[[F], F]:
    """Allow the view to callers whose roles grant ``permission``; scope their rows."""
    if permission not in GRANTS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            api = is_api_request()
            user = _api_caller() if api else _page_caller()
            try:
                scope = scope_for(get_session(), user, permission, current_app.config)
            except AccessDenied as exc:
                _refuse(api, 403, f"Your roles do not allow this ({permission}).",
                        {"user": [str(exc)]})
            g.kamscore_user = user
            g.kamscore_scope = scope
            return view(*args, **kwargs)

        setattr(wrapped, POLICY_ATTRIBUTE, Policy(permission))
        return wrapped  # type: ignore[return-value]

    return decorator


def public(because: str) -> Callable[[F], F]:
    """Mark a view anyone may call, with the reason (it is in the security docs' table)."""

    def decorator(view: F) -> F:
        setattr(view, POLICY_ATTRIBUTE, Policy(None, because))
        return view

    return decorator


def optional_scope(permission: str) -> Scope | None:
    """The caller's scope for a second permission a page shows part of (None: none)."""
    try:
        return scope_for(get_session(), current_user_of_request(), permission,
                         current_app.config)
    except AccessDenied:
        return None


def mark_public(app: Flask, endpoint: str, because: str) -> None:
    """Declare a view registered by a library (e.g. flask-smorest's API document) public."""
    view = app.view_functions[endpoint]

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    app.view_functions[endpoint] = public(because)(wrapped)


def policy_of(view: Any) -> Policy | None:
    return getattr(view, POLICY_ATTRIBUTE, None)


def current_scope() -> Scope:
    """The rows the caller of this request may see for the view's permission."""
    return g.kamscore_scope


def current_user_of_request() -> User:
    """The signed-in user (or the API token's user) of a guarded view."""
    return g.kamscore_user


def is_api_request() -> bool:
    """Whether this request is the JSON API's (under ``/api``)."""
    return request.path == "/api" or request.path.startswith("/api/")


def _page_caller() -> User:
    if not current_user.is_authenticated:
        login_manager = current_app.login_manager  # type: ignore[attr-defined]
        abort(login_manager.unauthorized())
    return current_user._get_current_object()


def _api_caller() -> User:
    header = request.headers.get("Authorization")
    if header is not None:
        check_client("api_credentials")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != BEARER or not token.strip():
            client_failed("api_credentials", "malformed Authorization header")
            _refuse(True, 401, "The Authorization header must be 'Bearer <token>'.")
        session = get_session()
        record = find_active_token(session, token.strip())
        if record is None:
            client_failed("api_credentials", "unknown, expired or revoked API token")
            _refuse(True, 401, "The API token is not valid: unknown, expired or revoked.")
        if record_use(record):
            session.commit()  # before the view's own transaction begins
        return record.user
    if current_user.is_authenticated:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()  # writes only: a missing or wrong X-CSRFToken header is a 400
        return current_user._get_current_object()
    _refuse(True, 401, None)


def _refuse(api: bool, status: int, message: str | None,
            errors: dict[str, list[str]] | None = None) -> NoReturn:
    if not api:
        abort(status, description=message)
    headers = {"WWW-Authenticate": 'Bearer realm="kamscore"'} if status == 401 else None
    if errors:
        api_abort(status, message=message, errors=errors, headers=headers)
    api_abort(status, message=message, headers=headers)
