"""Key accounts of the demo, their KAM assignments over time and their DMU stakeholders.

Every account belongs to one team and is assigned to one of its KAMs from the start of last
year. During the business year some accounts change hands mid-quarter: new KAMs who join
on 1 April take over accounts on 16 May, and the accounts of a KAM who leaves on 15 August
pass to a colleague the next day. A few strategic accounts are shared by two KAMs (60/40).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session

from kamscore.demo.bulk import ids_by, insert_rows
from kamscore.demo.names import (
    ACCOUNT_PATTERNS,
    CITIES,
    FIRST_NAMES,
    LAST_NAMES,
    ZH_HANT_NAMES,
    email_local,
)
from kamscore.demo.org import Org
from kamscore.demo.spec import DemoSpec, code
from kamscore.models import (
    Account,
    AccountType,
    Assignment,
    ChosenBy,
    Stakeholder,
    StakeholderRole,
)

SEGMENTS = ("strategic", "key", "development")
SEGMENT_SHARES = (0.15, 0.35, 0.50)
TYPES = (AccountType.HOSPITAL, AccountType.IDN, AccountType.PAYER, AccountType.GPO)
TYPE_SHARES = (0.50, 0.20, 0.15, 0.15)
LANGUAGES = ("en", "de", "fr", "zh-Hant")
LANGUAGE_SHARES = (0.75, 0.10, 0.08, 0.07)

#: Who sits in the DMU of each type of account.
DMU_ROLES = {
    AccountType.HOSPITAL: (StakeholderRole.PHYSICIAN, StakeholderRole.PHARMACIST,
                           StakeholderRole.PROCUREMENT, StakeholderRole.NURSE,
                           StakeholderRole.ADMINISTRATOR),
    AccountType.IDN: (StakeholderRole.PHYSICIAN, StakeholderRole.PHARMACIST,
                      StakeholderRole.PROCUREMENT, StakeholderRole.ADMINISTRATOR,
                      StakeholderRole.HEALTH_ECONOMIST),
    AccountType.PAYER: (StakeholderRole.PAYER, StakeholderRole.HEALTH_ECONOMIST,
                        StakeholderRole.PHARMACIST, StakeholderRole.ADMINISTRATOR),
    AccountType.GPO: (StakeholderRole.PROCUREMENT, StakeholderRole.PHARMACIST,
                      StakeholderRole.ADMINISTRATOR, StakeholderRole.OTHER),
}
#: How many stakeholders an account's DMU has, by segment (low, high inclusive).
DMU_SIZE = {"strategic": (6, 9), "key": (4, 6), "development": (2, 4)}
#: Mean partnership level reached, by segment.
PARTNERSHIP = {"strategic": 3.6, "key": 2.8, "development": 2.0}
#: Every this-many-th account (the first included) had its DMU, all but the key contact,
#: chosen by its KAM; the account half-way between had one stakeholder chosen by the manager.
#: Everyone else was chosen by the organisation. (No random draw: the demo's other data stays.)
KAM_CHOSEN_EVERY = 8


def chosen_by(account: int, first: bool, last: bool) -> ChosenBy:
    """Who chose a demo stakeholder of account number ``account`` (0-based)."""
    if account % KAM_CHOSEN_EVERY == 0 and not first:
        return ChosenBy.KAM
    if account % KAM_CHOSEN_EVERY == KAM_CHOSEN_EVERY // 2 and last:
        return ChosenBy.MANAGER
    return ChosenBy.ORGANISATION


@dataclass
class Accounts:
    """The demo's accounts as parallel columns (index = account number - 1)."""

    codes: list[str]
    segment: np.ndarray  # index into SEGMENTS
    type: np.ndarray  # index into TYPES
    team: np.ndarray  # index into Org.teams
    language: list[str]
    #: KAM credited with the account (for results) and the one owning it at year end
    primary_kam: list[str] = field(default_factory=list)
    year_end_kam: list[str] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)
    #: stakeholders in each account's DMU, and how many of them are key (influence 4-5)
    dmu_size: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    dmu_key: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.codes)


def build_accounts(session: Session, spec: DemoSpec, org: Org) -> Accounts:
    """Insert accounts and assignments; return the accounts' attributes for later steps."""
    rng = spec.rng("accounts")
    n = spec.n_accounts
    accounts = Accounts(
        codes=[code("A", i + 1, n) for i in range(n)],
        segment=rng.choice(len(SEGMENTS), n, p=SEGMENT_SHARES),
        type=rng.choice(len(TYPES), n, p=TYPE_SHARES),
        team=rng.permutation(np.arange(n) % len(org.teams)),
        language=[LANGUAGES[i] for i in rng.choice(len(LANGUAGES), n, p=LANGUAGE_SHARES)],
    )
    names = _account_names(rng, accounts)
    insert_rows(session, Account, [
        {
            "code": accounts.codes[i], "name": names[i], "type": TYPES[accounts.type[i]],
            "segment": SEGMENTS[accounts.segment[i]],
            "region": org.teams[accounts.team[i]].region,
            "team_id": org.team_ids[org.teams[accounts.team[i]].code],
        }
        for i in range(n)
    ])
    accounts.ids = ids_by(session, Account.code)
    insert_rows(session, Assignment, _assignments(rng, spec, org, accounts))
    return accounts


