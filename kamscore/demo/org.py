"""The demo organisation: a head of key accounts, regional managers, KAMs in account teams,
and cross-functional colleagues (MSL, market access, marketing, health economics) who each
serve two teams."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kamscore.demo.bulk import ids_by, insert_rows
from kamscore.demo.names import FIRST_NAMES, LAST_NAMES, REGIONS, email_local
from kamscore.demo.spec import DemoSpec, code
from kamscore.models import Person, Role, Team, TeamMember

CROSS_FUNCTIONS = (Role.MSL, Role.MARKET_ACCESS, Role.MARKETING, Role.HEALTH_ECONOMICS)
EMAIL_DOMAIN = "example.org"


@dataclass
class DemoTeam:
    code: str
    name: str
    region: str
    manager: str  # person code of the regional manager
    kams: list[str] = field(default_factory=list)  # person codes, the lead first
    cross_functional: list[tuple[str, Role]] = field(default_factory=list)

    @property
    def lead(self) -> str:
        return self.kams[0]


@dataclass
class DemoKam:
    code: str
    team: int  # index into Org.teams
    start_date: dt.date
    end_date: dt.date | None = None
    skill: float = 0.0  # log-attainment effect: good KAMs beat their targets more often



@dataclass
class Org:
    teams: list[DemoTeam]
    kams: dict[str, DemoKam]
    joiners: list[str]  # KAMs who join on 1 April of the business year
    leavers: list[str]  # KAMs who leave on 15 August of the business year
    manager_of: dict[str, str]  # person code -> manager's person code
    person_ids: dict[str, int] = field(default_factory=dict)
    team_ids: dict[str, int] = field(default_factory=dict)


class _Emails:
    """first.last@example.org, numbered when two people share a name."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, first: str, last: str) -> str:
        local = email_local(first, last)
        n = self.seen.get(local, 0) + 1
        self.seen[local] = n
        return f"{local}{n if n > 1 else ''}@{EMAIL_DOMAIN}"


def build_org(session: Session, spec: DemoSpec) -> Org:
    """Insert people, teams and team members; return who is who for the later steps."""
    rng = spec.rng("org")
    year = spec.business_year
    n_people = 1 + spec.n_regional_managers + spec.n_kams + 4 * spec.n_regional_managers
    codes = iter(code("E", n, n_people) for n in range(1, n_people + 1))
    emails = _Emails()
    first = rng.integers(0, len(FIRST_NAMES), n_people)
    last = rng.integers(0, len(LAST_NAMES), n_people)
    people: list[dict] = []

    def person(role: Role, manager: str | None, grade: str, salary: float,
               start: dt.date, end: dt.date | None = None) -> str:
        i = len(people)
        f, la = FIRST_NAMES[first[i]], LAST_NAMES[last[i]]
        person_code = next(codes)
        people.append({
            "code": person_code, "name": f"{f} {la}", "email": emails(f, la), "role": role,
            "grade": grade, "base_salary": round(salary, -2), "currency": "EUR",
            "manager_code": manager, "start_date": start, "end_date": end,
        })
        return person_code

    def hired() -> dt.date:
        return dt.date(year - 2, 1, 1) - dt.timedelta(days=int(rng.integers(0, 12 * 365)))

    head = person(Role.MANAGER, None, "M3", rng.normal(165_000, 5_000), hired())
    managers = [
        person(Role.MANAGER, head, "M2", rng.normal(130_000, 8_000), hired())
        for _ in range(spec.n_regional_managers)
    ]
    teams = [
        DemoTeam(
            code=code("T", t + 1, spec.n_teams),
            name=f"Team {REGIONS[t % len(REGIONS)]}"
            + (f" {t // len(REGIONS) + 1}" if spec.n_teams > len(REGIONS) else ""),
            region=REGIONS[t % len(REGIONS)],
            manager=managers[t // 2],
        )
        for t in range(spec.n_teams)
    ]

    # KAMs: round-robin over teams, so every team gets a lead first.
    kam_team = [k % spec.n_teams for k in range(spec.n_kams)]
    non_leads = [k for k in range(spec.n_teams, spec.n_kams)]
    movers = rng.permutation(non_leads)[: spec.n_joiners + spec.n_leavers].tolist()
    joiner_idx = set(movers[: spec.n_joiners])
    leaver_idx = set(movers[spec.n_joiners :])
    kams: dict[str, DemoKam] = {}
    joiners, leavers = [], []
    for k in range(spec.n_kams):
        team = teams[kam_team[k]]
        start = dt.date(year, 4, 1) if k in joiner_idx else hired()
        end = dt.date(year, 8, 15) if k in leaver_idx else None
        grade = "K3" if k < spec.n_teams else str(rng.choice(["K1", "K2", "K2", "K3"]))
        salary = {"K1": 72_000, "K2": 86_000, "K3": 101_000}[grade] * rng.normal(1, 0.05)
        kam_code = person(Role.KAM, team.manager, grade, salary, start, end)
        team.kams.append(kam_code)
        kams[kam_code] = DemoKam(kam_code, kam_team[k], start, end, float(rng.normal(0, 0.05)))
        (joiners if k in joiner_idx else leavers if k in leaver_idx else []).append(kam_code)

    for pair in range(spec.n_regional_managers):
        for function in CROSS_FUNCTIONS:
            colleague = person(function, None, "S2", rng.normal(90_000, 6_000), hired())
            for team in teams[2 * pair : 2 * pair + 2]:
                team.cross_functional.append((colleague, function))

    manager_of = {p["code"]: p["manager_code"] for p in people if p["manager_code"]}
    org = Org(teams=teams, kams=kams, joiners=joiners, leavers=leavers, manager_of=manager_of)
    _insert(session, org, people)
    return org


def _insert(session: Session, org: Org, people: list[dict]) -> None:
    # Managers come before the people they manage, so each level can point at the one above.
    rows = [{k: v for k, v in p.items() if k != "manager_code"} | {"manager_id": None}
            for p in people]
    for level in _levels(people):
        batch = []
        for i in level:
            manager = people[i]["manager_code"]
            batch.append(rows[i] | {"manager_id": org.person_ids[manager] if manager else None})
        insert_rows(session, Person, batch)
        org.person_ids = ids_by(session, Person.code)

    insert_rows(session, Team, [
        {"code": t.code, "name": t.name, "lead_id": org.person_ids[t.lead]} for t in org.teams
    ])
    org.team_ids = ids_by(session, Team.code)
    members = []
    for team in org.teams:
        tid = org.team_ids[team.code]
        members += [{"team_id": tid, "person_id": org.person_ids[k], "function": Role.KAM}
                    for k in team.kams]
        members += [{"team_id": tid, "person_id": org.person_ids[c], "function": f}
                    for c, f in team.cross_functional]
    insert_rows(session, TeamMember, members)


def _levels(people: list[dict]) -> list[list[int]]:
    """Indexes of people grouped by depth in the management chain (top first)."""
    depth: dict[str, int] = {}
    for p in people:  # managers are always created before their reports
        m = p["manager_code"]
        depth[p["code"]] = depth[m] + 1 if m else 0
    levels: dict[int, list[int]] = {}
    for i, p in enumerate(people):
        levels.setdefault(depth[p["code"]], []).append(i)
    return [levels[d] for d in sorted(levels)]

