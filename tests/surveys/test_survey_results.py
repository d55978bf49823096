"""Survey results in the database: recompute after close, the live results provider, and the
qualitative and team metrics reading them through the hook (both backends)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from disclosure_attack import isolatable_small_sets
from results_org import (
    AFTER,
    close,
    invitations_of,
    open_new_campaign,
    respond,
    seed_results_org,
)
from sqlalchemy import event, func, select

from kamscore.config import DEFAULTS
from kamscore.content.bundled import bundled_dir
from kamscore.db.session import get_db
from kamscore.metrics.compute import MetricRequest, compute_metrics
from kamscore.models import (
    Campaign,
    CampaignStatus,
    Period,
    PeriodKind,
    Person,
    Role,
    SubjectType,
    SurveyAggregate,
    SurveyAnswer,
    SurveyKind,
    SurveyResponse,
    SurveyVersion,
)
from kamscore.plugin_host.manager import build_plugin_manager
from kamscore.scoring.context_loader import load_metric_context
from kamscore.surveys.aggregate_store import (
    Minimums,
    campaign_cells,
    campaigns_to_recompute,
    recompute_campaign,
    stored_cells,
)
from kamscore.surveys.definition import parse_definition
from kamscore.surveys.disclosure import Group, Verdict
from kamscore.surveys.errors import Conflict
from kamscore.surveys.rater_agreement import AGREEMENT_MEASURE
from kamscore.surveys.survey_results_from_campaigns import kamscore_survey_results

CUSTOMER_LEVEL = {"physician": 5, "pharmacist": 4, "nurse": 2}
RATER_LEVEL = {"self": 5, "manager": 2, "peer": 3, "cross_functional": 5}


@pytest.fixture(scope="module")
def pm():
    return build_plugin_manager(entry_points=False)


@pytest.fixture
def surveyed(session):
    """Both campaigns of 2026-Q1 answered by everyone invited, then closed."""
    org = seed_results_org(session)
    customer = open_new_campaign(session, "CS-26Q1", "customer_satisfaction")
    team = open_new_campaign(session, "360-26Q1", "internal_360")
    for invitation in invitations_of(session, customer):
        respond(session, invitation, CUSTOMER_LEVEL[invitation.rater_group])
    for invitation in invitations_of(session, team):
        respond(session, invitation, RATER_LEVEL[invitation.rater_group])
    close(session, customer)
    close(session, team)
    return org, customer, team


def rows(session, campaign, subject, measure):
    return {r.rater_group: r for r in session.scalars(
        select(SurveyAggregate).where(SurveyAggregate.campaign_id == campaign.id,
                                      SurveyAggregate.subject_code == subject,
                                      SurveyAggregate.measure == measure))}


def test_recompute_stores_only_reportable_cells(session, surveyed):
    _, customer, _ = surveyed
    assert [c.code for c in campaigns_to_recompute(session, Minimums())] == [
        "CS-26Q1", "360-26Q1"]
    stored = recompute_campaign(session, customer, Minimums(), AFTER)
    session.commit()
    assert stored > 0
    overall = rows(session, customer, "A001", "overall_satisfaction")
    # 3 physicians, 3 pharmacists, 1 nurse: the nurse is too few, and one more group is
    # withheld with her, else she would be "all" minus the other two
    assert set(overall) in ({"all", "physician"}, {"all", "pharmacist"})
    assert overall["all"].n == 7
    assert overall["all"].details["csat"] == pytest.approx(6 / 7)
    assert rows(session, customer, "A002", "overall_satisfaction") == {}  # 2 answers
    marker = rows(session, customer, "CS-26Q1", "responses")["all"]
    assert marker.n == 9 and marker.details["invited"] == 9 and marker.details["answered"] == 9
    assert marker.details["min_group"] == 3
    campaign_wide = rows(session, customer, "CS-26Q1", "overall_satisfaction")["all"]
    assert campaign_wide.n == 7  # A002's two answers are not pooled
    assert [c.code for c in campaigns_to_recompute(session, Minimums())] == ["360-26Q1"]
    # a change of the minimum group size in the settings makes them stale
    assert [c.code for c in campaigns_to_recompute(session, Minimums(4, 5))] == [
        "CS-26Q1", "360-26Q1"]
    # recomputing replaces, it does not add
    recompute_campaign(session, customer, Minimums(), AFTER)
    session.commit()
    count = session.scalar(select(func.count()).select_from(SurveyAggregate)
                           .where(SurveyAggregate.campaign_id == customer.id))
    assert count == stored + 1


def test_results_exist_only_after_close(session):
    seed_results_org(session)
    customer = open_new_campaign(session, "CS-26Q1", "customer_satisfaction")
    with pytest.raises(Conflict, match="closed"):
        recompute_campaign(session, customer, Minimums(), AFTER)
    assert campaign_cells(session, [customer], Minimums()) == {}


def test_a_group_of_two_is_not_reported_and_cannot_be_derived(session, surveyed):
    """K01's 360: manager 1, peers 2 (K02, K03), cross-functional 3, self 1. The peers are
    reported nowhere, and no combination of the stored reports isolates them."""
    _, _, team = surveyed
    recompute_campaign(session, team, Minimums(), AFTER)
    session.commit()
    reported = session.scalars(select(SurveyAggregate).where(
        SurveyAggregate.campaign_id == team.id, SurveyAggregate.subject_code == "K01")).all()
    assert reported and all(r.rater_group not in ("peer", "manager") for r in reported)
    counts = {"manager": 1, "peer": 2, "cross_functional": 3}
    groups = [Group("others", 6)] + [Group(g, n, "others") for g, n in counts.items()]
    for measure in {r.measure for r in reported}:
        shown = {r.rater_group for r in reported if r.measure == measure}
        if measure == AGREEMENT_MEASURE:  # per shown group of colleagues, never self / all
            assert shown and shown <= {"others", "cross_functional"}
        else:
            assert {"others", "self", "all", "cross_functional"} == shown
        verdict = {g.key: Verdict.SHOWN if g.key in shown else Verdict.WITHHELD
                   for g in groups}
        assert isolatable_small_sets(groups, verdict, 3) == []
    collaboration = {r.rater_group: r for r in reported if r.measure == "scale:collaboration"}
    assert collaboration["others"].mean == pytest.approx((2 + 3 + 3 + 5 + 5 + 5) / 6)
    assert collaboration["self"].details["gap"] == pytest.approx(5 - 23 / 6)


def test_provider_answers_only_for_periods_with_closed_campaigns(session):
    org = seed_results_org(session)
    assert kamscore_survey_results(session=session, period=org.period,
                                   settings=DEFAULTS) is None
    open_new_campaign(session, "CS-26Q1", "customer_satisfaction")
    still_open = kamscore_survey_results(session=session, period=org.period, settings=DEFAULTS)
    assert still_open is None


def test_provider_reads_stored_cells_or_computes_the_same(session, surveyed):
    org, customer, team = surveyed
    before = kamscore_survey_results(session=session, period=org.period, settings=DEFAULTS)
    for campaign in (customer, team):
        recompute_campaign(session, campaign, Minimums(), AFTER)
    session.commit()
    assert set(stored_cells(session, [customer.id, team.id])) == {customer.id, team.id}
    after = kamscore_survey_results(session=session, period=org.period, settings=DEFAULTS)
    assert after.source == "surveys"
    assert sorted(map(repr, before)) == sorted(map(repr, after))
    csat = after.get("customer_satisfaction", "account", "A001", "overall_satisfaction", "all")
    assert csat.n == 7 and csat.share_at_least(4) == pytest.approx(6 / 7)
    assert after.get("customer_satisfaction", "account", "A002", "overall_satisfaction",
                     "all") is None
    own = after.get("internal_360", "kam", "K01", "scale:collaboration", "self")
    assert own.n == 1 and own.mean == 5


def test_metrics_read_the_live_survey_results(session, surveyed, pm):
    _, customer, _ = surveyed
    recompute_campaign(session, customer, Minimums(), AFTER)  # the 360 is computed on demand
    session.commit()
    ctx = load_metric_context(session, "2026-Q1", pm)
    assert ctx.survey_results.source == "surveys"
    requests = [MetricRequest(name, {}) for name in
                ("csat", "nps", "relationship_quality", "collaboration_360")]
    outcomes = compute_metrics(pm, ctx, requests)
    values = {key: dict(zip(out.kams, out.values, strict=True)) for key, out in outcomes.items()}
    assert all(out.ok for out in outcomes.values()), outcomes
    # K01 is credited with A001: 6 of 7 answers are 4 or 5
    assert values["csat"]["K01"] == pytest.approx(6 / 7)
    # NPS: physicians and pharmacists promoters (10, 9), the nurse a detractor (5)
    assert values["nps"]["K01"] == pytest.approx(100 * (6 - 1) / 7)
    assert values["relationship_quality"]["K01"] == pytest.approx((3 * 5 + 3 * 4 + 2) / 7)
    # A002 had 2 responses: not reported, so no data for K02 — not zero
    assert values["csat"]["K02"] != values["csat"]["K02"]  # NaN
    # 360: every KAM has at least 3 colleagues answering
    assert values["collaboration_360"]["K01"] == pytest.approx(23 / 6)
    assert values["collaboration_360"]["K02"] == pytest.approx((2 + 3 + 3) / 3)




def _bulk_360(session, kams: int, tag: str) -> Period:
    """Period ``tag`` with a closed 360° campaign about ``kams`` KAMs, inserted in bulk."""
    source = (bundled_dir("surveys") / "internal_360.yaml").read_text(encoding="utf-8")
    definition = parse_definition(source, "internal_360.yaml")
    version = session.scalars(select(SurveyVersion)).one_or_none() or SurveyVersion(
        survey_key="internal_360", checksum=definition.checksum, kind=SurveyKind.INTERNAL_360,
        title="360", anonymous=True, filename="internal_360.yaml", source=source)
    period = Period(code=tag, kind=PeriodKind.QUARTER, start_date=dt.date(2026, 1, 1),
                    end_date=dt.date(2026, 3, 31))
    people = [Person(code=f"{tag}-K{k}", name=f"K {k}", role=Role.KAM) for k in range(kams)]
    session.add_all([period, version, *people])
    session.flush()
    campaign = Campaign(code=f"BULK-{tag}", name="bulk", survey_version_id=version.id,
                        period_id=period.id, subject_type=SubjectType.KAM, anonymous=True,
                        status=CampaignStatus.CLOSED, opens_at=AFTER - dt.timedelta(days=9),
                        closes_at=AFTER, closed_at=AFTER)
    session.add(campaign)
    session.flush()
    for person in people:
        for group in ("self", "manager", "peer", "cross_functional", "cross_functional"):
            response = SurveyResponse(id=uuid.uuid4().hex, campaign_id=campaign.id,
                                      subject_type=SubjectType.KAM, subject_person_id=person.id,
                                      rater_group=group, anonymous=True,
                                      submitted_on=dt.date(2026, 3, 20))
            response.answers = [SurveyAnswer(item=i, number=4.0)
                                for i in definition.scale_items("collaboration")]
            session.add(response)
    session.commit()
    return period


@pytest.mark.parametrize("stored", [True, False], ids=["stored", "computed"])
def test_the_provider_query_count_does_not_grow_with_the_kams(app, session, stored):
    counts = []
    for kams, tag in ((2, "Q-SMALL"), (12, "Q-BIG")):
        period = _bulk_360(session, kams, tag)
        if stored:
            campaign = session.scalars(select(Campaign).where(Campaign.period_id == period.id))
            recompute_campaign(session, campaign.one(), Minimums(), AFTER)
            session.commit()
        queries: list[str] = []
        engine = get_db(app).engine

        def count(*args, queries=queries):
            queries.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            results = kamscore_survey_results(session=session, period=period, settings=DEFAULTS)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        session.commit()
        assert len(results.for_measure("internal_360", "scale:collaboration",
                                       subject_type="kam", rater_group="others")) == kams
        counts.append(len(queries))
    assert counts[0] == counts[1]
