"""``/api/v1/campaigns``: create, open, close and report on survey campaigns;
``/api/v1/bounces``: record bounced survey e-mail.

Creating, opening and closing need the survey_admin role. Errors name the field at fault:
``{"code": 409, ..., "errors": {"status": ["campaign X is open; only a draft opens"]}}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask.views import MethodView
from sqlalchemy import select

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import resource_blueprint
from kamscore.api.schemas.campaigns import (
    BounceResultSchema,
    BounceSchema,
    CampaignCreateSchema,
    CampaignQuery,
    CampaignReportSchema,
    CampaignResultsSchema,
    CampaignSchema,
    ExclusionResultSchema,
    ExclusionSchema,
    OpenResultSchema,
    QualityReportSchema,
)
from kamscore.auth.access import current_user_of_request, requires
from kamscore.db.session import get_session
from kamscore.mail.sending import get_mailer
from kamscore.models import Campaign
from kamscore.surveys import campaigns, mailing, response_exclusion
from kamscore.surveys.aggregate_store import Minimums
from kamscore.surveys.results_document import results_document

blp = resource_blueprint("campaigns", "campaigns",
                         "Survey campaigns: draft → open → closed, with response counts")
bounces = resource_blueprint("bounces", "bounces", "Bounced survey e-mail")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@blp.route("/")
class CampaignList(MethodView):
    @requires("campaigns.read")
    @blp.arguments(CampaignQuery, location="query")
    @blp.response(200, CampaignSchema(many=True))
    @blp.refusals(401)
    @blp.paginate(QueryPager)
    def get(self, query: dict[str, Any]) -> Any:
        """Campaigns, newest first."""
        stmt = select(Campaign).order_by(Campaign.opens_at.desc(), Campaign.code)
        if "status" in query:
            stmt = stmt.where(Campaign.status == query["status"])
        return stmt

    @requires("campaigns.manage")
    @blp.arguments(CampaignCreateSchema)
    @blp.response(201, CampaignSchema)
    @blp.refusals(400, 401, 403, 404, 409)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a draft campaign with one invitation per respondent and subject."""
        session = get_session()
        spec = campaigns.CampaignSpec(**data, created_by=_username(),
                                      surveys_dir=current_app.config.get("SURVEYS_DIR"))
        campaign = campaigns.create_campaign(session, spec)
        session.commit()
        return campaign


@blp.route("/<code>")
class CampaignItem(MethodView):
    @requires("campaigns.read")
    @blp.response(200, CampaignSchema)
    @blp.refusals(401, 404)
    def get(self, code: str) -> Any:
        """One campaign by code."""
        return campaigns.get_campaign(get_session(), code)


@blp.route("/<code>/report")
class CampaignReport(MethodView):
    @requires("campaigns.read")
    @blp.response(200, CampaignReportSchema)
    @blp.refusals(401, 404)
    def get(self, code: str) -> Any:
        """Invited, answered and response rate, in total and per rater group."""
        return campaigns.campaign_report(get_session(), code)


@blp.route("/<code>/results")
class CampaignResults(MethodView):
    @requires("campaigns.read")
    @blp.response(200, CampaignResultsSchema)
    @blp.refusals(401, 403, 404)
    def get(self, code: str) -> Any:
        """Results by subject and rater group once the campaign is closed; a group under
        the minimum size (or withheld with it) has its counts and verdict, never a figure."""
        return results_document(get_session(), code,
                                Minimums.from_config(current_app.config))


@blp.route("/<code>/quality")
class CampaignQuality(MethodView):
    @requires("campaigns.read")
    @blp.response(200, QualityReportSchema)
    @blp.refusals(401, 404)
    def get(self, code: str) -> Any:
        """Response-quality flag counts (speeders, straight-liners, duplicates) of the
        campaign and of each subject reaching the minimum group size."""
        return response_exclusion.quality_report(get_session(), code,
                                                 Minimums.from_config(current_app.config))


@blp.route("/<code>/exclusions")
class CampaignExclusions(MethodView):
    @requires("campaigns.manage")
    @blp.arguments(ExclusionSchema)
    @blp.response(200, ExclusionResultSchema)
    @blp.refusals(400, 401, 403, 404, 409)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """Exclude the flagged responses of the campaign (or of one subject) from scoring,
        with a reason; a group under the minimum group size is refused (409)."""
        session = get_session()
        minimums = Minimums.from_config(current_app.config)
        excluded = response_exclusion.exclude_flagged(
            session, code, data["flag"], data["reason"], current_user_of_request(), minimums,
            _now(), subject=data["subject"])
        session.commit()
        return {"excluded": excluded,
                "quality": response_exclusion.quality_report(session, code, minimums)}


@blp.route("/<code>/open")
class CampaignOpen(MethodView):
    @requires("campaigns.manage")
    @blp.response(200, OpenResultSchema)
    @blp.refusals(401, 403, 404, 409)
    def post(self, code: str) -> Any:
        """Open a draft campaign now and e-mail its invitations."""
        session = get_session()
        summary = mailing.open_and_invite(
            session, code, get_mailer(current_app),
            base_url=current_app.config["PUBLIC_BASE_URL"], now=_now(), actor=_username())
        return {"campaign": campaigns.get_campaign(session, code), "invitations": summary}


@blp.route("/<code>/close")
class CampaignClose(MethodView):
    @requires("campaigns.manage")
    @blp.response(200, CampaignSchema)
    @blp.refusals(401, 403, 404, 409)
    def post(self, code: str) -> Any:
        """Close a campaign: it takes no more answers."""
        session = get_session()
        campaign = campaigns.close_campaign(session, code, _now(), _username())
        session.commit()
        return campaign


@bounces.route("/")
class BounceList(MethodView):
    @requires("campaigns.manage")
    @bounces.arguments(BounceSchema)
    @bounces.response(201, BounceResultSchema)
    @bounces.refusals(400, 401, 403)
    def post(self, data: dict[str, Any]) -> Any:
        """Record that survey e-mail to an address bounced; nothing more is sent to it."""
        session = get_session()
        marked = mailing.record_bounce(session, data["email"], data["detail"], _now())
        session.commit()
        return {"email": data["email"], "invitations_marked": marked}


def _username() -> str:
    return current_user_of_request().username
