"""``/api/v1/pay``: the pay ledger — adjustments, SPIFFs and clawbacks entered for approval
(``ledger.enter``), approved by another person (``ledger.approve``: four-eyes, 403 ``user``
for one's own), and each KAM's draw and what he owes back (``ledger.read``). Every write is in
the audit log; a refusal names the field (``kam``, ``period``, ``kind``, ``amount``,
``reason``, ``run``, ``entry``, ``user``) and writes nothing."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from kamscore.api.resources import resource_blueprint
from kamscore.api.schemas.pay import BalanceSchema, PayEntryCreateSchema, PayEntrySchema
from kamscore.auth.access import current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.scoring import ledger

blp = resource_blueprint("pay", "pay", "The pay ledger: adjustments, SPIFFs, clawbacks, draws")


@blp.route("/entries")
class PayEntries(MethodView):
    @requires("ledger.enter")
    @blp.arguments(PayEntryCreateSchema)
    @blp.response(201, PayEntrySchema)
    @blp.refusals(401, 403, 404, 409)
    def post(self, data: dict[str, Any]) -> Any:
        """Enter an adjustment, SPIFF or clawback, paid in the period's payroll once another
        person approves it."""
        return ledger.enter_entry(
            get_session(), user=current_user_of_request(), kam_code=data["kam"],
            period_code=data["period"], kind=data["kind"], amount=data["amount"],
            reason=data["reason"], run_id=data["run"],
            currency=current_app.config.get("CURRENCY", "EUR"))


@blp.route("/entries/<int:entry_id>/approve")
class PayEntryApproval(MethodView):
    @requires("ledger.approve")
    @blp.response(200, PayEntrySchema)
    @blp.refusals(401, 403, 404, 409)
    def post(self, entry_id: int) -> Any:
        """Approve an entry: not one's own (four-eyes, 403 ``user``); 409 when approved
        already or its period's payroll is settled."""
        return ledger.approve_entry(get_session(), entry_id, user=current_user_of_request())


@blp.route("/balances")
class PayBalances(MethodView):
    @requires("ledger.read")
    @blp.response(200, BalanceSchema(many=True))
    @blp.refusals(401, 403)
    def get(self) -> Any:
        """Each KAM with a draw or something owed: his draw, what he owed, has repaid and
        still owes."""
        return ledger.balances(get_session())
