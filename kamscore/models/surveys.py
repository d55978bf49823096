"""Surveys: definition versions, campaigns, invitations, drafts, responses, messages, aggregates.

How the tables hang together, and why (see docs/surveys.md for the full story):

- ``SurveyVersion`` is an immutable snapshot of a YAML definition (its source text and a
  checksum). A campaign points at the version it was created with, so editing the file in
  ``surveys/`` never changes a campaign that is running or closed.
- ``Campaign``: one survey sent for a period to a population; draft → open → closed, with
  timezone-aware opening and closing instants.
- ``Invitation``: one per (respondent, subject) in a campaign. It knows who the respondent is
  (it has to, to send e-mail), but never holds a token: the random link tokens live hashed in
  ``InvitationToken`` (each e-mail — the invitation and every reminder — carries a fresh
  token; all of them lead to the same invitation until it is used).
- ``SurveyDraft``: the answers of a respondent who has not submitted yet, linked to the
  invitation so that he can leave and resume. Deleted at submission.
- ``SurveySubmission``: the proof that an invitation was used. Its primary key *is* the
  invitation id, so a second submission for the same invitation violates the primary key
  whatever the application does (20 concurrent submits store exactly one response). It holds
  nothing else — in particular no reference to the response.
- ``SurveyResponse`` + ``SurveyAnswer``: what was answered, keeping only what the statistics
  need: campaign, subject (account or KAM), rater group and the date. Anonymous responses
  (every 360° survey, customer surveys marked anonymous) have no link to the invitation (a
  CHECK constraint makes sure of it), a random id (so the order of ids does not follow the
  order of submissions) and never an IP address, user agent or time of day: there are no
  columns for them.
- ``SurveyMessage`` (``kamscore.models.survey_mail``): each e-mail sent for an invitation;
  UNIQUE (invitation, kind, sequence) makes each message go out at most once, even when two
  schedulers run the same job.
- ``EmailSuppression`` (``kamscore.models.survey_mail``): addresses that bounced or opted
  out; nothing is mailed to them.
- (Guessed survey links are counted by the shared throttle, ``kamscore.models.throttle``: a
  keyed hash of the client's address, unrelated to responses.)
- ``SurveyAggregate`` (``kamscore.models.survey_aggregates``): the statistics of a campaign
  per subject, measure and rater group,
  recomputed after a campaign closes; what the survey-results provider hands to the metric
  plugins. Rows exist only for groups that may be reported (at least the minimum group size).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kamscore.models.accounts import Account, ChosenBy, Stakeholder
from kamscore.models.base import Base, str_enum
from kamscore.models.org import Person
from kamscore.models.periods import Period
from kamscore.models.types import UTCDateTime, utcnow

#: The subject columns agree with ``subject_type`` (invitations and responses alike).
_ONE_SUBJECT = (
    "(subject_type = 'account' AND subject_account_id IS NOT NULL "
    "AND subject_person_id IS NULL) OR "
    "(subject_type = 'kam' AND subject_person_id IS NOT NULL AND subject_account_id IS NULL)"
)


class SurveyKind(enum.StrEnum):
    CUSTOMER = "customer"  # sent to DMU stakeholders, about their account
    INTERNAL_360 = "internal_360"  # sent to a KAM and his raters, about the KAM


class SubjectType(enum.StrEnum):
    """What a response is about; the values are those of ``kamscore.metrics.survey_results``."""

    ACCOUNT = "account"
    KAM = "kam"


class RaterGroup(enum.StrEnum):
    """Rater groups of 360° surveys. Customer surveys use the stakeholder's role instead."""

    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"
    CROSS_FUNCTIONAL = "cross_functional"
    DIRECT_REPORT = "direct_report"  # nominated raters only: the KAM's own reports


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"  # takes no more answers, ever


class InvitationStatus(enum.StrEnum):
    PENDING = "pending"  # created, no e-mail sent yet
    SENT = "sent"  # at least one e-mail went out
    STARTED = "started"  # the respondent saved at least one page
    SUBMITTED = "submitted"  # used: a response exists (and, if anonymous, cannot be traced)


