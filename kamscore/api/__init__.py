"""The JSON API: flask-smorest under /api/v1, OpenAPI document at /api/openapi.json, Swagger UI
at /api/docs (served from the package, no CDN).

Every error under /api has one shape: ``{code, status, message, errors}`` (see ``errors``).
Each resource is a blueprint in its own module, registered in ``init_app``; every operation
names the permission it needs (``kamscore.auth.access.requires``): a signed-in user or an API
token whose roles grant it, and the rows come from the caller's scope. Later capabilities add
their blueprints to ``init_app`` the same way.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from kamscore.api import errors
from kamscore.api.openapi import PaginationDoc
from kamscore.api.schemas.errors import ErrorSchema

API_PREFIX = "/api/v1"

DESCRIPTION = """\
kamscore's JSON API. Authenticate with `Authorization: Bearer <token>` (issue one with
`kamscore api-token create USERNAME --name ...`) or a signed-in browser session. Lists are
paginated with `page` and `page_size`; the `X-Pagination` header holds the totals. Every error
is `{code, status, message, errors}`, `errors` naming the field at fault.
"""


class KamscoreApi(Api):
    """flask-smorest's Api with kamscore's error shape, answered in JSON under /api only."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        return errors.handle_http_exception(error)


def init_app(app: Flask) -> Api:
    from kamscore.api import (
        accounts,
        assignments,
        facts,
        imports,
        jobs,
        people,
        periods,
        plans,
        products,
        stakeholders,
        swagger,
        teams,
    )
    from kamscore.auth.access import mark_public
    from kamscore.auth.login import csrf

    api = KamscoreApi(
        app,
        spec_kwargs={
            "extra_plugins": [PaginationDoc(app.config["API_PAGE_SIZE_MAX"])],
            "info": {"description": DESCRIPTION},
            "security": [{"bearerAuth": []}, {"session": []}],
        },
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    app.register_blueprint(swagger.assets_blueprint())
    app.register_blueprint(swagger.docs)
    errors.init_app(app)
    for module in (
        people,
        teams,
        accounts,
        assignments,
        stakeholders,
        products,
        periods,
        facts,
        plans,
        imports,
        jobs,
    ):
        api.register_blueprint(module.blp)
    # requires() checks the CSRF token itself for browser sessions; tokens need none
    csrf.exempt(imports.blp)

    from kamscore.api import campaigns

    for blueprint in (campaigns.blp, campaigns.bounces):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)

    from kamscore.api import audit

    api.register_blueprint(audit.blp)

    from kamscore.api import pay, rulesets, runs, whatif

    for blueprint in (rulesets.blp, runs.blp, runs.closing, whatif.blp, pay.blp):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    mark_public(app, "api-docs.openapi_json", "the API's description: no data")
    app.extensions["kamscore.api"] = api
    return api
