"""Swagger UI's files, served from the ``swagger-ui-bundle`` package: no CDN, works offline."""

from __future__ import annotations

from flask import Blueprint
from swagger_ui_bundle import swagger_ui_path

ASSETS_URL = "/api/swagger-ui/"


def assets_blueprint() -> Blueprint:
    """``/api/swagger-ui/<file>``: swagger-ui-bundle.js, swagger-ui.css, ..."""
    return Blueprint(
        "swagger_ui_assets",
        __name__,
        static_folder=str(swagger_ui_path),
        static_url_path=ASSETS_URL.rstrip("/"),
    )