class SurveyVersion(Base):
    """An immutable snapshot of one survey definition file.

    ``survey_key`` is the definition's ``key`` (``customer_satisfaction``); ``checksum`` is the
    SHA-256 of ``source``. The same file content is stored once and shared by campaigns.
    ``source`` is re-parsed (and cached per checksum) by ``kamscore.surveys.definition``.
    """

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_key", "checksum"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_key: Mapped[str] = mapped_column(String(80), index=True)
    checksum: Mapped[str] = mapped_column(String(64))
    kind: Mapped[SurveyKind] = mapped_column(str_enum(SurveyKind, "survey_kind"))
    title: Mapped[str] = mapped_column(String(200))  # English title, for lists
    anonymous: Mapped[bool] = mapped_column(Boolean)
    filename: Mapped[str] = mapped_column(String(200))  # where it was loaded from, for errors
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Campaign(Base):
    """A survey sent for a period to a population, open between two instants.

    ``opens_at``/``closes_at`` are the planned instants (the scheduler opens and closes on
    time); ``opened_at``/``closed_at`` record when it really happened. Past ``closes_at`` no
    answer is taken even if the campaign is still marked open. ``anonymous`` is fixed at
    creation: true for every 360° survey and for customer surveys marked anonymous.
    Reminders go to those who have not answered every ``reminder_every_days`` days after
    opening, at most ``max_reminders`` times (none when ``reminder_every_days`` is empty) —
    or, when ``reminder_days_before_close`` is set (e.g. ``[7, 2]``), that many days before
    the closing time, so that extending a campaign moves its reminders with it.
    ``timezone`` (IANA name) is how times are shown to respondents. ``languages`` are the
    languages respondents may choose (None: every language of the definition).
    ``raters_nominated``: a 360° campaign whose raters are nominated by the KAMs and
    approved by their managers (``kamscore.models.nominations``) rather than taken from the
    organisation; ``nomination_minimums`` is the number of approved raters each KAM needs
    per group before the campaign may open.
    """

    __tablename__ = "survey_campaign"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint(
            "reminder_every_days IS NULL OR reminder_every_days >= 1", name="reminder_every"
        ),
        CheckConstraint("max_reminders >= 0", name="max_reminders"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    subject_type: Mapped[SubjectType] = mapped_column(str_enum(SubjectType, "subject_type"))
    anonymous: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[CampaignStatus] = mapped_column(
        str_enum(CampaignStatus, "campaign_status"), default=CampaignStatus.DRAFT, index=True
    )
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reminder_every_days: Mapped[int | None] = mapped_column(Integer)
    max_reminders: Mapped[int] = mapped_column(Integer, default=2)
    reminder_days_before_close: Mapped[list[int] | None] = mapped_column(
        JSON(none_as_null=True))
    languages: Mapped[list[str] | None] = mapped_column(
        JSON(none_as_null=True))
    raters_nominated: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Response quality: a response faster than this many seconds is a speeder (besides
    #: one under a third of the campaign's median), and whether speeders are excluded
    #: from scoring automatically.
    speeder_seconds: Mapped[int] = mapped_column(Integer, default=30)
    exclude_speeders: Mapped[bool] = mapped_column(Boolean, default=False)
    nomination_minimums: Mapped[dict[str, int] | None] = mapped_column(
        JSON(none_as_null=True))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(80))

    survey_version: Mapped[SurveyVersion] = relationship()
    period: Mapped[Period] = relationship()
    invitations: Mapped[list[Invitation]] = relationship(back_populates="campaign")

    def accepts_answers(self, now: dt.datetime) -> bool:
        """Open, and ``now`` inside the window."""
        return (
            self.status is CampaignStatus.OPEN and self.opens_at <= now < self.closes_at
        )


class Invitation(Base):
    """One respondent asked about one subject in one campaign.

    The subject is an account (customer surveys; ``subject_account_id``) or a KAM (360°;
    ``subject_person_id``). The respondent is a stakeholder (customer) or a person (360°).
    ``respondent_key`` / ``subject_key`` are natural keys ("stakeholder:17", "person:K001",
    "account:A001", "kam:K001") so that UNIQUE works although half the foreign keys are NULL.
    ``rater_group`` is a ``RaterGroup`` for 360s and the stakeholder's role for customers.
    ``bounced_at`` / ``opted_out_at`` record delivery problems and opt-outs for this invitation
    (the address is also put on ``EmailSuppression``).
    ``chosen_by`` is who chose the respondent, copied when the invitation is made (the
    stakeholder's ``chosen_by``; ``kam`` for a 360° rater the KAM nominated and his manager
    approved, ``manager`` for one his manager added): a later change to the stakeholder does not
    rewrite it.
    """

    __tablename__ = "survey_invitation"
    __table_args__ = (
        UniqueConstraint("campaign_id", "respondent_key", "subject_key"),
        CheckConstraint(_ONE_SUBJECT, name="subject"),
        CheckConstraint(
            "(stakeholder_id IS NULL) <> (person_id IS NULL)", name="one_respondent"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaign.id", ondelete="CASCADE"), index=True
    )
    subject_type: Mapped[SubjectType] = mapped_column(str_enum(SubjectType, "subject_type"))
    subject_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    subject_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(60))
    rater_group: Mapped[str] = mapped_column(String(40))
    stakeholder_id: Mapped[int | None] = mapped_column(ForeignKey("stakeholder.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    respondent_key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))  # for the greeting in e-mails
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    language: Mapped[str] = mapped_column(String(10), default="en")
    status: Mapped[InvitationStatus] = mapped_column(
        str_enum(InvitationStatus, "invitation_status"),
        default=InvitationStatus.PENDING,
        index=True,
    )
    bounced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    opted_out_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    chosen_by: Mapped[ChosenBy] = mapped_column(
        str_enum(ChosenBy, "chosen_by"), default=ChosenBy.ORGANISATION,
        server_default=ChosenBy.ORGANISATION.value,
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="invitations")
    subject_account: Mapped[Account | None] = relationship(foreign_keys=[subject_account_id])
    subject_person: Mapped[Person | None] = relationship(foreign_keys=[subject_person_id])
    stakeholder: Mapped[Stakeholder | None] = relationship()
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])


class InvitationToken(Base):
    """The SHA-256 of one link token (the token itself is never stored).

    Each e-mail carries a fresh random token (``secrets.token_urlsafe(32)``, 256 bits); any of
    an invitation's tokens opens it until the invitation is used or the campaign closes.
    """

    __tablename__ = "survey_invitation_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("survey_invitation.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    invitation: Mapped[Invitation] = relationship()


class SurveyDraft(Base):
    """Answers saved page by page before submission (one per invitation; deleted at submit).

    ``answers`` maps answer item ids to raw form values; ``page`` is the index of the next
    section to show.
    """

    __tablename__ = "survey_draft"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("survey_invitation.id", ondelete="CASCADE"), primary_key=True
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    page: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(10), default="en")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the respondent first opened the questionnaire: only the whole seconds between it
    #: and the submission are kept (on the response); this row is deleted at submission.
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    invitation: Mapped[Invitation] = relationship()


