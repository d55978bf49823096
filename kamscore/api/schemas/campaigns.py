"""Survey campaigns: creation input, campaign and report output."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kamscore.api.schemas.common import code_of
from kamscore.models import CampaignStatus, SubjectType
from kamscore.surveys.campaigns import MAX_REMINDER_DAYS, MAX_REMINDERS

#: A survey key, never a path: no slash or backslash, not starting with a dot.
SURVEY_KEY = r"^[^./\\][^/\\]*$"


class NominationMinimumsSchema(Schema):
    """Approved raters a nominated 360° needs per KAM and group (missing: 0)."""

    peer = fields.Integer(validate=validate.Range(min=0, max=50))
    manager = fields.Integer(validate=validate.Range(min=0, max=50))
    cross_functional = fields.Integer(validate=validate.Range(min=0, max=50))
    direct_report = fields.Integer(validate=validate.Range(min=0, max=50))


class CampaignCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 40))
    survey = fields.String(required=True, validate=validate.Regexp(
        SURVEY_KEY, error="A survey key, not a path."), metadata={
        "description": "A survey key (customer_satisfaction, internal_360, ...)."})
    period = fields.String(required=True, metadata={"description": "A period code."})
    opens_at = fields.AwareDateTime(required=True, metadata={
        "description": "ISO 8601 with an offset, e.g. 2026-03-01T09:00:00+08:00."})
    closes_at = fields.AwareDateTime(required=True)
    timezone = fields.String(load_default="UTC", metadata={
        "description": "IANA time zone in which respondents see the dates."})
    name = fields.String(load_default=None, validate=validate.Length(1, 200))
    accounts = fields.List(fields.String(), load_default=None, metadata={
        "description": "Customer surveys: account codes (default: every account with a KAM)."})
    kams = fields.List(fields.String(), load_default=None, metadata={
        "description": "360° surveys: KAM person codes (default: every KAM in role)."})
    anonymous = fields.Boolean(load_default=None, metadata={
        "description": "Customer surveys: override the definition; 360s are always anonymous."})
    language = fields.String(load_default="en", metadata={
        "description": "360° surveys: language of the invitations."})
    reminder_every_days = fields.Integer(load_default=None, validate=validate.Range(
        min=1, max=MAX_REMINDER_DAYS))
    max_reminders = fields.Integer(load_default=2, validate=validate.Range(
        min=0, max=MAX_REMINDERS))
    reminder_days_before_close = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=MAX_REMINDER_DAYS)),
        load_default=None, validate=validate.Length(max=MAX_REMINDERS), metadata={
            "description": "Reminders this many days before the closing time, e.g. [7, 2] "
                           "(instead of reminder_every_days)."})
    teams = fields.List(fields.String(), load_default=None, metadata={
        "description": "360° surveys: the KAMs of these teams are rated."})
    languages = fields.List(fields.String(), load_default=None, metadata={
        "description": "Languages offered to respondents (default: the definition's)."})
    raters_nominated = fields.Boolean(load_default=False, metadata={
        "description": "360° surveys: raters nominated by the KAMs, approved by managers."})
    nomination_minimums = fields.Nested(NominationMinimumsSchema, metadata={
        "description": "Approved raters each KAM needs per group before launch (missing "
                       "groups: 0)."})


class CampaignSchema(Schema):
    code = fields.String()
    name = fields.String()
    survey = fields.Function(lambda c: c.survey_version.survey_key)
    survey_checksum = fields.Function(lambda c: c.survey_version.checksum)
    period = code_of("period")
    subject_type = fields.Enum(SubjectType, by_value=True)
    anonymous = fields.Boolean()
    status = fields.Enum(CampaignStatus, by_value=True)
    opens_at = fields.DateTime()
    closes_at = fields.DateTime()
    timezone = fields.String()
    opened_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    reminder_every_days = fields.Integer(allow_none=True)
    max_reminders = fields.Integer()
    reminder_days_before_close = fields.List(fields.Integer(), allow_none=True)
    languages = fields.List(fields.String(), allow_none=True)
    raters_nominated = fields.Boolean()


class CampaignQuery(Schema):
    status = fields.Enum(CampaignStatus, by_value=True)


class GroupCountSchema(Schema):
    rater_group = fields.String()
    invited = fields.Integer()
    answered = fields.Integer()
    response_rate = fields.Float(allow_none=True)


class CampaignReportSchema(Schema):
    """Counts only: how many were asked and answered, never what."""

    code = fields.String()
    name = fields.String()
    survey = fields.String()
    period = fields.String()
    status = fields.String()
    anonymous = fields.Boolean()
    opens_at = fields.DateTime()
    closes_at = fields.DateTime()
    invited = fields.Integer()
    answered = fields.Integer()
    response_rate = fields.Float(allow_none=True)
    opted_out = fields.Integer()
    bounced = fields.Integer()
    mails_sent = fields.Integer()
    mails_failed = fields.Integer()
    by_group = fields.List(fields.Nested(GroupCountSchema))


class SendSummarySchema(Schema):
    sent = fields.Integer()
    failed = fields.Integer()
    skipped = fields.Integer()
    already = fields.Integer()


class OpenResultSchema(Schema):
    campaign = fields.Nested(CampaignSchema)
    invitations = fields.Nested(SendSummarySchema)


class BounceSchema(Schema):
    email = fields.Email(required=True)
    detail = fields.String(load_default=None, validate=validate.Length(max=500))


class BounceResultSchema(Schema):
    email = fields.String()
    invitations_marked = fields.Integer()


class ResultGroupSchema(Schema):
    rater_group = fields.String()
    invited = fields.Integer()
    answered = fields.Integer()
    completion_rate = fields.Float(allow_none=True, metadata={
        "description": "answered / invited (null without invitations)."})
    verdict = fields.String(allow_none=True, metadata={
        "description": "Whether the group's results may be shown: shown, empty, too_small "
                       "(fewer than the minimum), withheld (so that a smaller group cannot be "
                       "worked out by subtraction); null for campaign-wide counts."})


class ResultCellSchema(Schema):
    """One reportable aggregate: a group under the minimum size never has one."""

    subject_type = fields.String()
    subject = fields.String()
    measure = fields.String()
    rater_group = fields.String()
    n = fields.Integer()
    mean = fields.Float(allow_none=True)
    sd = fields.Float(allow_none=True)
    scale_min = fields.Integer(allow_none=True)
    scale_max = fields.Integer(allow_none=True)
    histogram = fields.Dict(keys=fields.String(), values=fields.Integer())
    details = fields.Dict(keys=fields.String(), metadata={
        "description": "Further figures by name: csat, nps, nps_ci_low, nps_ci_high, share, "
                       "alpha (listwise, complete answers), alpha_listwise and "
                       "alpha_pairwise (scales), gap, gap_ci_low, gap_ci_high, "
                       "gap_confidence, gap_method (the self-rating's cell)."})


class IntervalSchema(Schema):
    value = fields.Float()
    low = fields.Float(allow_none=True, metadata={"description": "Lower confidence bound."})
    high = fields.Float(allow_none=True, metadata={"description": "Upper confidence bound."})


class AgreementSchema(Schema):
    """How far a 360° rater group's members agree (docs/surveys.md, "How far raters agree")."""

    rater_group = fields.String()
    raters = fields.Integer(metadata={"description": "Respondents of the group (k)."})
    items = fields.Integer(metadata={"description": "Rating items in the table (targets)."})
    icc_items = fields.Integer(metadata={
        "description": "Items every rater answered: the intraclass correlations use these."})
    confidence = fields.Float(metadata={"description": "Of every interval, e.g. 0.95."})
    icc = fields.Dict(keys=fields.String(), values=fields.Nested(IntervalSchema),
                      allow_none=True, metadata={
                          "description": "Shrout & Fleiss forms ICC1, ICC2, ICC3 (one rater) "
                                         "and ICC1k, ICC2k, ICC3k (mean of the k raters), "
                                         "with McGraw & Wong's F-based intervals."})
    icc_reading = fields.String(allow_none=True, metadata={
        "description": "poor, moderate, good or excellent (Koo & Li 2016) for the form "
                       "named in icc_reading_form."})
    icc_reading_form = fields.String()
    krippendorff_alpha = fields.Nested(IntervalSchema, allow_none=True, metadata={
        "description": "Ordinal Krippendorff's alpha over every item, missing answers "
                       "allowed, with a jackknife interval over items."})
    alpha_reading = fields.String(allow_none=True, metadata={
        "description": "good (>= 0.8), moderate (>= 0.667) or poor (Krippendorff 2004)."})


