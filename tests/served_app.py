"""The app as production runs it (CSRF on, not testing) on a loopback port, for the browser
tests: ``with served(database_url, instance_path) as base: ...``; extra settings, e.g.
``TASK_QUEUE_IMMEDIATE=True`` (each background job runs at once), go to the app."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server

from kamscore import create_app
from kamscore.db.session import get_db


@contextmanager
def served(database_url: str, instance_path: str, **settings: Any) -> Iterator[str]:
    """The app as production runs it (CSRF on, not testing) on a loopback port."""
    app = create_app({"SECRET_KEY": "browser-test", "DATABASE_URL": database_url, **settings},
                     instance_path=instance_path)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        get_db(app).dispose()