class SurveySubmission(Base):
    """That an invitation was used — nothing more (no time, no reference to the response).

    Inserted in the same transaction as the response: its primary key is the database's
    guarantee that an invitation yields at most one response.
    """

    __tablename__ = "survey_submission"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("survey_invitation.id", ondelete="CASCADE"), primary_key=True
    )


def _random_id() -> str:
    return uuid.uuid4().hex


class SurveyResponse(Base):
    """One submitted questionnaire, reduced to what the statistics need.

    No IP address, user agent or time of day; ``submitted_on`` is a date. ``invitation_id``
    is set only for non-anonymous customer surveys (so that a KAM may follow up a named
    answer); the ``anonymous_unlinked`` CHECK keeps it NULL for anonymous ones. The id is
    random so that it does not reveal the order of submissions.
    """

    __tablename__ = "survey_response"
    __table_args__ = (
        CheckConstraint("NOT anonymous OR invitation_id IS NULL", name="anonymous_unlinked"),
        CheckConstraint(_ONE_SUBJECT, name="subject"),
        CheckConstraint("duration_seconds >= 0", name="duration"),
        CheckConstraint("excluded_for IN ('speeder', 'straight_liner', 'duplicate')",
                        name="excluded_for"),
        CheckConstraint("(excluded_for IS NULL) = (excluded_reason IS NULL)",
                        name="excluded_reason"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaign.id", ondelete="CASCADE"), index=True
    )
    subject_type: Mapped[SubjectType] = mapped_column(str_enum(SubjectType, "subject_type"))
    subject_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    subject_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    rater_group: Mapped[str] = mapped_column(String(40))
    anonymous: Mapped[bool] = mapped_column(Boolean)
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_invitation.id", ondelete="SET NULL"), unique=True
    )
    # Response quality (kamscore.surveys.response_quality), computed at submission: the
    # completion time in whole seconds (never a clock time), the flags, a digest of the
    # answers (to find duplicates), and, when excluded from scoring, which flag and why.
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    speeder: Mapped[bool] = mapped_column(Boolean, default=False)
    straight_liner: Mapped[bool] = mapped_column(Boolean, default=False)
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    answers_digest: Mapped[str | None] = mapped_column(String(64))
    excluded_for: Mapped[str | None] = mapped_column(String(20))
    excluded_reason: Mapped[str | None] = mapped_column(String(500))

    campaign: Mapped[Campaign] = relationship()
    subject_account: Mapped[Account | None] = relationship()
    subject_person: Mapped[Person | None] = relationship()
    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class SurveyAnswer(Base):
    """One answered item of a response.

    ``item`` is the question id, or ``question.item`` for a matrix row and
    ``question.option`` for each option of a multiple-choice question (``number`` 1 when
    chosen, 0 when not). ``number`` holds numeric answers (ratings, NPS, yes = 1 / no = 0,
    a single choice's ``value`` when it has one); ``text`` holds free text, the code of a
    single choice, and "yes"/"no". Unanswered optional questions have no row.
    """

    __tablename__ = "survey_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "item"),
        CheckConstraint("number IS NOT NULL OR text IS NOT NULL", name="has_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), index=True
    )
    item: Mapped[str] = mapped_column(String(120))
    number: Mapped[float | None] = mapped_column()
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
