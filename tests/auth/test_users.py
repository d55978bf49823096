"""Managing users: ``kamscore user ...`` and the rules behind it (roles, person, teams,
password length, no password on the command line)."""

from __future__ import annotations

from sqlalchemy import select

from kamscore.models import AuditEvent, User

GOOD = "twelve chars or more\n"


def test_create_list_set_roles_disable_reset(runner, session, world):
    created = runner.invoke(args=["user", "create", "nina", "--role", "manager", "--team",
                                  "T2", "--name", "Nina Manager", "--password-stdin"],
                            input=GOOD)
    assert created.exit_code == 0, created.output
    listed = runner.invoke(args=["user", "list"]).output
    assert "nina\tmanager\t-\tT2\tactive" in listed
    changed = runner.invoke(args=["user", "set-roles", "nina", "--role", "kam", "--person",
                                  "K3"])
    assert changed.exit_code == 0 and "signed out everywhere" in changed.output
    assert runner.invoke(args=["user", "disable", "nina"]).exit_code == 0
    assert runner.invoke(args=["user", "reset-password", "nina", "--password-stdin"],
                         input=GOOD).exit_code == 0
    assert runner.invoke(args=["user", "enable", "nina"]).exit_code == 0
    user = session.scalar(select(User).where(User.username == "nina"))
    assert user.roles == "kam" and user.person.code == "K3" and user.teams == []
    assert user.check_password(GOOD.strip()) and user.disabled_at is None
    actions = session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_key == "nina").order_by(AuditEvent.id)).all()
    assert actions == ["user.create", "user.roles", "user.disable", "user.password",
                       "user.enable"]


def test_bad_input_is_a_clear_error_and_writes_nothing(runner, session, world):
    cases = [
        (["user", "create", "x1", "--role", "analyst", "--password-stdin"], "short\n",
         "password: must be at least 12 characters long"),
        (["user", "create", "x2", "--role", "kam", "--password-stdin"], GOOD,
         "person: a user with the role 'kam' must be linked to his person"),
        (["user", "create", "x3", "--role", "manager", "--team", "T9", "--password-stdin"],
         GOOD, "team: there is no team with the code 'T9'"),
        (["user", "create", "ana", "--role", "analyst", "--password-stdin"], GOOD,
         "username: there is already a user named 'ana'"),
        (["user", "create", "Bad Name", "--role", "analyst", "--password-stdin"], GOOD,
         "username: use 1 to 80 lower-case letters"),
        (["user", "set-roles", "ghost", "--role", "analyst"], None,
         "username: there is no user named 'ghost'"),
    ]
    before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    session.rollback()  # end the read (SQLite: every transaction holds the write lock)
    for args, given, message in cases:
        result = runner.invoke(args=args, input=given)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert runner.invoke(args=["user", "create", "x4", "--role", "nonsense"]).exit_code == 2
    names = set(session.scalars(select(User.username)))
    assert not names & {"x1", "x2", "x3", "x4", "bad name"}
    assert session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) \
        == before


def test_the_password_is_never_an_argument(runner):
    result = runner.invoke(args=["user", "create", "pw", "--role", "analyst", "--password",
                                 "twelve chars or more"])
    assert result.exit_code == 2 and "No such option" in result.output
