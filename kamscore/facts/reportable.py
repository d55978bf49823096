"""Which facts may leave the service: survey figures only of groups at the minimum size.

Survey results imported as facts (``survey.<measure>.<group>.<stat>``, docs/plugins.md) obey
the same rule as live campaign results: no statistic of a group with fewer than
``SURVEY_MIN_GROUP`` respondents leaves the service, to anyone, by any page, export or API —
a mean of two answers tells each of the two what the other said. A survey fact is reportable
only when the group's ``n`` fact (same period, subject, measure and group) exists and is at
least the minimum; a group without its ``n`` is not reportable either.

:func:`reportable_facts` is a SQL condition, applied in the query (portable: ``substr``,
``length`` and ``||`` on both SQLite and PostgreSQL), so counts, pages and exports agree.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, func, not_, or_
from sqlalchemy.orm import aliased

from kamscore.models import Fact

SURVEY_PREFIX = "survey."
SCALAR_STATS = ("n", "mean", "sd", "min", "max")


def reportable_facts(minimum: int) -> ColumnElement[bool]:
    """Facts that are not survey figures, or survey figures of a group of ``minimum``+."""
    n_fact = aliased(Fact)
    group_length = func.length(n_fact.name) - 1  # "survey.<measure>.<group>." without the n
    stat = func.substr(Fact.name, group_length + 1)
    return or_(
        not_(Fact.name.startswith(SURVEY_PREFIX, autoescape=True)),
        exists().where(
            n_fact.period_id == Fact.period_id,
            n_fact.subject_key == Fact.subject_key,
            n_fact.name.startswith(SURVEY_PREFIX, autoescape=True),
            n_fact.name.endswith(".n", autoescape=True),
            n_fact.value >= minimum,
            func.substr(Fact.name, 1, group_length) == func.substr(n_fact.name, 1,
                                                                   group_length),
            or_(stat.in_(SCALAR_STATS), stat.startswith("count.", autoescape=True)),
        ),
    )
