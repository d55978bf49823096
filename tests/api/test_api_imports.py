"""POST /api/v1/imports/<kind>: the CLI's rules over HTTP, and who may use it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select, update

from kamscore import create_app
from kamscore.auth.tokens import revoke_token
from kamscore.db.session import get_db
from kamscore.models import ApiToken, Person


def _upload(path_or_bytes, name: str = "people.csv") -> dict:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    return {"file": (io.BytesIO(data), name)}


def _people(app) -> int:
    with get_db(app).session() as session:
        return session.scalar(select(func.count()).select_from(Person))


def test_import_then_reimport(app, client, analyst, examples):
    response = client.post(
        "/api/v1/imports/people", data=_upload(examples / "people.csv"), headers=analyst
    )
    assert response.status_code == 200
    assert response.json == {
        "kind": "people",
        "filename": "people.csv",
        "rows": 8,
        "dry_run": False,
        "sha256": hashlib.sha256((examples / "people.csv").read_bytes()).hexdigest(),
        "tables": {"person": {"created": 8, "updated": 0, "unchanged": 0, "deleted": 0}},
        "totals": {"created": 8, "updated": 0, "unchanged": 0, "deleted": 0},
    }
    assert _people(app) == 8
    again = client.post(
        "/api/v1/imports/people", data=_upload(examples / "people.csv"), headers=analyst
    )
    assert again.json["totals"]["unchanged"] == 8


def test_a_bad_file_is_refused_with_every_row_and_nothing_written(app, client, analyst):
    csv = b"code,name,role\nE1,Ann,kam\nE2,,kam\nE3,Cy,boss\nE1,Dup,kam\n"
    response = client.post("/api/v1/imports/people", data=_upload(csv), headers=analyst)
    assert response.status_code == 422
    assert response.json["errors"] == {
        "3": {"name": ["a value is required"]},
        "4": {
            "role": [
                "must be one of: kam, manager, msl, market_access, marketing, "
                "health_economics, other"
            ]
        },
        "5": {"_row": ["E1 is already on line 2"]},
    }
    assert "nothing was written" in response.json["message"]
    assert _people(app) == 0


def test_dry_run(app, client, analyst, examples):
    response = client.post(
        "/api/v1/imports/people?dry_run=true",
        data=_upload(examples / "people.csv"),
        headers=analyst,
    )
    assert response.json["dry_run"] is True and response.json["totals"]["created"] == 8
    assert _people(app) == 0


def test_the_file_options_reach_the_import(app, client, analyst, examples):
    """sheet, decimal and date_format as the CLI's options; expected_sha256 refuses a file
    that is not the one a dry run checked (422, nothing written)."""
    people = (examples / "people.csv").read_bytes()
    european = re.sub(r"(\d{4})-(\d\d)-(\d\d)", r"\3.\2.\1", re.sub(
        r"(\d)\.(\d)", r"\1,\2", people.decode().replace(",", ";"))).encode()
    refused = client.post("/api/v1/imports/people?dry_run=true",
                          data=_upload(european), headers=analyst)
    assert refused.status_code == 422  # DD.MM.YYYY without date_format
    checked = client.post("/api/v1/imports/people?dry_run=true&date_format=DD.MM.YYYY"
                          "&decimal=,", data=_upload(european), headers=analyst)
    assert checked.status_code == 200, checked.json
    sha = checked.json["sha256"]
    assert sha == hashlib.sha256(european).hexdigest()
    changed = client.post(f"/api/v1/imports/people?date_format=DD.MM.YYYY&expected_sha256={sha}",
                          data=_upload(european + b"\n"), headers=analyst)
    assert changed.status_code == 422
    assert changed.json["errors"] == {"1": {"_row": [
        "the file changed since its dry run: check it again before applying"]}}
    assert _people(app) == 0
    applied = client.post(f"/api/v1/imports/people?date_format=DD.MM.YYYY&expected_sha256={sha}",
                          data=_upload(european), headers=analyst)
    assert applied.status_code == 200 and applied.json["totals"]["created"] == 8
    sheet = client.post("/api/v1/imports/people?sheet=People", data=_upload(people),
                        headers=analyst)
    assert sheet.status_code == 422 and "names a sheet" in str(sheet.json["errors"])
    for bad in ("decimal=;", "date_format=YYYY/MM/DD", "expected_sha256=abc"):
        response = client.post(f"/api/v1/imports/people?{bad}", data=_upload(people),
                               headers=analyst)
        assert response.status_code == 422
        assert bad.split("=")[0] in response.json["errors"]["query"], response.json


def test_unknown_kind_is_404(client, analyst, examples):
    response = client.post(
        "/api/v1/imports/widgets", data=_upload(examples / "people.csv"), headers=analyst
    )
    assert response.status_code == 404 and "people" in response.json["message"]


def test_readers_may_not_import(client, viewer, examples, make_user):
    response = client.post(
        "/api/v1/imports/people", data=_upload(examples / "people.csv"), headers=viewer
    )
    assert response.status_code == 403
    _, admin = make_user("root", "admin")
    ok = client.post("/api/v1/imports/people", data=_upload(examples / "people.csv"), headers=admin)
    assert ok.status_code == 200


def test_revoked_and_expired_tokens_are_refused(app, client, analyst, examples):
    with get_db(app).session() as session:
        token_id = session.scalar(select(ApiToken.id))
        revoke_token(session, token_id)
    assert client.get("/api/v1/people", headers=analyst).status_code == 401
    with get_db(app).session() as session:
        session.execute(
            update(ApiToken).values(
                revoked_at=None, expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
            )
        )
    assert client.get("/api/v1/people", headers=analyst).status_code == 401


def test_token_use_is_recorded(app, client, analyst):
    client.get("/api/v1/people", headers=analyst)
    with get_db(app).session() as session:
        assert session.scalar(select(ApiToken.last_used_at)) is not None


def test_a_browser_session_needs_the_csrf_token(database_url, tmp_path, make_user, examples):
    """Signed in with a cookie, a write must carry X-CSRFToken: the cookie alone could come
    from another site's form."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "s",
            "DATABASE_URL": database_url,
            "WTF_CSRF_ENABLED": True,
        },
        instance_path=str(tmp_path / "csrf"),
    )
    app.add_url_rule("/csrf-token-for-test", view_func=generate_csrf)
    user_id, _ = make_user("ana", "analyst")
    try:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id_of(app, user_id)
            session["_fresh"] = True
        refused = client.post("/api/v1/imports/people", data=_upload(examples / "people.csv"))
        assert refused.status_code == 400
        assert set(refused.json) == {"code", "status", "message", "errors"}
        assert "CSRF" in refused.json["message"]
        token = client.get("/csrf-token-for-test").get_data(as_text=True)
        accepted = client.post(
            "/api/v1/imports/people",
            data=_upload(examples / "people.csv"),
            headers={"X-CSRFToken": token},
        )
        assert accepted.status_code == 200, accepted.json
        # reading needs no CSRF token
        assert client.get("/api/v1/people").status_code == 200
    finally:
        get_db(app).dispose()


def session_id_of(app, user_id: int) -> str:
    """What Flask-Login keeps in the session cookie of a signed-in user: "id:session token"."""
    from kamscore.db.session import get_db
    from kamscore.models import User

    with get_db(app).sessionmaker() as session:
        return session.get(User, user_id).get_id()
