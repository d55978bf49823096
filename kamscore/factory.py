"""The application factory. Each subsystem has one ``init_app(app)``; blueprints and
subsystems are imported inside the factory so that importing kamscore costs nothing."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build a kamscore app.

    ``config`` overrides every other source of settings (defaults, ``instance/config.py``,
    ``KAMSCORE_*`` environment variables). Nothing here touches the database: the schema is
    checked on the first request (and by ``wsgi.py`` at start-up). The instance folder (SQLite
    file, secret key, config.py) is ``instance_path``, else ``$KAMSCORE_INSTANCE_PATH``, else
    Flask's default (``./instance`` in a checkout).
    """
    instance_path = instance_path or os.environ.get("KAMSCORE_INSTANCE_PATH") or None
    app = Flask("kamscore", instance_path=instance_path, instance_relative_config=True)

    from kamscore import config as settings

    settings.load_config(app, config)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:  # the client's address and scheme as the load balancer saw them
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore[method-assign]
                                x_host=proxies)

    from kamscore.auth import login
    from kamscore.config import use_huge_pages
    from kamscore.db import ids, schema_guard, session, unavailable
    from kamscore.mail import setup as mail
    from kamscore.web import headers, health

    use_huge_pages(bool(app.config["NUMPY_HUGE_PAGES"]))  # this process's numpy arrays
    ids.init_app(app)  # before any route: every <int:...> is bounded
    session.init_app(app)
    unavailable.init_app(app)
    mail.init_app(app)
    schema_guard.init_app(app)
    login.init_app(app)
    health.init_app(app)
    headers.init_app(app)

    from kamscore.plugin_host import manager

    manager.init_app(app)

    from kamscore.background import queue

    queue.init_app(app)

    from kamscore import api, web

    api.init_app(app)
    web.init_app(app)

    from kamscore import cli

    cli.init_app(app)
    return app
