"""``/api/v1/audit-events``: the audit log, newest first (admins and auditors)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import resource_blueprint
from kamscore.api.schemas.audit import AuditEventSchema, AuditQuery
from kamscore.audit.queries import AuditFilter, select_events
from kamscore.auth.access import requires

blp = resource_blueprint("audit_events", "audit-events",
                         "The append-only audit log: who did what, when")


@blp.route("")
class AuditEventList(MethodView):
    decorators = [requires("audit.read")]

    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.refusals(401, 403)
    @blp.paginate(QueryPager)
    def get(self, filters: dict[str, Any]) -> Any:
        """Events, filtered by user, action, object and days (``since``/``until``, UTC)."""
        return select_events(AuditFilter(**filters))
