"""Queries on statement lines: raised by a KAM, answered by the comp team, then resolved.

- ``raise_query``: a KAM asks about one line of his statement in a run — a component (by
  id) or a step (``STEP_LINES``); a short text, at most ``BODY_MAX`` characters. Only for a
  statement his scope for ``queries.raise`` reaches (his own);
- ``answer_query``: the comp team answers an *open* query;
- ``resolve_query``: the KAM (or the comp team) closes an *answered* query;
- ``queries_on_statement``: the queries of one statement, oldest first (the statement page);
- ``open_queries``: every open query, oldest first (the comp team's queue).

States go open → answered → resolved, never back (a KAM who is not satisfied asks again: a
new query). Every step is an audit event (``query.raise``, ``query.answer``,
``query.resolve``) added in the step's transaction; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.auth.scope import Scope
from kamscore.models import (
    Period,
    Person,
    QueryStatus,
    ScoreRun,
    StatementQuery,
    User,
)
from kamscore.models.types import MAX_INTEGER, utcnow
from kamscore.scoring.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
)
from kamscore.scoring.run_store import load_line
from kamscore.texts import _

#: The longest question or answer, in characters: a query is a short note, not a letter.
BODY_MAX = 500

#: Lines of a statement that are steps, not components: what a KAM may ask about besides
#: each component.
STEP_LINES = {
    "eligibility": "Eligibility and status",
    "score": "Score",
    "target": "Target incentive",
    "proration": "Proration",
    "payout": "Payout",
}


def _text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInputError(_("the question is empty") if field == "question" else
                                _("the answer is empty"), field=field)
    if len(text) > BODY_MAX:
        raise InvalidInputError(
            _("the question is %(length)s characters long; at most %(most)s", length=len(text),
              most=BODY_MAX) if field == "question" else
            _("the answer is %(length)s characters long; at most %(most)s", length=len(text),
              most=BODY_MAX), field=field)
    return text


def statement_lines(detail: dict) -> dict[str, str]:  # type: ignore[type-arg]
    """The lines of a statement a query may name: line key → its title."""
    lines = {c["id"]: c["title"] for c in detail.get("components", [])}
    return {**lines, **STEP_LINES}


def raise_query(session: Session, actor: User, scope: Scope, *, run_id: int, kam_code: str,
                line: str, body: str) -> StatementQuery:
    """A query by ``actor`` on line ``line`` of ``kam_code``'s statement in run ``run_id``."""
    text = _text(body, "question")
    try:
        found = load_line(session, run_id, kam_code, scope)
    except NotFoundError:
        raise NotFoundError(f"no statement of {kam_code!r} in run {run_id} that you may "
                            "query", field="kam") from None
    titles = statement_lines(found.detail)
    if line not in titles:
        raise InvalidInputError(f"the statement has no line {line[:80]!r}", field="line")
    query = StatementQuery(run_id=run_id, person_id=found.person_id, line=line,
                           line_title=titles[line][:200], body=text,
                           status=QueryStatus.OPEN, raised_by=actor.username,
                           raised_at=utcnow())
    session.add(query)
    session.flush()
    record(session, actor, "query.raise", "statement_query", query.id, run=run_id,
           kam=kam_code, line=line)
    return query


def _get(session: Session, query_id: int) -> StatementQuery:
    query = session.get(StatementQuery, query_id) if 0 < query_id <= MAX_INTEGER else None
    if query is None:
        raise NotFoundError(f"no query {query_id}", field="query")
    return query


def answer_query(session: Session, actor: User, query_id: int, answer: str) -> StatementQuery:
    """The comp team's answer to open query ``query_id``."""
    text = _text(answer, "answer")
    query = _get(session, query_id)
    if query.status is not QueryStatus.OPEN:
        raise ConflictError(_("query %(id)s is %(state)s: only an open query is answered",
                              id=query_id, state=query.status.value), field="status")
    query.answer, query.answered_by, query.answered_at = text, actor.username, utcnow()
    query.status = QueryStatus.ANSWERED
    record(session, actor, "query.answer", "statement_query", query.id, run=query.run_id,
           line=query.line)
    return query


def resolve_query(session: Session, actor: User, scope: Scope,
                  query_id: int) -> StatementQuery:
    """Close answered query ``query_id``: by its KAM (his scope reaches him) or the comp team.
    A query outside ``scope`` is answered as if it did not exist."""
    query = _get(session, query_id)
    if not scope.includes_person(query.person_id):
        raise NotFoundError(f"no query {query_id}", field="query")
    if query.status is not QueryStatus.ANSWERED:
        raise ConflictError(_("query %(id)s is %(state)s: only an answered query is resolved",
                              id=query_id, state=query.status.value), field="status")
    query.status, query.resolved_by, query.resolved_at = (QueryStatus.RESOLVED, actor.username,
                                                          utcnow())
    record(session, actor, "query.resolve", "statement_query", query.id, run=query.run_id,
           line=query.line)
    return query


def queries_on_statement(session: Session, run_id: int, kam_code: str,
                         scope: Scope) -> list[StatementQuery]:
    """The queries on KAM ``kam_code``'s statement in run ``run_id`` (if ``scope`` reaches
    him), oldest first."""
    return list(session.scalars(
        select(StatementQuery).join(Person, Person.id == StatementQuery.person_id)
        .where(StatementQuery.run_id == run_id, Person.code == kam_code,
               scope.people(StatementQuery.person_id))
        .order_by(StatementQuery.id)))


@dataclass(frozen=True)
class QueueRow:
    query: StatementQuery
    kam_code: str
    kam_name: str
    period: str
    ruleset: str


def open_queries(session: Session, *, limit: int = 200) -> tuple[list[QueueRow], int]:
    """The open queries, oldest first (at most ``limit``), and how many are open."""
    total = session.scalar(select(func.count()).select_from(StatementQuery)
                           .where(StatementQuery.status == QueryStatus.OPEN)) or 0
    rows = session.execute(
        select(StatementQuery, Person.code, Person.name, Period.code, ScoreRun.ruleset_name)
        .join(Person, Person.id == StatementQuery.person_id)
        .join(ScoreRun, ScoreRun.id == StatementQuery.run_id)
        .join(Period, Period.id == ScoreRun.period_id)
        .where(StatementQuery.status == QueryStatus.OPEN)
        .order_by(StatementQuery.raised_at, StatementQuery.id).limit(limit))
    return [QueueRow(q, code, name, period, ruleset)
            for q, code, name, period, ruleset in rows], total

