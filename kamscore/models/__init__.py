"""The data model: SQLAlchemy 2.0 typed ORM classes. Bottom layer: imports nothing of ours
above it (no services, no Flask apart from Flask-Login's UserMixin, no plugins)."""

from .accounts import Account, AccountType, Assignment, Stakeholder, StakeholderRole
from .base import Base
from .facts import AccountPlan, Fact, PlanAction, PlanObjective
from .jobs import JobRunStatus, ScheduledJobRun
from .org import Person, Role, Team, TeamMember
from .periods import LifecyclePhase, Period, PeriodKind, PeriodStatus, Product, ProductPhase
from .surveys import (
    Campaign,
    CampaignStatus,
    EmailSuppression,
    Invitation,
    InvitationStatus,
    InvitationToken,
    MessageKind,
    MessageStatus,
    RaterGroup,
    SubjectType,
    SuppressionReason,
    SurveyAggregate,
    SurveyAnswer,
    SurveyDraft,
    SurveyKind,
    SurveyMessage,
    SurveyResponse,
    SurveySubmission,
    SurveyVersion,
    TokenMiss,
)
from .users import USER_ROLES, User

__all__ = [
    "USER_ROLES",
    "Account",
    "AccountPlan",
    "AccountType",
    "Assignment",
    "Base",
    "Campaign",
    "CampaignStatus",
    "EmailSuppression",
    "Fact",
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
    "ScheduledJobRun",
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
