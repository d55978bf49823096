"""Security headers on every response (pages, API, files).

- ``Content-Security-Policy``: scripts, styles, images, fonts and forms only from this site,
  no inline script anywhere (kamscore's pages have none; the API's Swagger UI is started by a
  file, ``api/swagger-init.js``), no plugins, no ``<base>``, and no framing
  (``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for old browsers);
- ``X-Content-Type-Options: nosniff``;
- ``Referrer-Policy: no-referrer`` on the respondents' pages — a survey link is a credential
  and must never leave in a ``Referer`` header — and ``same-origin`` elsewhere;
- with ``HTTPS`` on: ``Strict-Transport-Security`` (a year, subdomains included); the session
  cookie is then ``Secure`` too (``kamscore.config``).
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
#: Swagger UI sets styles from its script; its page alone allows inline styles (never scripts).
CSP_API_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
RESPONDENT_BLUEPRINTS = frozenset({"survey_pages"})
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    app.after_request(_secure)


def _secure(response: Response) -> Response:
    headers = response.headers
    docs = request.endpoint == "api_docs.swagger_ui"
    headers.setdefault("Content-Security-Policy", CSP_API_DOCS if docs else CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    respondent = request.blueprint in RESPONDENT_BLUEPRINTS
    headers.setdefault("Referrer-Policy", "no-referrer" if respondent else "same-origin")
    from flask import current_app

    if current_app.config.get("HTTPS"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response
