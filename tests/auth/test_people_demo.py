"""On a freshly built demo, the demo KAM's scorecard and the demo manager's team view show
data: statements across periods, an estimate, the team's KAMs with scores and payouts."""

from __future__ import annotations

import re

from sqlalchemy import select

from kamscore.demo import DemoSpec, build_demo
from kamscore.demo.pay import publish_and_score
from kamscore.models import User
from kamscore.plugin_host.manager import get_plugin_manager


def sign_in(client, session, username: str) -> None:
    user = session.scalar(select(User).where(User.username == username))
    session_id = user.get_id()
    session.rollback()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = session_id
        flask_session["_fresh"] = True


def test_the_demo_kam_and_manager_see_data(app, client, session):
    spec = DemoSpec(size=0.5, seed=42, year=2025)
    build_demo(session, spec)
    session.commit()
    publish_and_score(session, get_plugin_manager(app), spec)  # as ``kamscore demo`` does
    session.commit()
    sign_in(client, session, "kam")
    page = client.get("/me/scorecard").get_data(as_text=True)
    assert "Your statements, period by period" in page, page
    assert 'class="trend"' in page and "€" in page
    assert "If 2025-Q4 closed today" in page
    sign_in(client, session, "manager")
    page = client.get("/team/").get_data(as_text=True)
    assert "Score by period" in page and "Median score" in page and "€" in page
    # the demo KAM's questions: one answered on his statement, one open in the queue
    sign_in(client, session, "analyst")
    page = client.get("/scoring/queries/").get_data(as_text=True)
    assert "pulled my score down most" in page and "March salary" not in page
    sign_in(client, session, "kam")
    page = client.get("/scoring/").get_data(as_text=True)
    statement = re.search(r'href="(/scoring/runs/\d+/statements/[^"]+)"', page).group(1)
    page = client.get(statement).get_data(as_text=True)
    assert "paid with the salary of the month after the period closes" in page
