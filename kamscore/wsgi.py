"""The app for a WSGI server, from an installed kamscore (no checkout, no ``wsgi.py`` needed):

    gunicorn -w 4 -b 0.0.0.0:8000 'kamscore.wsgi:create_server_app()'

gunicorn calls the factory once per worker. It fails at start-up, not on the first request,
when the secret key is missing or the database schema is behind. Importing this module does
nothing by itself.
"""

from __future__ import annotations

from flask import Flask


def create_server_app() -> Flask:
    """``create_app()`` with settings from the instance folder and the environment, after
    checking that the schema is current (``kamscore db upgrade`` otherwise)."""
    from kamscore.db.schema_guard import assert_schema_current
    from kamscore.factory import create_app

    app = create_app()
    assert_schema_current(app)
    return app
