"""Real HTTP servers on loopback for the survey tests: Werkzeug's threaded server in-process
(browser tests) and gunicorn in a subprocess (concurrency and scale-out tests), and
``Browser``, a cookie-keeping HTTP client of them."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gunicorn_process import serving
from werkzeug.serving import make_server

from kamscore import create_app
from kamscore.db.session import get_db

REQUEST_TIMEOUT = 60  # seconds per request: bounded, a stuck server fails the test


def real_app(database_url: str, instance_path: Path, **config):
    """An app as production runs it: CSRF on, not in testing mode."""
    settings = {"SECRET_KEY": "live-server-secret", "DATABASE_URL": database_url,
                "MAIL_BACKEND": "memory", **config}
    return create_app(settings, instance_path=str(instance_path))


@contextmanager
def werkzeug_server(app) -> Iterator[str]:
    """Serve ``app`` on a free loopback port from a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        get_db(app).dispose()


@contextmanager
def gunicorn_server(database_url: str, instance_path: Path, *, workers: int = 2,
                    threads: int = 4) -> Iterator[str]:
    """gunicorn serving ``wsgi:app`` on loopback (several processes and threads)."""
    env = {"KAMSCORE_DATABASE_URL": database_url, "KAMSCORE_SECRET_KEY": "live-server-secret",
           "KAMSCORE_MAIL_BACKEND": "memory", "KAMSCORE_INSTANCE_PATH": str(instance_path)}
    with serving(env, workers=workers, threads=threads, timeout=60) as base:
        yield base


class Browser:
    """A cookie-keeping HTTP client (urllib) of one server at a time: ``base`` may be changed
    to move to another, and the cookies go along (cookies are not bound to a port)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str, str]:
        """``(status, final URL, body)`` after following redirects."""
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _open(self, request: urllib.request.Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    @staticmethod
    def form_fields(html: str) -> dict[str, str]:
        """The hidden fields of a questionnaire page: its CSRF token and section."""
        return {"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                                        html).group(1),
                "section": re.search(r'name="section" value="([a-z_]+)"', html).group(1)}
