"""Server-rendered pages. Each area is a blueprint registered in ``init_app``.

The staff pages share ``base.html`` (blueprint ``web``, ``pages.py``): skip link,
navigation, flash messages, a main landmark and a footer. A capability adds its pages to the
navigation with ``kamscore.web.nav.add_nav_item(app, endpoint, label)`` in its ``init_app``
(shown to whoever the view's access policy lets in), and writes its templates as
``{% extends "base.html" %}`` filling the
``title`` and ``content`` blocks.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from kamscore.web import layout, pages, survey_pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(survey_pages.bp)
    layout.init_app(app)

    from kamscore.web import campaign_pages

    app.register_blueprint(campaign_pages.bp)
    campaign_pages.init_app(app)

    from kamscore.web import scoring_pages

    app.register_blueprint(scoring_pages.bp)
    scoring_pages.init_app(app)

    from kamscore.web import admin_pages

    app.register_blueprint(admin_pages.bp)
    admin_pages.init_app(app)
