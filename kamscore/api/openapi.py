"""What the OpenAPI document says beyond what flask-smorest derives from the views.

``PaginationDoc`` is an apispec plugin (passed to the ``Api`` as ``extra_plugins``): on every
paginated operation it documents the page size limit in force in this app
(``API_PAGE_SIZE_MAX``, not the ceiling the views are decorated with) and the
``X-Pagination`` header as what it is, a JSON object in a header (``content:
application/json``, not a ``schema`` of type object, which OpenAPI reads as
``key,value,...``).
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec, BasePlugin
from flask_smorest.pagination import PaginationMetadataSchema

from kamscore.api.blueprint import ApiBlueprint
from kamscore.db.ids import MAX_ID

PAGINATION_HEADER = ApiBlueprint.PAGINATION_HEADER_NAME
#: The header component that documents ``X-Pagination``.
PAGINATION_HEADER_COMPONENT = "PaginationJSON"


class PaginationDoc(BasePlugin):
    """Documents pagination as this app does it: its page size limit, its header."""

    def __init__(self, max_page_size: int) -> None:
        self.max_page_size = max_page_size

    def init_spec(self, spec: APISpec) -> None:
        spec.components.header(PAGINATION_HEADER_COMPONENT, {
            "description": 'Pagination metadata, a JSON object: {"total": 300, '
                           '"total_pages": 6, "first_page": 1, "last_page": 6, "page": 2, '
                           '"previous_page": 1, "next_page": 3}.',
            "content": {"application/json": {"schema": PaginationMetadataSchema}},
        }, lazy=True)

    def operation_helper(
        self, path: str | None = None, operations: dict | None = None, **kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            for parameter in operation.get("parameters", []):
                if not isinstance(parameter, dict) or parameter.get("in") != "query":
                    continue
                if parameter.get("name") == "page_size":
                    parameter["schema"]["maximum"] = self.max_page_size
                elif parameter.get("name") == "page":
                    parameter["schema"]["maximum"] = MAX_ID  # an offset the database takes
            for response in operation.get("responses", {}).values():
                headers = response.get("headers") if isinstance(response, dict) else None
                if headers and PAGINATION_HEADER in headers:
                    headers[PAGINATION_HEADER] = PAGINATION_HEADER_COMPONENT
