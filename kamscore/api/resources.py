"""Helpers the resource modules share: a blueprint per resource, 404 in the error shape."""

from __future__ import annotations

from typing import Any

from flask_smorest import abort

from kamscore.api import API_PREFIX
from kamscore.api.blueprint import ApiBlueprint


def resource_blueprint(name: str, path: str, description: str) -> ApiBlueprint:
    """The blueprint of one resource, mounted at ``/api/v1/<path>``."""
    return ApiBlueprint(
        name, f"kamscore.api.{name}", url_prefix=f"{API_PREFIX}/{path}", description=description
    )


def found(obj: Any, what: str, key: object) -> Any:
    """``obj``, or a 404 that names what was looked for."""
    if obj is None:
        abort(404, message=f"No {what} '{key}'.")
    return obj
