"""One JSON error shape for everything under /api: ``{code, status, message, errors}``.

flask-smorest registers an error handler for every ``HTTPException`` on the whole app
(``Api.handle_http_exception``, which ``KamscoreApi`` overrides with ``handle_http_exception``
here); ours answers in JSON only for /api paths and gives anything else back to Flask (and to
the web pages' own error handlers). Unknown /api routes (404), wrong methods (405), bodies
over ``MAX_CONTENT_LENGTH`` (413), invalid input (422, with the field named in ``errors``) and
unhandled exceptions (500, logged with the traceback by Flask) all come out in that shape. A
last check after each request turns an error response that another handler rendered as HTML
under /api back into the shape.

The services refuse a request by raising their own exceptions (``ScoringError``,
``SurveyError``, ``ImportRejected``, ``UnknownKind``), each knowing its HTTP status and the
field at fault. ``init_app`` registers ``handle_service_error`` for them once, so a view only
parses, calls a service and serialises: the refusal becomes the shape, naming the field, and
the request's transaction is rolled back (nothing it began is written).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, json, request
from flask_smorest import abort
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES

from kamscore.auth.access import is_api_request
from kamscore.db.session import get_session
from kamscore.importing import ImportRejected, UnknownKind
from kamscore.scoring.errors import ScoringError
from kamscore.surveys.errors import SurveyError

#: The exceptions by which services refuse a request; see ``refusal``.
SERVICE_ERRORS: tuple[type[Exception], ...] = (
    ScoringError, SurveyError, ImportRejected, UnknownKind,
)


#: Clearer messages than werkzeug's defaults for the errors an API client meets most.
MESSAGES = {
    401: "Authentication required: send 'Authorization: Bearer <token>' or sign in.",
    404: "Not found: no such resource or URL under /api.",
    422: "Invalid input: see errors.",
    500: "Internal error: it has been logged; please report it with the time it happened.",
}


def error_body(code: int, message: str | None = None, errors: Any = None) -> dict[str, Any]:
    return {
        "code": code,
        "status": HTTP_STATUS_CODES.get(code, "Unknown Error"),
        "message": message or MESSAGES.get(code) or HTTP_STATUS_CODES.get(code, ""),
        "errors": errors if errors is not None else {},
    }


def handle_http_exception(error: HTTPException) -> Any:
    """The ``HTTPException`` handler: JSON under /api, Flask's default elsewhere."""
    if not is_api_request():
        return error
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    message = data.get("message")
    if message is None and not isinstance(error, InternalServerError):
        # werkzeug's description unless it is the generic one for this code
        default = type(error).description
        message = error.description if error.description != default else None
    if isinstance(error, MethodNotAllowed) and message is None:
        allowed = ", ".join(sorted(set(error.valid_methods or []) - {"HEAD", "OPTIONS"}))
        message = f"{request.method} is not allowed on this URL; it accepts: {allowed}."
    errors = data.get("errors", data.get("messages"))
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    return error_body(code, message, errors), code, headers


def refusal(error: Exception) -> tuple[int, str, dict[str, Any]]:
    """The status, message and ``errors`` of a service's refusal (one of ``SERVICE_ERRORS``).

    Scoring and survey errors name their field (``request`` when none is at fault) with
    every problem, or with the message itself; a refused import lists every bad row.
    """
    if isinstance(error, ImportRejected):
        return 422, str(error), error.by_line()
    if isinstance(error, UnknownKind):
        return 404, str(error), {"kind": [str(error)]}
    if isinstance(error, ScoringError | SurveyError):
        field = error.field or "request"
        if error.problems:
            return error.status, error.message.splitlines()[0], {field: list(error.problems)}
        return error.status, error.message, {field: [error.message]}
    raise TypeError(f"not a service refusal: {error!r}")


def handle_service_error(error: Exception) -> Any:
    """A service refused the request: roll its transaction back, answer in the error shape.

    Outside /api the exception goes on as if unhandled (a 500 for the web pages, which
    catch what they expect themselves).
    """
    if not is_api_request():
        raise error
    get_session().rollback()
    code, message, errors = refusal(error)
    return error_body(code, message, errors), code


def _json_errors_under_api(response: Response) -> Response:
    """Safety net: an HTML error page rendered for an /api URL becomes the JSON shape."""
    if response.status_code >= 400 and is_api_request() and not response.is_json:
        body = error_body(response.status_code)
        response.set_data(json.dumps(body))
        response.mimetype = "application/json"
    return response


def _refuse_nul_in_url() -> None:
    """NUL cannot be stored or compared in PostgreSQL text: a URL or query string holding one
    is bad input (400). JSON bodies are checked as they are read (``json_body``)."""
    if not is_api_request():
        return
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        abort(400, message="NUL characters are not allowed in URLs.")


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_in_url)
    app.after_request(_json_errors_under_api)
    for service_error in SERVICE_ERRORS:
        app.register_error_handler(service_error, handle_service_error)
