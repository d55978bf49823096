"""What each role may do and see: one table, :data:`GRANTS`, permission x role -> reach.

Every web page and API operation names the one permission it needs
(``@requires("facts.read")``, ``kamscore.auth.access``). A user holding no role with a grant
for it is refused (403). Otherwise his *reach* for it decides which rows come back:

- ``ALL``: every row;
- ``TEAM``: the members of the teams the user manages (``User.teams``) and what is theirs;
- ``OWN``: the person the user is (``User.person``) and what is his.

A user with several roles gets the union of their reaches (``ALL`` wins). The table is
reproduced in docs/security.md, and a test keeps the two equal. Actions (writes) are granted
``ALL`` or nothing: the services check four-eyes rules (drafter ≠ approver, runner ≠ closer)
on top.

Pay is confidential: ``pay.read`` and ``runs.read`` reach a manager's team only when the
setting ``MANAGERS_SEE_PAY`` is on (the default); a KAM reads his own statements, and no run.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

from kamscore.models.users import USER_ROLES


class Reach(enum.StrEnum):
    ALL = "all"
    TEAM = "team"
    OWN = "own"


ALL, TEAM, OWN = Reach.ALL, Reach.TEAM, Reach.OWN

ROLES = USER_ROLES

#: What each role is for (the users page, ``kamscore user list`` and docs/security.md).
ROLE_TITLES = {
    "admin": "administrator: users, every action (four-eyes rules still apply)",
    "analyst": "comp team: rulesets, runs, what-if, imports, all pay",
    "approver": "comp team, four-eyes: approves and publishes rulesets, closes periods",
    "survey_admin": "survey campaigns and their results",
    "manager": "his teams' KAMs: statements, scores, facts, survey results",
    "kam": "his own statements, facts, accounts and survey results",
    "auditor": "reads everything an analyst reads, and the audit log; changes nothing",
    "viewer": "the organisation directory and the plans",
}

_STAFF_READERS = {"admin": ALL, "analyst": ALL, "approver": ALL, "auditor": ALL}

#: permission → role → reach. A role missing from a permission's row has no access.
GRANTS: dict[str, dict[str, Reach]] = {
    # the organisation directory: people, teams, products, periods
    "directory.read": {role: ALL for role in ROLES},
    # accounts, assignments, stakeholders, account plans
    "accounts.read": {**_STAFF_READERS, "survey_admin": ALL, "manager": TEAM, "kam": OWN},
    # imported facts (sales, targets, shares, survey figures)
    "facts.read": {**_STAFF_READERS, "manager": TEAM, "kam": OWN},
    # statements: one KAM's payout explained
    "pay.read": {**_STAFF_READERS, "manager": TEAM, "kam": OWN},
    # score runs: their totals, lines and the statements CSV (over the lines in reach)
    "runs.read": {**_STAFF_READERS, "manager": TEAM},
    # a KAM's scorecard: his scores and payouts across periods, the current estimate, his
    # survey results (only groups at the minimum size)
    "scorecard.read": {"kam": OWN},
    # a manager's team view: his teams' KAMs, scores, distributions, survey completion and
    # 360° results (payouts only where pay.read reaches him: MANAGERS_SEE_PAY)
    "team.read": {"manager": TEAM},
    # queries on statement lines: a KAM raises one on his own statement, the comp team
    # answers; the KAM (or the comp team) resolves it
    "queries.raise": {"kam": OWN},
    "queries.answer": {"admin": ALL, "analyst": ALL},
    "queries.resolve": {"admin": ALL, "analyst": ALL, "kam": OWN},
    # the incentive plans (ruleset versions, their diffs and comments)
    "rulesets.read": {role: ALL for role in ROLES},
    "rulesets.comment": {"admin": ALL, "analyst": ALL, "approver": ALL, "manager": ALL,
                         "kam": ALL},
    "rulesets.draft": {"admin": ALL, "analyst": ALL},
    "rulesets.approve": {"admin": ALL, "approver": ALL},  # four-eyes: not the drafter
    "rulesets.publish": {"admin": ALL, "analyst": ALL, "approver": ALL},
    "runs.create": {"admin": ALL, "analyst": ALL},  # run and correct a period
    "periods.close": {"admin": ALL, "approver": ALL},  # four-eyes: not the runner
    # the payroll file of a signed-off (closed) run
    "payroll.export": {"admin": ALL, "analyst": ALL, "approver": ALL},
    # the pay ledger: adjustments, SPIFFs, clawbacks (entered by the comp team, approved by
    # another person: four-eyes in the service), draws and what KAMs owe back
    "ledger.read": dict(_STAFF_READERS),
    "ledger.enter": {"admin": ALL, "analyst": ALL},
    "ledger.approve": {"admin": ALL, "approver": ALL},
    "whatif.use": dict(_STAFF_READERS),
    "imports.write": {"admin": ALL, "analyst": ALL},
    # survey campaigns: the list with response rates, and their results
    # (a manager's and a KAM's own survey results are on their own pages, not these)
    "campaigns.read": {"admin": ALL, "survey_admin": ALL, "auditor": ALL},
    "campaigns.manage": {"admin": ALL, "survey_admin": ALL},
    # 360° rater nominations: a KAM proposes his own raters, his manager decides on them
    "nominations.propose": {"admin": ALL, "kam": OWN},
    "nominations.approve": {"admin": ALL, "manager": TEAM},
    # target rounds: the comp team sets top-down targets and opens a round, a KAM proposes
    # his own, his manager decides on his teams' proposals, an approver (not the person who
    # opened the round) approves it; the round page with every line and total
    "targets.read": dict(_STAFF_READERS),
    "targets.manage": {"admin": ALL, "analyst": ALL},
    "targets.propose": {"admin": ALL, "kam": OWN},
    "targets.decide": {"admin": ALL, "manager": TEAM},
    "targets.approve": {"admin": ALL, "approver": ALL},
    # plan acknowledgment: a KAM reads and acknowledges his plan document; managers and the
    # comp team see who has not (and auditors, and the KAM himself, download what was
    # acknowledged); reminders by e-mail
    "plans.acknowledge": {"kam": OWN},
    "acknowledgments.read": {**_STAFF_READERS, "manager": TEAM, "kam": OWN},
    "acknowledgments.remind": {"admin": ALL, "analyst": ALL, "manager": TEAM},
    # payment holds: the comp team holds a payout or a statement line and releases it
    # (four-eyes above HOLD_RELEASE_FOUR_EYES_ABOVE, checked by the service)
    "holds.read": dict(_STAFF_READERS),
    "holds.manage": {"admin": ALL, "analyst": ALL, "approver": ALL},
    "audit.read": {"admin": ALL, "auditor": ALL},
    "users.manage": {"admin": ALL},
}

PERMISSIONS = tuple(GRANTS)
PAY_PERMISSIONS = frozenset({"pay.read", "runs.read"})


def reaches(roles: Iterable[str], permission: str, settings: Mapping[str, Any]
            ) -> frozenset[Reach]:
    """The reaches ``roles`` give for ``permission`` (empty: no access). ``ALL`` stands alone."""
    try:
        row = GRANTS[permission]
    except KeyError:
        raise ValueError(f"unknown permission {permission!r}; known: {PERMISSIONS}") from None
    found = set()
    for role in roles:
        reach = row.get(role)
        if reach is None:
            continue
        if (reach is TEAM and permission in PAY_PERMISSIONS
                and not settings.get("MANAGERS_SEE_PAY", True)):
            continue
        if reach is ALL:
            return frozenset({ALL})
        found.add(reach)
    return frozenset(found)


def unknown_roles(roles: Iterable[str]) -> list[str]:
    return [role for role in roles if role not in ROLES]
