"""The audit log's actions as the administrators' pages name them (issue 20).

``kamscore.audit.log.ACTIONS`` keeps the stored codes (``campaign.launch``) and what each
records, in English, for docs/security.md; the audit page and its filter show these short
names in the reader's language, with the code beside them. ``test_every_action_is_named``
keeps this mapping equal to ``ACTIONS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

ACTION_NAMES: Mapping[str, Any] = {
    "sign_in": _l("Sign-in"),
    "sign_in.failed": _l("Failed sign-in"),
    "sign_in.throttled": _l("Sign-in refused (too many failures)"),
    "sign_out": _l("Sign-out"),
    "user.create": _l("User created"),
    "user.roles": _l("User's roles changed"),
    "user.disable": _l("User disabled"),
    "user.enable": _l("User enabled"),
    "user.password": _l("Password set"),
    "token.create": _l("API token issued"),
    "token.revoke": _l("API token revoked"),
    "import": _l("File imported"),
    "ruleset.draft": _l("Ruleset drafted"),
    "ruleset.comment": _l("Ruleset comment"),
    "ruleset.approve": _l("Ruleset approved"),
    "ruleset.publish": _l("Ruleset published"),
    "run.create": _l("Score run"),
    "period.close": _l("Period closed"),
    "run.sign_off": _l("Correction signed off"),
    "query.raise": _l("Query raised"),
    "query.answer": _l("Query answered"),
    "query.resolve": _l("Query resolved"),
    "campaign.create": _l("Campaign created"),
    "campaign.launch": _l("Campaign launched"),
    "campaign.remind": _l("Campaign reminders sent"),
    "campaign.close": _l("Campaign closed"),
    "export.pay": _l("Pay exported"),
    "campaign.extend": _l("Campaign extended"),
    "nomination.propose": _l("Rater proposed"),
    "nomination.withdraw": _l("Rater withdrawn"),
    "nomination.approve": _l("Rater approved"),
    "nomination.reject": _l("Rater rejected"),
    "nomination.add": _l("Rater added"),
    "target_round.create": _l("Target round created"),
    "target_round.set": _l("Top-down targets set"),
    "target_round.open": _l("Target round opened"),
    "target.propose": _l("Target proposed"),
    "target.accept": _l("Target accepted"),
    "target.adjust": _l("Target adjusted"),
    "target.reject": _l("Target rejected"),
    "target_round.approve": _l("Target round approved"),
    "survey.exclude": _l("Survey responses excluded"),
    "campaign.exclude_speeders": _l("Speeder exclusion set"),
    "pay.enter": _l("Pay entry entered"),
    "pay.approve": _l("Pay entry approved"),
    "pay.draw_terms": _l("Draw terms set"),
    "pay.settle": _l("Payroll settled"),
    "export.survey_results": _l("Survey results exported"),
    "plan.acknowledge": _l("Plan acknowledged"),
    "plan.remind": _l("Plan reminders sent"),
    "hold.place": _l("Payment held"),
    "hold.release": _l("Hold released"),
    "export.audit": _l("Audit log exported"),
}
