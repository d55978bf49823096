"""Signing a test client in as a new user, without the sign-in form (tests' helper).

For page tests that are about what a user of some role and language sees, not about signing
in (that is ``tests/auth``): the user is stored, and the client's session holds him as
Flask-Login would after a fresh sign-in.
"""

from __future__ import annotations

from sqlalchemy import select

from kamscore.models import Person, Team, User


def sign_in_new_user(client, session, username: str, roles: str, *, name: str = "Boss",
                     language: str | None = None, person: str | None = None,
                     teams: tuple[str, ...] = ()) -> None:
    """Store user ``username`` with ``roles`` (comma-separated), his ``language``, linked to
    person code ``person`` and team codes ``teams``; sign ``client`` in as him."""
    user = User(username=username, name=name, roles=roles, language=language)
    user.set_password("not used")
    if person:
        user.person = session.scalar(select(Person).where(Person.code == person))
    if teams:
        user.teams = list(session.scalars(select(Team).where(Team.code.in_(teams))))
    session.add(user)
    session.commit()
    user_id = user.get_id()
    session.rollback()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user_id
        flask_session["_fresh"] = True
