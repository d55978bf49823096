"""The API's Blueprint: pagination whose largest page comes from the settings, done in SQL,
and the error responses each operation documents.

``@blp.paginate(QueryPager)`` on a view that returns a ``select()``: the pager counts the rows
and fetches one page with LIMIT/OFFSET, so a list endpoint never loads a whole table. The
largest page size is ``API_PAGE_SIZE_MAX``, checked when a request comes in, so it can be set
per deployment (``kamscore.api.openapi`` documents it in each app's OpenAPI document).

``@blp.refusals(401, 404)`` documents the error responses of an operation, each in the one
error shape (``kamscore.api.errors``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any, TypeVar

import flask_smorest
from flask import current_app, request
from flask_smorest import Page, abort
from sqlalchemy import Select, func, select

from kamscore.api.json_body import ApiParser
from kamscore.db.ids import MAX_ID
from kamscore.db.session import get_session

#: What the decoration-time schema allows; the configured maximum is checked per request.
PAGE_SIZE_CEILING = 2**31 - 1
DEFAULT_PAGE_SIZE = 50

View = TypeVar("View", bound=Callable[..., Any])


class QueryPager(Page):
    """Paginates a SQLAlchemy ``select()`` in the database: one COUNT, one LIMIT/OFFSET.

    A page beyond the last is empty without a query (its OFFSET may be larger than the
    database's integers).
    """

    @property
    def item_count(self) -> int:
        stmt: Select[Any] = self.collection
        counted = select(func.count()).select_from(stmt.order_by(None).subquery())
        return get_session().scalar(counted) or 0

    @property
    def items(self) -> list[Any]:
        params = self.page_params
        if params.first_item >= params.item_count:
            return []
        stmt: Select[Any] = self.collection
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
    ) -> Callable[[View], View]:
        """flask-smorest's pagination, with the largest page size from ``API_PAGE_SIZE_MAX``."""
        smorest_decorator = super().paginate(
            pager, page=page, page_size=page_size, max_page_size=PAGE_SIZE_CEILING
        )

        def decorator(func: View) -> View:
            paginated = smorest_decorator(func)

            @wraps(paginated)
            def checked(*args: Any, **kwargs: Any) -> Any:
                _check_page_params(current_app.config["API_PAGE_SIZE_MAX"])
                return paginated(*args, **kwargs)

            return checked  # type: ignore[return-value]

        return decorator

    def refusals(self, *codes: int) -> Callable[[View], View]:
        """Document that the operation may answer with these error codes (in the error
        shape). 422 for invalid parameters or body comes with ``arguments`` already."""

        def decorator(func: View) -> View:
            for code in codes:
                func = self.alt_response(code, response=HTTPStatus(code).name)(func)
            return func

        return decorator


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
