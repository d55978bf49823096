"""No English left on a page read in Traditional Chinese (issue 20): every demo user, with his
language set to ``zh-Hant``, walks every page of his navigation and every page those link to
(one step, same site, GET); ``untranslated.english_left`` finds the texts that still hold an
English word besides names and codes (``untranslated.data_texts``). The walk is generic, like
tests/test_demo_navigation.py: a page added to the navigation or linked from it is checked
without a change here."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for
from sqlalchemy import select, update
from untranslated import data_texts, english_left

from kamscore.db.session import get_db
from kamscore.demo import DEMO_PASSWORD
from kamscore.models import User
from kamscore.web.nav import nav_entries

DEMO = ["demo", "--no-serve", "--size", "0.2", "--year", "2025"]
#: Links that are not pages a person reads: files, the sign-out, the API, static files.
NOT_PAGES = ("/static/", "/api/", "/sign-out", ".csv", ".xlsx", ".pdf", "/download",
             "/export", "/health")
#: At most this many linked pages per user and linked path shape (…/statements/E00006 and
#: …/statements/E00007 read alike).
PER_SHAPE = 2


def _links(html: str) -> list[str]:
    import re

    return [h for h in re.findall(r'href="([^"#]+)', html)
            if h.startswith("/") and not any(n in h for n in NOT_PAGES)]


def _shape(path: str) -> str:
    return "/".join("N" if any(c.isdigit() for c in part) else part
                    for part in urlsplit(path).path.split("/"))


def test_no_english_is_left_on_a_page_read_in_traditional_chinese(app, runner):
    result = runner.invoke(args=DEMO)
    assert result.exit_code == 0, result.output
    db = get_db(app)
    with db.sessionmaker() as session:
        session.execute(update(User).values(language="zh-Hant"))
        session.commit()
        users = {u.username: u for u in session.scalars(select(User))}
        allowed = data_texts(session)
        session.expunge_all()

    found: dict[str, list[str]] = {}
    anonymous = app.test_client()
    html = anonymous.get("/sign-in", headers={"Accept-Language": "zh-TW"}).get_data(True)
    found["/sign-in"] = english_left(html, allowed)
    for username, user in sorted(users.items()):
        client = app.test_client()
        signed_in = client.post("/sign-in", data={"username": username,
                                                  "password": DEMO_PASSWORD})
        assert signed_in.status_code == 302, f"{username} cannot sign in"
        with app.test_request_context():
            paths = ["/"] + [url_for(item.endpoint) for item in nav_entries(app)
                             if item.visible_to(user, app)]
        shapes: dict[str, int] = {}
        seen: set[str] = set()
        queue = [(p, 0) for p in paths]
        while queue:
            path, depth = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            shape = _shape(path)
            if depth and shapes.get(shape, 0) >= PER_SHAPE:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            response = client.get(path)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            left = english_left(html, allowed)
            if left:
                found.setdefault(path, left)
            if depth == 0:
                queue.extend((link, 1) for link in _links(html))
    left = {path: texts for path, texts in found.items() if texts}
    report = "\n".join(f"{path}: {texts[:8]}" for path, texts in sorted(left.items()))
    assert left == {}, f"English on {len(left)} zh-Hant pages:\n{report}"


def test_the_check_finds_english_and_lets_names_and_codes_pass():
    html = ('<main><h1>評分執行 12</h1><p>Run the period</p><p translate="no">Kam K1</p>'
            '<button aria-label="Close">×</button><p>KAM E00006 2025-Q4 NT$1,234.00</p>'
            '<p>Anna Schmidt 的報表</p><script>var x = "hello";</script></main>')
    assert english_left(html, {"Anna Schmidt"}) == ["Run the period", "Close"]
