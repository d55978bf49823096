"""The data model: SQLAlchemy 2.0 typed ORM classes. Bottom layer: imports nothing of ours
above it (no services, no Flask apart from Flask-Login's UserMixin, no plugins)."""

from kamscore.models.accounts import (
    Account,
    AccountType,
    Assignment,
    ChosenBy,
    Stakeholder,
    StakeholderRole,
)
from kamscore.models.audit import AuditEvent
from kamscore.models.base import Base
from kamscore.models.facts import (
    AccountPlan,
    Fact,
    FactSnapshot,
    FactSnapshotColumn,
    PlanAction,
    PlanObjective,
    TableSnapshot,
)
from kamscore.models.holds import HoldReason, PaymentHold, PlanAcknowledgment
from kamscore.models.jobs import BackgroundJob, JobRunStatus, JobState, ScheduledJobRun
from kamscore.models.ledger import (
    MANUAL_KINDS,
    DrawTerms,
    EntryKind,
    PayEntry,
    PaySettlement,
    SettlementKind,
)
from kamscore.models.nominations import NOMINATED_GROUPS, NominationStatus, RaterNomination
from kamscore.models.org import Person, Role, Team, TeamMember
from kamscore.models.periods import (
    LifecyclePhase,
    Period,
    PeriodKind,
    PeriodStatus,
    Product,
    ProductPhase,
)
from kamscore.models.queries import QUERY_TEXT_MAX, QueryStatus, StatementQuery
from kamscore.models.ruleset_drafts import RulesetWorkInProgress
from kamscore.models.scoring import (
    ImmutableRecordError,
    RulesetComment,
    RulesetStatus,
    RulesetVersion,
    ScoreLine,
    ScoreRun,
    ScoreRunBlock,
    ScoreRunStatus,
)
from kamscore.models.survey_aggregates import SurveyAggregate
from kamscore.models.survey_mail import (
    EmailSuppression,
    MessageKind,
    MessageStatus,
    SuppressionReason,
    SurveyMessage,
)
from kamscore.models.surveys import (
    Campaign,
    CampaignStatus,
    Invitation,
    InvitationStatus,
    InvitationToken,
    RaterGroup,
    SubjectType,
    SurveyAnswer,
    SurveyDraft,
    SurveyKind,
    SurveyResponse,
    SurveySubmission,
    SurveyVersion,
)
from kamscore.models.targets import (
    ProposalDecision,
    RoundStatus,
    TargetLine,
    TargetRound,
)
from kamscore.models.throttle import ThrottleCount
from kamscore.models.users import USER_ROLES, ApiToken, User, user_team

__all__ = [
    "MANUAL_KINDS",
    "NOMINATED_GROUPS",
    "QUERY_TEXT_MAX",
    "USER_ROLES",
    "Account",
    "AccountPlan",
    "AccountType",
    "ApiToken",
    "Assignment",
    "AuditEvent",
    "BackgroundJob",
    "Base",
    "Campaign",
    "CampaignStatus",
    "ChosenBy",
    "DrawTerms",
    "EmailSuppression",
    "EntryKind",
    "Fact",
    "FactSnapshot",
    "FactSnapshotColumn",
    "HoldReason",
    "ImmutableRecordError",
    "Invitation",
    "InvitationStatus",
    "InvitationToken",
    "JobRunStatus",
    "JobState",
    "LifecyclePhase",
    "MessageKind",
    "MessageStatus",
    "NominationStatus",
    "PayEntry",
    "PaySettlement",
    "PaymentHold",
    "Period",
    "PeriodKind",
    "PeriodStatus",
    "Person",
    "PlanAcknowledgment",
    "PlanAction",
    "PlanObjective",
    "Product",
    "ProductPhase",
    "ProposalDecision",
    "QueryStatus",
    "RaterGroup",
    "RaterNomination",
    "Role",
    "RoundStatus",
    "RulesetComment",
    "RulesetStatus",
    "RulesetVersion",
    "RulesetWorkInProgress",
    "ScheduledJobRun",
    "ScoreLine",
    "ScoreRun",
    "ScoreRunBlock",
    "ScoreRunStatus",
    "SettlementKind",
    "Stakeholder",
    "StakeholderRole",
    "StatementQuery",
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
    "TableSnapshot",
    "TargetLine",
    "TargetRound",
    "Team",
    "TeamMember",
    "ThrottleCount",
    "User",
    "user_team",
]
