"""Every route declares who may call it: a walk over ``app.url_map``.

A view is guarded by ``@requires(permission)`` or declared ``@public(reason)``; for a
``MethodView`` (the API) each HTTP method's function carries its own policy, or the class
carries one for all through ``decorators``. Static files are the one exception: a blueprint's
``static`` endpoint serves style sheets, scripts and fonts, which anyone may load.
"""

from __future__ import annotations

from kamscore.auth.access import policy_of
from kamscore.auth.roles import GRANTS

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


def policies(app) -> dict[tuple[str, str], object]:
    """(rule, method) → the policy found (None when there is none)."""
    found = {}
    for rule in app.url_map.iter_rules():
        if _is_static(rule.endpoint):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - IGNORED_METHODS):
            policy = policy_of(view)
            view_class = getattr(view, "view_class", None)
            if policy is None and view_class is not None:
                policy = policy_of(getattr(view_class, method.lower(), None))
            found[(rule.rule, method)] = policy
    return found


def test_every_route_declares_its_policy(app):
    found = policies(app)
    missing = sorted(key for key, policy in found.items() if policy is None)
    assert missing == [], f"routes without an access policy: {missing}"
    assert len(found) > 60  # the walk saw the whole app, API and pages


def test_policies_name_known_permissions_and_public_routes_say_why(app):
    for (rule, method), policy in policies(app).items():
        if policy.permission is None:
            assert policy.public_because, (rule, method)
        else:
            assert policy.permission in GRANTS, (rule, method, policy.permission)


def test_the_public_routes_are_exactly_these(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    public = {endpoint for endpoint in endpoints
              if (policy := policy_of(app.view_functions[endpoint])) is not None
              and policy.permission is None}
    assert public == {
        "web.home", "web.login", "web.logout", "language.settings", "health.health",
        "api_docs.swagger_ui",
        "api-docs.openapi_json", "survey_pages.follow", "survey_pages.opt_out",
        "survey_pages.page", "survey_pages.thanks",
    }


def test_a_route_without_a_policy_is_found(app):
    """The walk is not vacuous: a route added without a policy shows up as missing."""

    @app.get("/unguarded")
    def unguarded() -> str:
        return "anyone"

    missing = [key for key, policy in policies(app).items() if policy is None]
    assert missing == [("/unguarded", "GET")]
