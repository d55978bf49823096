"""WSGI entry point for gunicorn: ``gunicorn -w 4 wsgi:app``.

Fails at start-up, not on the first request, when the secret key is missing or the database
schema is behind.
"""

from kamscore import create_app
from kamscore.schema_guard import assert_schema_current

app = create_app()
assert_schema_current(app)
