"""A manager's team view (``/team/``): his teams' KAMs, their scores and trends, payouts when
he may see pay, the distribution of the latest scores, survey completion per campaign and
the team's 360° figures above the minimum group size.

``team.read`` (reach ``team``). Whether payouts are shown is the scope service's answer for
``pay.read`` (``MANAGERS_SEE_PAY``): without it the service reads no amount at all.

When 360° nominations of his KAMs wait for his decision, the page says how many and links
to the approval page (``nomination_pages.team_index``).

``/team/kam/<code>``: one of his KAMs' scorecard, read-only — the KAM's own scorecard page
(``scorecard_page.kam_scorecard`` with the manager's ``team.read`` scope: a KAM outside his
teams is a 404, as if absent), with amounts only when ``pay.read`` reaches him.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, abort, current_app, render_template

from kamscore.auth.access import current_scope, optional_scope, requires
from kamscore.db.session import get_session
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring.errors import NotFoundError
from kamscore.scoring.inputs_cache import app_inputs_cache
from kamscore.scoring.scorecard import is_fraction
from kamscore.scoring.scorecard_page import kam_scorecard
from kamscore.scoring.team import team_page
from kamscore.surveys.aggregate_store import Minimums
from kamscore.web.nav import add_nav_item
from kamscore.web.people_charts import scorecard_charts, team_charts

bp = Blueprint("team_pages", __name__, url_prefix="/team", template_folder="templates",
               static_folder="static/people", static_url_path="/static/people")

#: Periods shown as columns of the KAM table (the latest ones).
PERIOD_COLUMNS = 4


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "team_pages.team", "My team", also=("team_pages.kam",))


def _may_see_pay() -> bool:
    return optional_scope("pay.read") is not None


@bp.get("/")
@requires("team.read")
def team() -> str:
    view = team_page(get_session(), current_scope(), with_pay=_may_see_pay(),
                     minimums=Minimums.from_config(current_app.config),
                     approval_scope=optional_scope("nominations.approve"))
    return render_template("people/team.html", view=view, charts=team_charts(view),
                           columns=view.periods[-PERIOD_COLUMNS:])


@bp.get("/kam/<code>")
@requires("team.read")
def kam(code: str) -> str:
    try:
        person, card = kam_scorecard(
            get_session(), get_plugin_manager(), app_inputs_cache(current_app),
            scope=current_scope(), kam_code=code, today=dt.datetime.now(dt.UTC).date(),
            minimums=Minimums.from_config(current_app.config), with_pay=_may_see_pay())
    except NotFoundError as exc:
        abort(404, description=exc.message)
    return render_template("people/scorecard.html", card=card, kam=person,
                           charts=scorecard_charts(card, subject=person.name),
                           is_fraction=is_fraction, kam_code=person.code)
