"""The words for stored codes, in the reader's language: the one place that names them (issue 20).

The engine, the models and the services keep states, kinds, roles and reasons as English codes
(``draft``, ``spiff``, ``investigation``, ``market_access``). Each table here names the codes
of one kind of value, each word marked with ``_l`` so that the extraction collects it; a code
is named once, so it reads the same on every page. Pages show a code through one template
filter::

    {{ v.status|word("state") }}   {{ e.kind|word("pay") }}   {{ a.segment|word("segment") }}

``word(value)`` without a kind looks the code up in the tables whose codes mean one thing
wherever they are stored (:data:`GENERAL`). A code without a word reads as stored. Sentences
the engine writes with numbers in them (``no data for csat (missing: hold)``) are read by the
pattern-based filters of :mod:`kamscore.web.engine_words`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

#: States: of a run and a KAM's line (``Status``), a ruleset version, a period, a query, a
#: campaign, a target round, a nomination, a target decision and an assignment over time.
STATES: Mapping[str, Any] = {
    "complete": _l("complete"), "partial": _l("partial: a metric failed"),
    "paid": _l("paid"), "held": _l("held for review"), "ineligible": _l("not eligible"),
    "draft": _l("draft"), "approved": _l("approved"), "published": _l("published"),
    "retired": _l("retired"), "open": _l("open"), "answered": _l("answered"),
    "resolved": _l("resolved"), "closed": _l("closed"),
    "top-down": _l("top-down"), "pending": _l("pending"), "accepted": _l("accepted"),
    "adjusted": _l("adjusted"), "rejected": _l("rejected"), "proposed": _l("proposed"),
    "current": _l("current"), "ended": _l("ended"), "upcoming": _l("upcoming"),
}

#: Kinds of pay line and pay ledger entry (``EntryKind``, ``settlement``).
PAY_KINDS: Mapping[str, Any] = {
    "earnings": _l("Earnings"), "correction": _l("Correction (difference)"),
    "true_up": _l("Annual true-up"), "adjustment": _l("Adjustment"), "spiff": _l("SPIFF"),
    "clawback": _l("Clawback"), "draw": _l("Draw"), "recovery": _l("Recovery"),
}

#: Reasons for a payment hold (``HoldReason``).
HOLD_REASONS: Mapping[str, Any] = {
    "investigation": _l("Investigation"), "leave": _l("Leave"),
    "plan_not_acknowledged": _l("Plan not acknowledged"), "data_dispute": _l("Data dispute"),
    "other": _l("Other"),
}

#: A person's role and a team member's function (``kamscore.models.org.Role``).
ROLES: Mapping[str, Any] = {
    "kam": _l("KAM"), "manager": _l("Manager"), "msl": _l("Medical science liaison"),
    "market_access": _l("Market access"), "marketing": _l("Marketing"),
    "health_economics": _l("Health economics"), "other": _l("Other"),
    "medical": _l("Medical"), "sales": _l("Sales"), "lead": _l("Lead"),
}

#: Kinds of account.
ACCOUNT_TYPES: Mapping[str, Any] = {
    "hospital": _l("Hospital"), "idn": _l("IDN"), "payer": _l("Payer"), "gpo": _l("GPO"),
}

#: Account segments.
SEGMENTS: Mapping[str, Any] = {
    "strategic": _l("Strategic"), "key": _l("Key"), "development": _l("Development"),
    "maintain": _l("Maintain"), "grow": _l("Grow"),
}

#: Rater groups of a 360° survey.
RATER_GROUPS: Mapping[str, Any] = {
    "self": _l("Self"), "peer": _l("Peer"), "cross_functional": _l("Cross-functional colleague"),
    "direct_report": _l("Direct report"), "manager": _l("Manager"), "others": _l("Others"),
}

#: Roles of a stakeholder in an account's decision-making unit.
STAKEHOLDER_ROLES: Mapping[str, Any] = {
    "physician": _l("Physician"), "pharmacist": _l("Pharmacist"),
    "procurement": _l("Procurement"), "payer": _l("Payer"),
    "health_economist": _l("Health economist"),
    "administrator": _l("Administrator"), "nurse": _l("Nurse"), "other": _l("Other"),
}

#: What a ruleset change does to a part of the plan.
CHANGE_KINDS: Mapping[str, Any] = {
    "added": _l("added"), "removed": _l("removed"), "changed": _l("changed"),
}

#: The stages of a score-run job.
RUN_STAGES: Mapping[str, Any] = {
    "starting": _l("starting"), "loading the period's data": _l("loading the period's data"),
    "scoring": _l("scoring"), "storing the lines": _l("storing the lines"),
}

#: Short phrases the engine and the scoring services store: why a KAM is not paid, the
#: rounding of a statement, the names of groups that have no name of their own.
ENGINE_PHRASES: Mapping[str, Any] = {
    "left": _l("left"), "no plan": _l("no plan"), "ineligible by rule": _l("ineligible by rule"),
    "held for review": _l("held for review"), "earned nothing": _l("earned nothing"),
    "the plan's payout": _l("the plan's payout"),
    "half even to 0.01": _l("half even to 0.01"), "half up to 0.01": _l("half up to 0.01"),
    "down to 0.01": _l("down to 0.01"),
    "default": _l("default"), "Plan as written": _l("Plan as written"),
    "No team": _l("No team"), "Whole payout": _l("Whole payout"),
    "Eligibility and status": _l("Eligibility and status"),
}

#: States of a background import job as the import page says them.
IMPORT_STATES: Mapping[str, Any] = {
    "waiting": _l("waiting"), "running": _l("running"), "checked": _l("checked"),
    "imported": _l("imported"), "refused": _l("refused"), "failed": _l("failed"),
}

#: Kinds of import (``kamscore.importing``).
IMPORT_KINDS: Mapping[str, Any] = {
    "periods": _l("periods"), "products": _l("products"),
    "product_phases": _l("product phases"), "people": _l("people"), "teams": _l("teams"),
    "accounts": _l("accounts"), "assignments": _l("assignments"),
    "stakeholders": _l("stakeholders"), "facts": _l("facts"), "plans": _l("account plans"),
}

#: Tables an import writes, as the import report names them.
IMPORT_TABLES: Mapping[str, Any] = {
    "account": _l("account"), "assignment": _l("assignment"), "stakeholder": _l("stakeholder"),
    "fact": _l("fact"), "account_plan": _l("account plan"), "plan_objective": _l("plan objective"),
    "plan_action": _l("plan action"), "person": _l("person"), "team": _l("team"),
    "team_member": _l("team member"), "period": _l("period"), "product": _l("product"),
    "product_phase": _l("product phase"),
}

#: Survey response flags (``kamscore.surveys.response_quality.FLAGS``), one and many.
FLAGS: Mapping[str, Any] = {
    "speeder": _l("speeder"), "straight_liner": _l("straight-liner"),
    "duplicate": _l("duplicate"),
}
FLAGS_MANY: Mapping[str, Any] = {
    "speeder": _l("Speeders"), "straight_liner": _l("Straight-liners"),
    "duplicate": _l("Duplicates"),
}

#: Sign-in roles (``kamscore.auth.roles.ROLE_TITLES``): what each may do.
ACCESS_ROLES: Mapping[str, Any] = {
    "admin": _l("administrator: users, every action (four-eyes rules still apply)"),
    "analyst": _l("comp team: rulesets, runs, what-if, imports, all pay"),
    "approver": _l("comp team, four-eyes: approves and publishes rulesets, closes periods"),
    "survey_admin": _l("survey campaigns and their results"),
    "manager": _l("his teams' KAMs: statements, scores, facts, survey results"),
    "kam": _l("his own statements, facts, accounts and survey results"),
    "auditor": _l("reads everything an analyst reads, and the audit log; changes nothing"),
    "viewer": _l("the organisation directory and the plans"),
}

#: Kinds of survey definition, on the new campaign form.
SURVEY_KINDS: Mapping[str, Any] = {
    "customer": _l("customer survey"), "internal_360": _l("360° survey"),
}

#: What a survey title's ``{subject}`` stands for when it names no one subject, by kind.
GENERIC_SUBJECTS: Mapping[str, Any] = {
    "customer": _l("the account"), "internal_360": _l("the KAM"),
}

#: The tables by the ``kind`` a template names (``audit``: the audit log's action names).
TABLES: Mapping[str, Mapping[str, Any]] = {
    "state": STATES, "pay": PAY_KINDS, "hold_reason": HOLD_REASONS, "role": ROLES,
    "account_type": ACCOUNT_TYPES, "segment": SEGMENTS, "rater_group": RATER_GROUPS,
    "stakeholder_role": STAKEHOLDER_ROLES, "change": CHANGE_KINDS, "stage": RUN_STAGES,
    "engine": ENGINE_PHRASES, "import_state": IMPORT_STATES, "import_kind": IMPORT_KINDS,
    "import_table": IMPORT_TABLES, "flag": FLAGS, "flags": FLAGS_MANY,
    "access_role": ACCESS_ROLES, "survey_kind": SURVEY_KINDS,
}

#: The tables ``word(value)`` reads without a kind: a code in two of them names the same
#: thing in both (``tests/web/test_stored_words.py`` checks that they agree).
GENERAL_TABLES: tuple[Mapping[str, Any], ...] = (
    STATES, PAY_KINDS, HOLD_REASONS, ROLES, ACCOUNT_TYPES, SEGMENTS, RATER_GROUPS,
    STAKEHOLDER_ROLES, CHANGE_KINDS, RUN_STAGES, ENGINE_PHRASES,
)
GENERAL: Mapping[str, Any] = {code: said for table in reversed(GENERAL_TABLES)
                              for code, said in table.items()}


def word(value: Any, kind: str | None = None) -> str:
    """The reader's word for a stored ``value`` (an enum member or its code) of ``kind``
    (a key of :data:`TABLES`, ``audit``, or none for :data:`GENERAL`); the code itself when
    the table has no word for it, and an empty text for none."""
    if value is None:
        return ""
    if kind == "audit":
        from kamscore.web.audit_words import ACTION_NAMES

        table: Mapping[str, Any] = ACTION_NAMES
    else:
        table = GENERAL if kind is None else TABLES[kind]
    text = str(getattr(value, "value", value))
    found = table.get(text)
    return text if found is None else str(found)


def init_app(app: Flask) -> None:
    app.add_template_filter(word, "word")