def _account_names(rng: np.random.Generator, accounts: Accounts) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for i in range(len(accounts)):
        patterns = ACCOUNT_PATTERNS[TYPES[accounts.type[i]].value]
        name = patterns[int(rng.integers(0, len(patterns)))].format(
            city=CITIES[int(rng.integers(0, len(CITIES)))]
        )
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def _assignments(
    rng: np.random.Generator, spec: DemoSpec, org: Org, accounts: Accounts
) -> list[dict]:
    year = spec.business_year
    start = dt.date(year - 1, 1, 1)
    handover_joiner = dt.date(year, 5, 16)
    rows: list[dict] = []
    person = org.person_ids

    def assign(kam: str, i: int, begin: dt.date, end: dt.date | None, share: float = 1.0) -> None:
        rows.append({"person_id": person[kam], "account_id": accounts.ids[accounts.codes[i]],
                     "start_date": begin, "end_date": end, "share": share})

    by_team: dict[int, list[int]] = {}
    for i in range(len(accounts)):
        by_team.setdefault(int(accounts.team[i]), []).append(i)
    accounts.primary_kam = [""] * len(accounts)
    accounts.year_end_kam = [""] * len(accounts)
    joiners, leavers = set(org.joiners), set(org.leavers)
    for t, members in sorted(by_team.items()):
        team = org.teams[t]
        incumbents = [k for k in team.kams if k not in joiners]
        stayers = [k for k in incumbents if k not in leavers]
        # Leads get more of the strategic accounts.
        for i in members:
            weights = np.array([3.0 if (k == team.lead and accounts.segment[i] == 0) else 1.0
                                for k in incumbents])
            kam = incumbents[int(rng.choice(len(incumbents), p=weights / weights.sum()))]
            accounts.primary_kam[i] = accounts.year_end_kam[i] = kam
        taken: set[int] = set()
        for joiner in (k for k in team.kams if k in joiners):
            pool = [i for i in members if i not in taken and accounts.primary_kam[i] in stayers]
            for i in rng.permutation(pool)[: int(rng.integers(3, 6))].tolist():
                taken.add(i)
                assign(accounts.primary_kam[i], i, start, handover_joiner - dt.timedelta(days=1))
                assign(joiner, i, handover_joiner, None)
                accounts.year_end_kam[i] = joiner
        for i in members:
            kam = accounts.primary_kam[i]
            if i in taken:
                continue
            if kam in leavers and stayers:
                leaver_end = org.kams[kam].end_date
                assert leaver_end is not None
                successor = stayers[int(rng.integers(0, len(stayers)))]
                assign(kam, i, start, leaver_end)
                assign(successor, i, leaver_end + dt.timedelta(days=1), None)
                accounts.year_end_kam[i] = successor
            elif accounts.segment[i] == 0 and len(stayers) > 1 and rng.random() < 0.1:
                partner = next(k for k in rng.permutation(stayers).tolist() if k != kam)
                assign(kam, i, start, None, 0.6)
                assign(partner, i, start, None, 0.4)
            else:
                assign(kam, i, start, None)
    return rows


def build_stakeholders(session: Session, spec: DemoSpec, accounts: Accounts) -> int:
    """Insert each account's DMU; return how many stakeholders were written.

    The first stakeholder of each account holds its type's leading role (the physician
    of a hospital, the payer of a payer) and has more influence than the others; the
    partnership level reached grows with the account's segment.
    """
    rng = spec.rng("stakeholders")
    n = len(accounts)
    low = np.array([DMU_SIZE[s][0] for s in SEGMENTS])[accounts.segment]
    high = np.array([DMU_SIZE[s][1] for s in SEGMENTS])[accounts.segment]
    sizes = rng.integers(low, high + 1)
    account = np.repeat(np.arange(n), sizes)  # account index of each stakeholder
    total = len(account)
    first = np.zeros(total, dtype=bool)
    first[np.cumsum(sizes) - sizes] = True
    influence = np.clip(np.round(rng.normal(np.where(first, 4.2, 3.0), 1.0)), 1, 5).astype(int)
    partnership_mean = np.array([PARTNERSHIP[s] for s in SEGMENTS])[accounts.segment[account]]
    partnership = np.clip(np.round(rng.normal(partnership_mean, 0.9)), 1, 5).astype(int)
    role_count = np.array([len(DMU_ROLES[t]) for t in TYPES])[accounts.type[account]]
    role = np.where(first, 0, (rng.random(total) * role_count).astype(int))
    given = rng.integers(0, len(FIRST_NAMES), total)
    family = rng.integers(0, len(LAST_NAMES), total)
    chinese = rng.integers(0, len(ZH_HANT_NAMES), total)
    speaks_english = rng.random(total) < 0.1  # some answer in English whatever the account
    accounts.dmu_size = sizes
    accounts.dmu_key = np.bincount(account, influence >= 4, minlength=n).astype(np.int64)

    rows = []
    seen: set[str] = set()
    for j, i in enumerate(account.tolist()):
        if first[j]:
            seen.clear()
        language = accounts.language[i]
        if language == "zh-Hant":
            name, given_name, family_name = ZH_HANT_NAMES[chinese[j]]
        else:
            given_name, family_name = FIRST_NAMES[given[j]], LAST_NAMES[family[j]]
            name = f"{given_name} {family_name}"
        local = base = email_local(given_name, family_name)
        number = 2
        while local in seen:
            local, number = f"{base}{number}", number + 1
        seen.add(local)
        rows.append({
            "account_id": accounts.ids[accounts.codes[i]], "name": name,
            "email": f"{local}@{accounts.codes[i].lower()}.example.org",
            "role": DMU_ROLES[TYPES[accounts.type[i]]][role[j]],
            "influence": int(influence[j]), "partnership_level": int(partnership[j]),
            "is_key": bool(influence[j] >= 4),
            "language": "en" if speaks_english[j] else language,
            "chosen_by": chosen_by(i, bool(first[j]), j + 1 == total or bool(first[j + 1])),
        })
    return insert_rows(session, Stakeholder, rows)

