"""A manager's team view (``/team/``): his teams' KAMs, their scores and trends, payouts when
he may see pay, the distribution of the latest scores, survey completion per campaign and
the team's 360° figures above the minimum group size.

``team.read`` (reach ``team``). Whether payouts are shown is the scope service's answer for
``pay.read`` (``MANAGERS_SEE_PAY``): without it the service reads no amount at all.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template

from kamscore.auth.access import current_scope, current_user_of_request, requires
from kamscore.auth.scope import AccessDenied, scope_for
from kamscore.db.session import get_session
from kamscore.scoring.team import team_page
from kamscore.surveys.aggregate_store import Minimums
from kamscore.web.nav import add_nav_item
from kamscore.web.people_charts import team_charts

bp = Blueprint("team_pages", __name__, url_prefix="/team", template_folder="templates",
               static_folder="static/people", static_url_path="/static/people")

#: Periods shown as columns of the KAM table (the latest ones).
PERIOD_COLUMNS = 4


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "team_pages.team", "My team")


def _may_see_pay() -> bool:
    try:
        scope_for(get_session(), current_user_of_request(), "pay.read", current_app.config)
    except AccessDenied:
        return False
    return True


@bp.get("/")
@requires("team.read")
def team() -> str:
    view = team_page(get_session(), current_scope(), with_pay=_may_see_pay(),
                     minimums=Minimums.from_config(current_app.config))
    return render_template("people/team.html", view=view, charts=team_charts(view),
                           columns=view.periods[-PERIOD_COLUMNS:])
