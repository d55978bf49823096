"""Refuse to serve on a database whose schema is behind the code."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, request

from kamscore.db.migrate import schema_status
from kamscore.db.session import get_db

_CHECKED = "kamscore.schema_ok"
_EXEMPT = {"health.health", "static"}  # /health reports the schema state itself


def init_app(app: Flask) -> None:
    app.before_request(_check_schema)


def _check_schema() -> Response | None:
    if current_app.extensions.get(_CHECKED) or request.endpoint in _EXEMPT:
        return None
    status = schema_status(get_db().engine)
    if status.up_to_date:
        current_app.extensions[_CHECKED] = True
        return None
    body = {"code": 503, "status": "Service Unavailable", "message": status.message(), "errors": {}}
    if request.path.startswith("/api/"):
        response = jsonify(body)
    else:
        response = Response(status.message(), mimetype="text/plain")
    response.status_code = 503
    return response


def assert_schema_current(app: Flask) -> None:
    """Raise at start-up (wsgi.py, scheduler) when the schema is behind."""
    status = schema_status(get_db(app).engine)
    if not status.up_to_date:
        raise RuntimeError(status.message())
