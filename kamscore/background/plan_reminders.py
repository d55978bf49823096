"""The reminders of a plan nobody has to wait for: sent by the worker.

The acknowledgments page queues ``plan_reminders`` with the plan, the period, who asked and
the reach he has (everyone, or his teams' people); the worker sends the e-mails through one
connection and records ``plan.remind`` (``kamscore.scoring.acknowledgments.remind``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kamscore.auth.scope import Scope
from kamscore.scoring.acknowledgments import remind

TASK = "plan_reminders"


def send_plan_reminders(db: Any, pm: Any, mailer: Any, version_id: int, period_code: str,
                        username: str, everyone: bool, person_ids: Sequence[int],
                        link: str) -> int:
    """Send the reminders in a session of its own; returns how many went out."""
    scope = Scope("acknowledgments.remind", everyone, frozenset(person_ids))
    with db.sessionmaker() as session:
        return remind(session, pm, mailer, version_id, period_code, user=username,
                      scope=scope, link=link)
