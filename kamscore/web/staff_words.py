"""Stored words as the staff pages read them, in the reader's language (issue 20).

States, kinds and roles are stored as English codes (``draft``, ``spiff``, ``survey_admin``);
these mappings hold the words a page shows for them, marked with ``_l`` so that the
extraction collects them and each page shows them in its language. A value missing from a
mapping reads as the stored value (a code, shown as it is). The template filter
``word(value, kind)`` picks the mapping: ``{{ c.status|word("campaign") }}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

CAMPAIGN_STATES: Mapping[str, Any] = {
    "draft": _l("draft"), "open": _l("open"), "closed": _l("closed"),
}

#: Kinds of pay ledger entry (``EntryKind``).
PAY_KINDS: Mapping[str, Any] = {
    "adjustment": _l("Adjustment"), "spiff": _l("SPIFF"), "clawback": _l("Clawback"),
    "draw": _l("Draw"), "recovery": _l("Recovery"), "true_up": _l("True-up"),
    "correction": _l("Correction"),
}

#: Reasons for a payment hold (``HoldReason``).
HOLD_REASONS: Mapping[str, Any] = {
    "investigation": _l("Investigation"), "leave": _l("Leave"),
    "plan_not_acknowledged": _l("Plan not acknowledged"), "data_dispute": _l("Data dispute"),
    "other": _l("Other"),
}

#: States of a background import job as the import page says them.
IMPORT_STATES: Mapping[str, Any] = {
    "waiting": _l("waiting"), "running": _l("running"), "checked": _l("checked"),
    "imported": _l("imported"), "refused": _l("refused"), "failed": _l("failed"),
}

#: Kinds of import (``kamscore.importing``), as the import page names them.
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

#: Roles (``kamscore.auth.roles.ROLE_TITLES``): what each may do.
ROLE_TITLES: Mapping[str, Any] = {
    "admin": _l("administrator: users, every action (four-eyes rules still apply)"),
    "analyst": _l("comp team: rulesets, runs, what-if, imports, all pay"),
    "approver": _l("comp team, four-eyes: approves and publishes rulesets, closes periods"),
    "survey_admin": _l("survey campaigns and their results"),
    "manager": _l("his teams' KAMs: statements, scores, facts, survey results"),
    "kam": _l("his own statements, facts, accounts and survey results"),
    "auditor": _l("reads everything an analyst reads, and the audit log; changes nothing"),
    "viewer": _l("the organisation directory and the plans"),
}

#: What the survey title's ``{subject}`` stands for when it names no one subject.
GENERIC_SUBJECT: Mapping[str, Any] = {
    "customer": _l("the account"), "internal_360": _l("the KAM"),
}

#: Kinds of survey definition, on the new campaign form.
SURVEY_KINDS: Mapping[str, Any] = {
    "customer": _l("customer survey"), "internal_360": _l("360° survey"),
}

_MAPPINGS: dict[str, Mapping[str, Any]] = {
    "campaign": CAMPAIGN_STATES, "pay": PAY_KINDS, "hold_reason": HOLD_REASONS,
    "import_state": IMPORT_STATES, "import_kind": IMPORT_KINDS, "flag": FLAGS,
    "import_table": IMPORT_TABLES,
    "flags": FLAGS_MANY, "role": ROLE_TITLES, "survey_kind": SURVEY_KINDS,
}


def word(value: Any, kind: str) -> str:
    """The reader's word for the stored ``value`` (an enum member or its value) of ``kind``;
    the value itself when the mapping has none."""
    if kind == "audit":
        from kamscore.web.audit_words import ACTION_NAMES

        mapping: Mapping[str, Any] = ACTION_NAMES
    else:
        mapping = _MAPPINGS[kind]
    text = str(getattr(value, "value", value))
    found = mapping.get(text)
    return text if found is None else str(found)


def init_app(app: Flask) -> None:
    app.add_template_filter(word, "word")
