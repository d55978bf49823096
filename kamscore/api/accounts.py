"""``/api/v1/accounts``: key accounts."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy.orm import joinedload

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import found, resource_blueprint
from kamscore.api.schemas.accounts import AccountQuery, AccountSchema
from kamscore.auth.access import current_scope, requires
from kamscore.db.session import get_session
from kamscore.directory.queries import get_by_code, select_accounts
from kamscore.models import Account

blp = resource_blueprint("accounts", "accounts", "Key accounts: hospitals, IDNs, payers, GPOs.")


@blp.route("")
class AccountList(MethodView):
    decorators = [requires("accounts.read")]

    @blp.arguments(AccountQuery, location="query")
    @blp.response(200, AccountSchema(many=True))
    @blp.refusals(401)
    @blp.paginate(QueryPager)
    def get(self, filters: dict[str, Any]) -> Any:
        """List accounts, filtered by segment, type, team or region."""
        return select_accounts(current_scope(), **filters)


@blp.route("/<code>")
class AccountDetail(MethodView):
    decorators = [requires("accounts.read")]

    @blp.response(200, AccountSchema)
    @blp.refusals(401, 404)
    def get(self, code: str) -> Any:
        """One account by code."""
        account = get_by_code(get_session(), Account, code, joinedload(Account.team),
                              where=current_scope().accounts(Account.id))
        return found(account, "account", code)
