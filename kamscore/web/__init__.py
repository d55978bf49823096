"""Server-rendered pages. Each area is a blueprint registered in ``init_app``.

The staff pages share ``base.html`` (blueprint ``web``, ``pages.py``): skip link,
navigation, flash messages, a main landmark and a footer. A capability adds its pages to the
navigation with ``kamscore.web.nav.add_nav_item(app, endpoint, label)`` in its ``init_app``
(shown to whoever the view's access policy lets in), and writes its templates as
``{% extends "base.html" %}`` filling the ``title`` and ``content`` blocks.

A page URL whose path or query holds a NUL character is refused with 400 before any view
runs (PostgreSQL cannot compare text with one; forms refuse it in ``base_form``, the API in
its own hooks).
"""

from __future__ import annotations

from flask import Flask, abort, request

from kamscore.web.base_form import NUL


def init_app(app: Flask) -> None:
    from kamscore.web import language, layout, number_format, pages, stored_words, survey_pages

    app.before_request(_refuse_nul_in_url)

    app.register_blueprint(pages.bp)
    app.register_blueprint(survey_pages.bp)
    layout.init_app(app)
    language.init_app(app)
    number_format.init_app(app)
    stored_words.init_app(app)

    from kamscore.web import (
        campaign_admin_pages,
        campaign_pages,
        nomination_pages,
        response_quality_pages,
    )

    app.register_blueprint(campaign_pages.bp)
    campaign_pages.init_app(app)
    app.register_blueprint(campaign_admin_pages.bp)
    campaign_admin_pages.init_app(app)
    app.register_blueprint(response_quality_pages.bp)
    app.register_blueprint(nomination_pages.bp)
    nomination_pages.init_app(app)

    from kamscore.web import (
        query_pages,
        ruleset_pages,
        run_pages,
        scorecard_pages,
        scoring_pages,
        team_pages,
        whatif_pages,
    )

    app.register_blueprint(run_pages.bp)
    run_pages.init_app(app)
    app.register_blueprint(scoring_pages.bp)  # the pay pages' shared stylesheet
    app.register_blueprint(whatif_pages.bp)
    whatif_pages.init_app(app)
    app.register_blueprint(ruleset_pages.bp)
    ruleset_pages.init_app(app)
    scorecard_pages.init_app(app)  # these three register their own blueprints
    team_pages.init_app(app)
    query_pages.init_app(app)

    from kamscore.web import target_pages

    app.register_blueprint(target_pages.bp)
    target_pages.init_app(app)
    from kamscore.web import plan_pages

    plan_pages.init_app(app)
    from kamscore.web import pay_pages

    pay_pages.init_app(app)

    from kamscore.web import admin_pages, import_pages

    app.register_blueprint(import_pages.bp)
    import_pages.init_app(app)
    app.register_blueprint(admin_pages.bp)
    admin_pages.init_app(app)


def _refuse_nul_in_url() -> None:
    if request.path.startswith("/api/"):
        return  # the API answers in its own error shape
    if NUL in request.path:
        abort(400, description="NUL characters (\\x00) are not allowed in URLs.")
    for name, value in request.args.items(multi=True):
        if NUL in name or NUL in value:
            abort(400, description=f"The query parameter {name!r} holds a NUL character "
                                   "(\\x00), which is not allowed.")
