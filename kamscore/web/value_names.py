"""Stored values as a reader of the page's language reads them (issue 20).

The engine and the models keep states and kinds as English codes (``open``, ``proposed``,
``market_access``, a segment ``strategic``); a page shows them through the ``value_name``
template filter, which looks the code up here (each name is a catalogue text, marked with
``_l`` so that the extraction collects it) and otherwise writes the code as a label
(``market_access`` → ``Market access``), as ``kamscore.web.layout.label`` does.

    {{ line.decision.value | value_name }}   {{ a.segment | value_name }}
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

#: Code → the name a page shows. One word per code: ``open`` reads the same for a period, a
#: round, a query and a campaign.
VALUE_NAMES: dict[str, Any] = {
    # roles and team functions (kamscore.models.org.Role)
    "kam": _l("KAM"), "manager": _l("Manager"), "msl": _l("Medical science liaison"),
    "market_access": _l("Market access"), "marketing": _l("Marketing"),
    "health_economics": _l("Health economics"), "other": _l("Other"),
    "medical": _l("Medical"), "sales": _l("Sales"), "lead": _l("Lead"),
    # account types and segments
    "hospital": _l("Hospital"), "idn": _l("IDN"), "payer": _l("Payer"), "gpo": _l("GPO"),
    "strategic": _l("Strategic"), "key": _l("Key"), "development": _l("Development"),
    "maintain": _l("Maintain"), "grow": _l("Grow"),
    # assignments over time
    "current": _l("current"), "ended": _l("ended"), "upcoming": _l("upcoming"),
    # statements (kamscore.engine.results.Status)
    "paid": _l("paid"), "held": _l("held"), "ineligible": _l("ineligible"),
    # rounds, campaigns, periods, queries, rulesets
    "draft": _l("draft"), "open": _l("open"), "closed": _l("closed"),
    "approved": _l("approved"), "published": _l("published"), "retired": _l("retired"),
    "answered": _l("answered"), "resolved": _l("resolved"),
    # target decisions and nominations
    "top-down": _l("top-down"), "pending": _l("pending"), "accepted": _l("accepted"),
    "adjusted": _l("adjusted"), "rejected": _l("rejected"), "proposed": _l("proposed"),
    # rater groups
    "self": _l("Self"), "peer": _l("Peer"), "cross_functional": _l("Cross-functional colleague"),
    "direct_report": _l("Direct report"), "others": _l("Others"),
    # DMU stakeholder roles
    "physician": _l("Physician"), "pharmacist": _l("Pharmacist"),
    "procurement": _l("Procurement"), "health_economist": _l("Health economist"),
    "administrator": _l("Administrator"), "nurse": _l("Nurse"),
}


def value_name(value: Any) -> str:
    """A stored value (enum member or code) in the page's language."""
    code = str(getattr(value, "value", value))
    found = VALUE_NAMES.get(code)
    if found is not None:
        return str(found)
    return code.replace("_", " ").capitalize()
