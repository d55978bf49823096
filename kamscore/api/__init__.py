"""The JSON API: flask-smorest under /api/v1, OpenAPI document at /api/openapi.json.

Every error, from any endpoint, has one shape: ``{code, status, message, errors}``.
Each resource is a blueprint in its own module, registered in ``init_app``.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

API_PREFIX = "/api/v1"


def init_app(app: Flask) -> Api:
    api = Api(app)
    app.extensions["kamscore.api"] = api
    return api
