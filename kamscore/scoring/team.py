"""A manager's team view: his teams' KAMs with their scores (and payouts), across periods.

``team_view`` reads, for the people in the caller's scope (``team.read``: the members of the
teams he manages), the line of each period's *current* run (the newest of each period and
ruleset) — the stored score and payout, never a recomputation — and adds:

- each KAM's row: his team(s), his latest score, status and (``with_pay``) payout, and his
  score in every period (the trend);
- the distribution of the latest period's scores over the team (counts per band);
- per period: the team's median score and (``with_pay``) total payout (the trend).

``with_pay`` is False when the manager may not see pay (``MANAGERS_SEE_PAY`` off: the view
asks the scope service); then no amount is read at all. Survey completion and 360° figures
come from ``kamscore.surveys.people_results``, the 360° nominations waiting for his decision
from ``kamscore.surveys.nominations`` (with his ``nominations.approve`` scope);
``team_page`` gathers all for the page.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kamscore.auth.scope import Scope
from kamscore.models import Period, Person, Role, ScoreLine, ScoreRun, Team, TeamMember
from kamscore.surveys.aggregate_store import Minimums
from kamscore.surveys.nominations import Waiting, waiting_for_approval
from kamscore.surveys.people_results import Completion, Team360, team_360, team_completion

#: Score bands of the distribution (final factor; the last is open).
BANDS = (0.0, 0.5, 0.8, 1.0, 1.2)


@dataclass
class KamRow:
    code: str
    name: str
    teams: str
    scores: dict[str, float | None] = field(default_factory=dict)  # period → score
    payouts: dict[str, float] = field(default_factory=dict)  # period → payout (with pay)
    statuses: dict[str, str] = field(default_factory=dict)  # period → paid/held/ineligible


@dataclass(frozen=True)
class PeriodSummary:
    period: str
    kams: int
    median_score: float | None
    total_payout: float | None  # None without pay


@dataclass
class TeamView:
    teams: list[str]
    periods: list[str]  # oldest first
    currency: str | None
    with_pay: bool
    kams: list[KamRow]
    summaries: list[PeriodSummary]
    bands: list[tuple[str, int]]  # the latest period's scores: (band, KAMs)
    completion: list[Completion] = field(default_factory=list)
    internal: list[Team360] = field(default_factory=list)
    approvals: list[Waiting] = field(default_factory=list)  # nominations to decide on

    @property
    def latest(self) -> str | None:
        return self.periods[-1] if self.periods else None


def band_label(index: int) -> str:
    low = BANDS[index]
    if index == len(BANDS) - 1:
        return f"≥{low * 100:.0f}%"
    return f"{low * 100:.0f}\u2013{BANDS[index + 1] * 100:.0f}%"


def bands_of(scores: list[float]) -> list[tuple[str, int]]:
    """How many scores fall in each band ``[low, next low)``; below 0 counts in the first."""
    counts = [0] * len(BANDS)
    for s in scores:
        index = max(i for i, low in enumerate(BANDS) if s >= low) if s >= BANDS[0] else 0
        counts[index] += 1
    return [(band_label(i), counts[i]) for i in range(len(BANDS))]


def team_view(session: Session, scope: Scope, *, with_pay: bool) -> TeamView:
    """The team's score lines (see the module docstring)."""
    teams = list(session.scalars(select(Team.name).where(scope.teams(Team.id))
                                 .order_by(Team.name)))
    newest = select(func.max(ScoreRun.id)).group_by(ScoreRun.period_id, ScoreRun.ruleset_name)
    columns = [Person.code, Person.name, Period.code, Period.start_date, ScoreLine.score,
               ScoreLine.eligible, ScoreLine.held, ScoreRun.currency]
    if with_pay:
        columns.append(ScoreLine.payout)
    rows = session.execute(
        select(*columns).select_from(ScoreLine)
        .join(ScoreRun, ScoreRun.id == ScoreLine.run_id)
        .join(Period, Period.id == ScoreRun.period_id)
        .join(Person, Person.id == ScoreLine.person_id)
        .where(scope.people(ScoreLine.person_id), ScoreRun.id.in_(newest))
        .order_by(Period.start_date, Period.code, Person.code)).all()
    members = session.execute(
        select(Person.code, Person.name, Team.name).select_from(TeamMember)
        .join(Person, Person.id == TeamMember.person_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(scope.teams(TeamMember.team_id), scope.people(TeamMember.person_id),
               Person.role == Role.KAM)).all()
    kams: dict[str, KamRow] = {}
    team_names: dict[str, set[str]] = defaultdict(set)
    for code, name, team in members:
        kams.setdefault(code, KamRow(code, name, ""))
        team_names[code].add(team)
    periods: list[str] = []
    currency = None
    for row in rows:
        code, name, period = row[0], row[1], row[2]
        if period not in periods:
            periods.append(period)
        kam = kams.setdefault(code, KamRow(code, name, ""))
        kam.scores[period] = row.score
        kam.statuses[period] = ("held" if row.held else "paid" if row.eligible
                                else "ineligible")
        currency = row.currency
        if with_pay:
            kam.payouts[period] = kam.payouts.get(period, 0.0) + float(row.payout)
    for code, kam in kams.items():
        kam.teams = ", ".join(sorted(team_names.get(code, ())))
    summaries = []
    for period in periods:
        scores = [k.scores[period] for k in kams.values()
                  if k.scores.get(period) is not None and k.statuses[period] != "ineligible"]
        total = sum(k.payouts.get(period, 0.0) for k in kams.values()) if with_pay else None
        summaries.append(PeriodSummary(
            period, sum(1 for k in kams.values() if period in k.statuses),
            statistics.median(scores) if scores else None, total))
    latest = periods[-1] if periods else None
    latest_scores = [k.scores[latest] for k in kams.values()
                     if latest is not None and k.scores.get(latest) is not None
                     and k.statuses[latest] != "ineligible"]
    return TeamView(teams=teams, periods=periods, currency=currency, with_pay=with_pay,
                    kams=sorted(kams.values(), key=lambda k: (k.name, k.code)),
                    summaries=summaries, bands=bands_of(latest_scores) if latest else [])


def team_page(session: Session, scope: Scope, *, with_pay: bool, minimums: Minimums,
              approval_scope: Scope | None = None) -> TeamView:
    """Everything the team page shows: the score lines, survey completion per campaign, the
    team's 360° figures above the minimum group size and (``approval_scope``: the caller's
    scope for ``nominations.approve``, None without it) the nominations waiting for him."""
    view = team_view(session, scope, with_pay=with_pay)
    view.completion = team_completion(session, scope)
    view.internal = team_360(session, scope, minimums)
    if approval_scope is not None:
        view.approvals = waiting_for_approval(session, approval_scope)
    return view
