"""API tokens: issued once, stored hashed, listed without the secret, revocable."""

from __future__ import annotations

from sqlalchemy import select

from kamscore.auth.tokens import find_active_token, hash_token
from kamscore.db.session import get_db
from kamscore.models import ApiToken, User


def _user(app, username: str = "ana", roles: str = "analyst") -> None:
    with get_db(app).session() as session:
        session.add(User(username=username, name="Ana", password_hash="x", roles=roles))


def test_create_list_use_revoke(app, runner, client):
    _user(app)
    created = runner.invoke(
        args=["api-token", "create", "ana", "--name", "ERP import", "--expires-days", "30"]
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("ks_") and len(token) > 40
    assert "for ana, expires" in created.stderr

    with get_db(app).session() as session:
        record = session.scalar(select(ApiToken))
        assert record.token_hash == hash_token(token) and token not in record.token_hash
        assert find_active_token(session, token).user.username == "ana"

    listed = runner.invoke(args=["api-token", "list"])
    assert token not in listed.output and token[:10] in listed.output
    assert "active" in listed.output and "ERP import" in listed.output

    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/periods", headers=headers).status_code == 200
    assert runner.invoke(args=["api-token", "revoke", str(record.id)]).exit_code == 0
    assert client.get("/api/v1/periods", headers=headers).status_code == 401
    assert "revoked" in runner.invoke(args=["api-token", "list", "--user", "ana"]).output


def test_errors_name_the_problem(app, runner):
    result = runner.invoke(args=["api-token", "create", "nobody", "--name", "x"])
    assert result.exit_code == 1 and "no user named 'nobody'" in result.stderr
    _user(app)
    assert (
        "give the token a name"
        in runner.invoke(args=["api-token", "create", "ana", "--name", "  "]).stderr
    )
    assert "no token with id 99" in runner.invoke(args=["api-token", "revoke", "99"]).stderr


def test_tokens_that_do_not_look_like_ours_are_not_looked_up(app):
    with get_db(app).session() as session:
        assert find_active_token(session, "Bearer nonsense") is None
