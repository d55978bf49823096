"""The API's Swagger UI at ``/api/docs``: swagger-ui-bundle's files served from the package
(no CDN, works offline), started by a script file of ours (no inline script, so the page
obeys the Content-Security-Policy of ``kamscore.web.headers``)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from swagger_ui_bundle import swagger_ui_path

from kamscore.auth.access import public

ASSETS_URL = "/api/swagger-ui/"


def assets_blueprint() -> Blueprint:
    """``/api/swagger-ui/<file>``: swagger-ui-bundle.js, swagger-ui.css, ..."""
    return Blueprint(
        "swagger_ui_assets",
        __name__,
        static_folder=str(swagger_ui_path),
        static_url_path=ASSETS_URL.rstrip("/"),
    )


docs = Blueprint("api_docs", __name__, template_folder="templates", static_folder="static",
                 static_url_path="/api/docs-static")


@docs.get("/api/docs")
@public("the API's description: no data")
def swagger_ui() -> str:
    return render_template("api/swagger_ui.html", title=current_app.config["API_TITLE"],
                           assets_url=ASSETS_URL, spec_url=url_for("api-docs.openapi_json"))
