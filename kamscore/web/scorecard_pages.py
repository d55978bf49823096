"""A KAM's scorecard (``/me/scorecard``): his results across periods with trend charts, the
current period's estimate and what would move it most, and his survey results.

For the KAM himself (``scorecard.read``, reach ``own``): the view parses nothing but the
caller, calls ``scorecard_page`` with his scope and renders. The estimate is computed on
each visit by the engine from the latest facts (through the what-if inputs cache) and never
stored.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, current_app, render_template

from kamscore.auth.access import current_scope, current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring.inputs_cache import app_inputs_cache
from kamscore.scoring.scorecard import is_fraction
from kamscore.scoring.scorecard_page import scorecard_page
from kamscore.surveys.aggregate_store import Minimums
from kamscore.web.nav import add_nav_item
from kamscore.web.people_charts import scorecard_charts

bp = Blueprint("scorecard_pages", __name__, url_prefix="/me", template_folder="templates",
               static_folder="static/people", static_url_path="/static/people")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "scorecard_pages.scorecard", "My scorecard")


@bp.get("/scorecard")
@requires("scorecard.read")
def scorecard() -> str:
    user = current_user_of_request()
    if user.person_id is None:
        return render_template("people/scorecard.html", card=None, charts=None)
    card = scorecard_page(get_session(), get_plugin_manager(), app_inputs_cache(current_app),
                          scope=current_scope(), person_id=user.person_id,
                          today=dt.datetime.now(dt.UTC).date(),
                          minimums=Minimums.from_config(current_app.config))
    return render_template("people/scorecard.html", card=card, charts=scorecard_charts(card),
                           is_fraction=is_fraction, kam_code=user.person.code)
