"""The data model: SQLAlchemy 2.0 typed ORM classes. Bottom layer: imports nothing of ours
above it (no services, no Flask apart from Flask-Login's UserMixin, no plugins)."""

from kamscore.models.accounts import Account, AccountType, Assignment, Stakeholder, StakeholderRole
from kamscore.models.base import Base
from kamscore.models.facts import AccountPlan, Fact, FactSnapshot, FactSnapshotColumn, PlanAction, PlanObjective
from kamscore.models.jobs import JobRunStatus, ScheduledJobRun
from kamscore.models.org import Person, Role, Team, TeamMember
from kamscore.models.periods import LifecyclePhase, Period, PeriodKind, PeriodStatus, Product, ProductPhase
from kamscore.models.scoring import ImmutableRecordError, RulesetComment, RulesetStatus, RulesetVersion, ScoreLine, ScoreRun, ScoreRunStatus
from kamscore.models.surveys import Campaign, CampaignStatus, EmailSuppression, Invitation, InvitationStatus, InvitationToken, MessageKind, MessageStatus, RaterGroup, SubjectType, SuppressionReason, SurveyAggregate, SurveyAnswer, SurveyDraft, SurveyKind, SurveyMessage, SurveyResponse, SurveySubmission, SurveyVersion, TokenMiss
from kamscore.models.users import USER_ROLES, ApiToken, User

__all__ = [
    "USER_ROLES",
    "Account",
    "AccountPlan",
    "AccountType",
    "ApiToken",
    "Assignment",
    "Base",
    "Campaign",
    "CampaignStatus",
    "EmailSuppression",
    "Fact",
    "FactSnapshot",
    "FactSnapshotColumn",
    "ImmutableRecordError",
    "Invitation",
    "InvitationStatus",
    "InvitationToken",
    "JobRunStatus",
    "LifecyclePhase",
    "MessageKind",
    "MessageStatus",
    "Period",
    "PeriodKind",
    "PeriodStatus",
    "Person",
    "PlanAction",
    "PlanObjective",
    "Product",
    "ProductPhase",
    "RaterGroup",
    "Role",
    "RulesetComment",
    "RulesetStatus",
    "RulesetVersion",
    "ScheduledJobRun",
    "ScoreLine",
    "ScoreRun",
    "ScoreRunStatus",
    "Stakeholder",
    "StakeholderRole",
    "SubjectType",
    "SuppressionReason",
    "SurveyAggregate",
    "SurveyAnswer",
    "SurveyDraft",
    "SurveyKind",
    "SurveyMessage",
    "SurveyResponse",
    "SurveySubmission",
    "SurveyVersion",
    "Team",
    "TeamMember",
    "TokenMiss",
    "User",
]
