"""WSGI entry point for gunicorn in a checkout: ``gunicorn -w 4 -b 0.0.0.0:8000 wsgi:app``.

Fails at start-up, not on the first request, when the secret key is missing or the database
schema is behind. An installed kamscore needs no checkout: use
``'kamscore.wsgi:create_server_app()'`` (see docs/operations.md).
"""

from kamscore.wsgi import create_server_app

app = create_server_app()
