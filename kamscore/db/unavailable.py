"""A database that does not answer makes every page and API call 503, never a traceback.

PostgreSQL down or restarting (connection refused, the connection lost mid-request), an
SQLite file that cannot be opened, the pool exhausted: SQLAlchemy raises an
``OperationalError``, an ``InterfaceError`` or its pool's ``TimeoutError``. ``init_app``
registers one error handler for all three. It answers 503 with ``Retry-After``, and renders
nothing that could need the database again (no layout, no signed-in user): a plain HTML page,
or under /api the API's JSON error shape. The error is logged in one line; its details (a
host name, a path) are not shown.
"""

from __future__ import annotations

import logging
from html import escape

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30
MESSAGE = ("The database is not available at the moment (it may be restarting). Nothing was "
           "changed; please try again in a minute.")
_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Service unavailable</title></head>
<body>
<main>
<h1>Service unavailable</h1>
<p>{message}</p>
</main>
</body>
</html>
"""


def init_app(app: Flask) -> None:
    for error in (OperationalError, InterfaceError, PoolTimeoutError):
        app.register_error_handler(error, database_unavailable)


def database_unavailable(error: Exception) -> Response:
    """503 with ``Retry-After``: JSON under /api, a plain HTML page elsewhere."""
    log.error("database unavailable (%s %s): %s", request.method, request.path,
              str(error).splitlines()[0] if str(error) else type(error).__name__)
    if request.path == "/api" or request.path.startswith("/api/"):
        response = jsonify({"code": 503, "status": "Service Unavailable", "message": MESSAGE,
                            "errors": {}})
    else:
        response = Response(_PAGE.format(message=escape(MESSAGE)), mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response
