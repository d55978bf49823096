"""Server-rendered pages. Each area is a blueprint registered in ``init_app``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import survey_pages

    app.register_blueprint(survey_pages.bp)