class ChosenBySchema(Schema):
    """Who chose the people asked about a subject: invitations counted, never answers."""

    asked = fields.Integer(metadata={
        "description": "People asked about the subject (a 360°'s self-rating left out)."})
    by_kam = fields.Integer(metadata={
        "description": "Of them, chosen by the KAM himself (360° with nominated raters: "
                       "nominated by the KAM and approved by his manager)."})
    by_manager = fields.Integer(metadata={"description": "Chosen by the KAM's manager."})
    by_organisation = fields.Integer(metadata={
        "description": "Chosen by the organisation (comp team, CRM, import, 360° rules)."})
    kams = fields.List(fields.String(), metadata={
        "description": "The KAM's code (customer survey: the account's KAMs in the period)."})
    nominated = fields.Boolean(metadata={
        "description": "A 360° whose raters the KAM nominated and his manager approved."})
    sentence = fields.String(allow_none=True, metadata={
        "description": "The results page's words, e.g. '3 of the 5 people asked were chosen "
                       "by the KAM himself (K0012).'; null when the KAM chose none of them."})


class ResultSubjectSchema(Schema):
    code = fields.String(metadata={"description": "The account's or the KAM's code."})
    groups = fields.List(fields.Nested(ResultGroupSchema))
    cells = fields.List(fields.Nested(ResultCellSchema))
    agreement = fields.List(fields.Nested(AgreementSchema), metadata={
        "description": "360°: inter-rater agreement per shown rater group (self excluded)."})
    chosen_by = fields.Nested(ChosenBySchema, allow_none=True, metadata={
        "description": "Who chose the people asked about this subject."})


