"""The API's Blueprint: pagination whose largest page comes from the settings, done in SQL.

``@blp.paginate(QueryPager)`` on a view that returns a ``select()``: the pager counts the rows
and fetches one page with LIMIT/OFFSET, so a list endpoint never loads a whole table. The
largest page size is ``API_PAGE_SIZE_MAX``, read when a request comes in (and when the
OpenAPI document is built), so it can be set per deployment.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any

import flask_smorest
from flask import current_app, request
from flask_smorest import Page, abort
from flask_smorest.pagination import _pagination_parameters_schema_factory
from sqlalchemy import Select, func, select

from kamscore.api.json_body import ApiParser
from kamscore.db.ids import MAX_ID
from kamscore.db.session import get_session

#: What the decoration-time schema allows; the configured maximum is checked per request.
_PAGE_SIZE_CEILING = 2**31 - 1
DEFAULT_PAGE_SIZE = 50


class QueryPager(Page):
    """Paginates a SQLAlchemy ``select()`` in the database: one COUNT, one LIMIT/OFFSET."""

    @property
    def item_count(self) -> int:
        stmt: Select[Any] = self.collection
        counted = select(func.count()).select_from(stmt.order_by(None).subquery())
        return get_session().scalar(counted) or 0

    @property
    def items(self) -> list[Any]:
        stmt: Select[Any] = self.collection
        params = self.page_params
        page = stmt.limit(params.page_size).offset(params.first_item)
        return list(get_session().scalars(page).unique())


class ApiBlueprint(flask_smorest.Blueprint):
    #: JSON bodies are read within limits (depth, numbers, NUL characters): ``json_body``.
    ARGUMENTS_PARSER = ApiParser()

    def paginate(
        self,
        pager: type[Page] | None = None,
        *,
        page: int | None = None,
        page_size: int | None = DEFAULT_PAGE_SIZE,
        max_page_size: int | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """flask-smorest's pagination, with the largest page size from ``API_PAGE_SIZE_MAX``."""
        smorest_decorator = super().paginate(
            pager, page=page, page_size=page_size, max_page_size=_PAGE_SIZE_CEILING
        )

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            paginated = smorest_decorator(func)

            @wraps(paginated)
            def checked(*args: Any, **kwargs: Any) -> Any:
                limit = max_page_size or current_app.config["API_PAGE_SIZE_MAX"]
                _check_page_params(limit)
                return paginated(*args, **kwargs)

            checked._apidoc["pagination"]["max_page_size"] = max_page_size  # type: ignore[attr-defined]
            return checked

        return decorator

    def _prepare_pagination_doc(
        self, doc: dict, doc_info: dict, *, spec: Any, **kwargs: Any
    ) -> dict:
        """Document the page size limit that is in force in this app, not the ceiling."""
        operation = doc_info.get("pagination")
        if operation:
            operation = deepcopy(operation)
            fields = operation["parameters"]["schema"]._declared_fields
            limit = operation.get("max_page_size") or kwargs["app"].config["API_PAGE_SIZE_MAX"]
            operation["parameters"]["schema"] = _pagination_parameters_schema_factory(
                fields["page"].load_default, fields["page_size"].load_default, limit
            )
            doc_info = {**doc_info, "pagination": operation}
        return super()._prepare_pagination_doc(doc, doc_info, spec=spec, **kwargs)


def _check_page_params(limit: int) -> None:
    """``page_size`` at most ``limit``, ``page`` at most ``MAX_ID`` (so that the offset is a
    number the database takes); anything that is not a number is left to the schema."""
    errors = {}
    for name, high in (("page", MAX_ID), ("page_size", limit)):
        raw = request.args.get(name)
        try:
            value = int(raw) if raw is not None else None
        except ValueError:
            continue  # not a number (or too long to be one): the schema answers 422
        if value is not None and value > high:
            errors[name] = [f"Must be between 1 and {high}."]
    if errors:
        abort(422, message="Invalid query parameters: see errors.", errors={"query": errors})
