"""``/api/v1/campaigns``: create, open, close and report on survey campaigns;
``/api/v1/bounces``: record bounced survey e-mail.

Creating, opening and closing need the survey_admin role. Errors name the field at fault:
``{"code": 409, ..., "errors": {"status": ["campaign X is open; only a draft opens"]}}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from flask import current_app
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy import select

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import resource_blueprint
from kamscore.api.schemas.campaigns import (
    BounceResultSchema,
    BounceSchema,
    CampaignCreateSchema,
    CampaignQuery,
    CampaignReportSchema,
    CampaignSchema,
    OpenResultSchema,
)
from kamscore.auth.access import current_user_of_request, requires
from kamscore.content.yaml_source import SourceError
from kamscore.db.session import get_session
from kamscore.mail.sending import get_mailer
from kamscore.models import Campaign
from kamscore.surveys import campaigns, mailing
from kamscore.surveys.errors import SurveyError

blp = resource_blueprint("campaigns", "campaigns",
                         "Survey campaigns: draft → open → closed, with response counts")
bounces = resource_blueprint("bounces", "bounces", "Bounced survey e-mail")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _refuse(exc: SurveyError | SourceError) -> NoReturn:
    get_session().rollback()
    if isinstance(exc, SourceError):
        abort(422, message="The survey definition is invalid.",
              errors={"survey": [str(p) for p in exc.problems]})
    abort(exc.status, message=exc.message, errors={exc.field or "request": [exc.message]})


@blp.route("/")
class CampaignList(MethodView):
    @requires("campaigns.read")
    @blp.arguments(CampaignQuery, location="query")
    @blp.response(200, CampaignSchema(many=True))
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
    def post(self, data: dict[str, Any]) -> Any:
        """Create a draft campaign with one invitation per respondent and subject."""
        session = get_session()
        spec = campaigns.CampaignSpec(**data, created_by=_username(),
                                      surveys_dir=current_app.config.get("SURVEYS_DIR"))
        try:
            campaign = campaigns.create_campaign(session, spec)
        except (SurveyError, SourceError) as exc:
            _refuse(exc)
        session.commit()
        return campaign


@blp.route("/<code>")
class CampaignItem(MethodView):
    @requires("campaigns.read")
    @blp.response(200, CampaignSchema)
    def get(self, code: str) -> Any:
        try:
            return campaigns.get_campaign(get_session(), code)
        except SurveyError as exc:
            _refuse(exc)


@blp.route("/<code>/report")
class CampaignReport(MethodView):
    @requires("campaigns.read")
    @blp.response(200, CampaignReportSchema)
    def get(self, code: str) -> Any:
        """Invited, answered and response rate, in total and per rater group."""
        try:
            return campaigns.campaign_report(get_session(), code)
        except SurveyError as exc:
            _refuse(exc)


@blp.route("/<code>/open")
class CampaignOpen(MethodView):
    @requires("campaigns.manage")
    @blp.response(200, OpenResultSchema)
    def post(self, code: str) -> Any:
        """Open a draft campaign now and e-mail its invitations."""
        session = get_session()
        try:
            summary = mailing.open_and_invite(
                session, code, get_mailer(current_app),
                base_url=current_app.config["PUBLIC_BASE_URL"], now=_now(), actor=_username())
        except SurveyError as exc:
            _refuse(exc)
        return {"campaign": campaigns.get_campaign(session, code), "invitations": summary}


@blp.route("/<code>/close")
class CampaignClose(MethodView):
    @requires("campaigns.manage")
    @blp.response(200, CampaignSchema)
    def post(self, code: str) -> Any:
        """Close a campaign: it takes no more answers."""
        session = get_session()
        try:
            campaign = campaigns.close_campaign(session, code, _now(), _username())
        except SurveyError as exc:
            _refuse(exc)
        session.commit()
        return campaign


@bounces.route("/")
class BounceList(MethodView):
    @requires("campaigns.manage")
    @bounces.arguments(BounceSchema)
    @bounces.response(201, BounceResultSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Record that survey e-mail to an address bounced; nothing more is sent to it."""
        session = get_session()
        try:
            marked = mailing.record_bounce(session, data["email"], data["detail"], _now())
        except SurveyError as exc:
            _refuse(exc)
        session.commit()
        return {"email": data["email"], "invitations_marked": marked}


def _username() -> str:
    return current_user_of_request().username
