"""``/api/v1/rulesets``: ruleset versions — upload a draft, approve, publish, comment, diff.

Uploading needs ``rulesets.draft`` (analysts), approving ``rulesets.approve`` (approvers, and
not the drafter: that answers 403 naming the field ``user``), publishing ``rulesets.publish``;
every role reads versions, and the comp team, managers and KAMs comment on drafts. Errors
name the field at fault, e.g. an invalid upload answers 422 with every problem (file, line,
key path) under ``errors.source``.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import resource_blueprint
from kamscore.api.schemas.scoring import (
    DiffQuery,
    DiffSchema,
    RulesetCommentCreateSchema,
    RulesetCommentSchema,
    RulesetDraftSchema,
    RulesetQuery,
    RulesetVersionDetailSchema,
    RulesetVersionSchema,
)
from kamscore.api.scoring_access import username
from kamscore.auth.access import current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.models import RulesetVersion
from kamscore.plugin_host.manager import get_plugin_manager
from kamscore.scoring import lifecycle
from kamscore.scoring.diff import diff_rulesets

blp = resource_blueprint("rulesets", "rulesets",
                         "Ruleset versions: draft → approved → published, diff in plan terms")


@blp.route("")
class RulesetList(MethodView):
    @requires("rulesets.read")
    @blp.arguments(RulesetQuery, location="query")
    @blp.response(200, RulesetVersionSchema(many=True))
    @blp.refusals(401)
    @blp.paginate(QueryPager)
    def get(self, query: dict[str, Any]) -> Any:
        """Every stored version, by ruleset name and version."""
        stmt = select(RulesetVersion).order_by(RulesetVersion.name, RulesetVersion.version)
        if "name" in query:
            stmt = stmt.where(RulesetVersion.name == query["name"])
        if "status" in query:
            stmt = stmt.where(RulesetVersion.status == query["status"])
        return stmt

    @requires("rulesets.draft")
    @blp.arguments(RulesetDraftSchema)
    @blp.response(201, RulesetVersionDetailSchema)
    @blp.refusals(401, 403, 409)
    def post(self, data: dict[str, Any]) -> Any:
        """Upload a draft: validated like `kamscore ruleset check`, stored as the next
        version of the ruleset named in it."""
        return lifecycle.import_ruleset(get_session(), get_plugin_manager(), data["source"],
                                        data["filename"], user=username(), note=data["note"])


@blp.route("/diff")
class RulesetDiff(MethodView):
    @requires("rulesets.read")
    @blp.arguments(DiffQuery, location="query")
    @blp.response(200, DiffSchema)
    @blp.refusals(401, 404)
    def get(self, query: dict[str, Any]) -> Any:
        """What changes from version `a` to version `b`, in plan terms (weights, curves and
        tiers, gates, eligibility, variants...)."""
        session = get_session()
        pm = get_plugin_manager()
        a = lifecycle.resolve_ref(session, query["a"])
        b = lifecycle.resolve_ref(session, query["b"])
        changes = diff_rulesets(lifecycle.parse_version(a, pm), lifecycle.parse_version(b, pm))
        return {"a": a.label, "b": b.label, "changes": [c.as_dict() for c in changes]}


@blp.route("/<name>/versions/<int:version>")
class RulesetVersionItem(MethodView):
    @requires("rulesets.read")
    @blp.response(200, RulesetVersionDetailSchema)
    @blp.refusals(401, 404)
    def get(self, name: str, version: int) -> Any:
        """One version with its YAML source and comments."""
        return lifecycle.get_version(get_session(), name, version)


@blp.route("/<name>/versions/<int:version>/approve")
class RulesetApprove(MethodView):
    @requires("rulesets.approve")
    @blp.response(200, RulesetVersionSchema)
    @blp.refusals(401, 403, 404, 409)
    def post(self, name: str, version: int) -> Any:
        """Approve a draft (not one you drafted yourself)."""
        return lifecycle.approve_version(get_session(), name, version, user=username())


@blp.route("/<name>/versions/<int:version>/publish")
class RulesetPublish(MethodView):
    @requires("rulesets.publish")
    @blp.response(200, RulesetVersionSchema)
    @blp.refusals(401, 403, 404, 409)
    def post(self, name: str, version: int) -> Any:
        """Publish an approved version; the published one before it is retired."""
        return lifecycle.publish_version(get_session(), name, version, user=username())


@blp.route("/<name>/versions/<int:version>/comments")
class RulesetComments(MethodView):
    @requires("rulesets.comment")
    @blp.arguments(RulesetCommentCreateSchema)
    @blp.response(201, RulesetCommentSchema)
    @blp.refusals(401, 403, 404, 409)
    def post(self, data: dict[str, Any], name: str, version: int) -> Any:
        """Comment on a version before it is published (any signed-in user: KAMs and their
        managers say what they think of a draft)."""
        user = current_user_of_request()
        return lifecycle.add_comment(get_session(), name, version, author=user.username,
                                     body=data["body"], key_path=data["key_path"],
                                     person_id=user.person_id)
