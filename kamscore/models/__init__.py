"""The data model: SQLAlchemy 2.0 typed ORM classes. Bottom layer: imports nothing of ours
above it (no services, no Flask apart from Flask-Login's UserMixin, no plugins)."""

from .accounts import Account, AccountType, Assignment, Stakeholder, StakeholderRole
from .base import Base
from .facts import AccountPlan, Fact, PlanAction, PlanObjective
from .org import Person, Role, Team, TeamMember
from .periods import LifecyclePhase, Period, PeriodKind, PeriodStatus, Product, ProductPhase
from .users import USER_ROLES, User

__all__ = [
    "USER_ROLES",
    "Account",
    "AccountPlan",
    "AccountType",
    "Assignment",
    "Base",
    "Fact",
    "LifecyclePhase",
    "Period",
    "PeriodKind",
    "PeriodStatus",
    "Person",
    "PlanAction",
    "PlanObjective",
    "Product",
    "ProductPhase",
    "Role",
    "Stakeholder",
    "StakeholderRole",
    "Team",
    "TeamMember",
    "User",
]
