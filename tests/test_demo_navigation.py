"""On a freshly built demo, every page in every demo user's navigation answers and shows data.

The walk is generic: the users are the demo's own (``kamscore.demo.users``), the pages are
the navigation entries each of them may open (``kamscore.web.nav``: ``nav_entries`` /
``visible_to``), so a page added to the navigation is checked here without a change to this
test. A page "shows data" when it shows no empty state (``page_data.lacks_data``): no
element marked ``class="empty-state"`` (the convention for "nothing here yet" messages,
docs/architecture.md), none of the usual empty-state phrases, and no table without a row.
"""

from __future__ import annotations

import pytest
from flask import url_for
from page_data import lacks_data
from sqlalchemy import select

from kamscore.db.session import get_db
from kamscore.demo import DEMO_PASSWORD
from kamscore.models import User
from kamscore.web.nav import nav_entries

#: Small, to stay fast: 8 KAMs in 2 teams, 60 accounts — still every kind of data.
DEMO = ["demo", "--no-serve", "--size", "0.2", "--year", "2025"]
@pytest.fixture
def demo_app(app, runner):
    result = runner.invoke(args=DEMO)
    assert result.exit_code == 0, result.output
    return app


def test_every_demo_user_sees_data_on_every_page_of_his_navigation(demo_app):
    app = demo_app
    with get_db(app).sessionmaker() as session:
        users = {u.username: u for u in session.scalars(select(User))}
        session.expunge_all()
    expected = set(users)  # a fresh demo database: its users are the demo's
    assert {"manager", "kam"} <= expected

    walked: dict[str, list[str]] = {}
    failures: list[str] = []
    for username in sorted(expected):
        user = users[username]
        client = app.test_client()
        signed_in = client.post("/sign-in", data={"username": username,
                                                  "password": DEMO_PASSWORD})
        assert signed_in.status_code == 302, f"{username} cannot sign in"
        entries = [item for item in nav_entries(app) if item.visible_to(user, app)]
        with app.test_request_context():
            urls = [(item.label, url_for(item.endpoint)) for item in entries]
        home = client.get("/").get_data(as_text=True)
        nav = home.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
        for label, url in urls:  # the page's navigation is the one the test walks
            assert f'href="{url}"' in nav, f"{username}: {label} ({url}) not in the nav"
        walked[username] = [label for label, _ in urls]
        for label, url in urls:
            response = client.get(url, follow_redirects=True)
            if response.status_code != 200:
                failures.append(f"{username} → {label} ({url}): HTTP {response.status_code}")
                continue
            for problem in lacks_data(response.get_data(as_text=True)):
                failures.append(f"{username} → {label} ({url}): {problem}")
    assert failures == [], "\n".join(failures)
    # every demo user has something to open besides the home page
    assert all(len(labels) > 1 for labels in walked.values()), walked


def test_the_empty_state_check_sees_empty_pages():
    assert lacks_data('<main><p class="empty-state">Nothing here.</p></main>')
    assert lacks_data("<main><p>No statements yet.</p></main>")
    assert lacks_data("<main><table><thead><tr><th>A</th></tr></thead><tbody></tbody>"
                      "</table></main>")
    assert lacks_data("<main></main>")
    assert not lacks_data("<main><table><thead><tr><th>A</th></tr></thead>"
                          "<tbody><tr><td>1</td></tr></tbody></table></main>")