class CampaignResultsSchema(Schema):
    """A campaign's results, with the same suppression as the pages and the CSV."""

    code = fields.String()
    name = fields.String()
    survey = fields.String()
    period = fields.String()
    status = fields.String()
    anonymous = fields.Boolean()
    closes_at = fields.DateTime()
    min_group = fields.Integer(metadata={"description": "Smallest group whose results show."})
    min_group_text = fields.Integer(metadata={"description": "The same for free text."})
    results_available = fields.Boolean(metadata={
        "description": "False until the campaign is closed: then only counts are given."})
    groups = fields.List(fields.Nested(ResultGroupSchema))
    campaign_cells = fields.List(fields.Nested(ResultCellSchema))
    subjects = fields.List(fields.Nested(ResultSubjectSchema))


class FlagCountsSchema(Schema):
    """Responses of a group, and how many carry each flag / are excluded for it."""

    responses = fields.Integer()
    flagged = fields.Dict(keys=fields.String(), values=fields.Integer())
    excluded = fields.Dict(keys=fields.String(), values=fields.Integer())


class SubjectFlagsSchema(Schema):
    code = fields.String()
    name = fields.String()
    counts = fields.Nested(FlagCountsSchema)


class QualityReportSchema(Schema):
    """Response-quality flag counts: the campaign's and each subject's that reaches the
    minimum group size (smaller subjects are only counted in ``hidden_subjects``)."""

    campaign = fields.String()
    exclude_speeders = fields.Boolean()
    speeder_seconds = fields.Integer()
    minimum = fields.Integer()
    total = fields.Nested(FlagCountsSchema, allow_none=True)
    subjects = fields.List(fields.Nested(SubjectFlagsSchema))
    hidden_subjects = fields.Integer()


class ExclusionSchema(Schema):
    flag = fields.String(required=True, validate=validate.OneOf(
        ("speeder", "straight_liner", "duplicate")))
    reason = fields.String(required=True, validate=validate.Length(1, 500))
    subject = fields.String(load_default=None, validate=validate.Length(1, 60), metadata={
        "description": "An account or KAM code; none: the whole campaign."})


class ExclusionResultSchema(Schema):
    excluded = fields.Integer()
    quality = fields.Nested(QualityReportSchema)
