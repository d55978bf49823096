"""Campaign aggregation: which cells are reported, with what figures (pure, no database)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from disclosure_attack import isolatable_small_sets
from hypothesis import given, settings
from hypothesis import strategies as st

from kamscore.surveys.aggregation import Cell, ResponseRecord, aggregate
from kamscore.surveys.definition import load_definition_file, parse_definition
from kamscore.surveys.disclosure import Group, Verdict
from kamscore.surveys.measures import measures_of

SURVEYS = Path(__file__).resolve().parents[2] / "surveys"
ROLES_360 = ("manager", "peer", "cross_functional")


def three_sixty_answers(level: int) -> dict:
    """Every matrix item of internal_360 answered ``level`` (1..5)."""
    definition = load_definition_file(SURVEYS / "internal_360.yaml")
    return {
        item: (float(level), None)
        for q in definition.questions() if q.type == "matrix"
        for item in q.answer_items()
    }


def cells_by(cells: list[Cell], subject: str, measure: str) -> dict[str, Cell]:
    return {c.rater_group: c for c in cells if c.subject == subject and c.measure == measure}


@pytest.fixture(scope="module")
def internal_360():
    return measures_of(load_definition_file(SURVEYS / "internal_360.yaml"))


@pytest.fixture(scope="module")
def customer():
    return measures_of(load_definition_file(SURVEYS / "customer_satisfaction.yaml"))


def test_a_360_with_two_managers(internal_360):
    """2 managers (too few), 3 peers, 3 cross-functional colleagues and the KAM himself."""
    records = (
        [ResponseRecord("K1", "manager", three_sixty_answers(1)) for _ in range(2)]
        + [ResponseRecord("K1", "peer", three_sixty_answers(4)) for _ in range(3)]
        + [ResponseRecord("K1", "cross_functional", three_sixty_answers(5)) for _ in range(3)]
        + [ResponseRecord("K1", "self", three_sixty_answers(5))]
    )
    result = aggregate(internal_360, records, subject_type="kam", campaign_code="C",
                       minimum=3)
    collab = cells_by(result.cells, "K1", "scale:collaboration")
    assert collab["others"].n == 8
    assert collab["others"].mean == pytest.approx((2 * 1 + 3 * 4 + 3 * 5) / 8)
    assert collab["others"].sd is not None
    assert collab["others"].details["alpha"] == pytest.approx(1.0)  # items agree perfectly
    assert "manager" not in collab
    assert ("peer" in collab) != ("cross_functional" in collab)  # one withheld with it
    assert collab["self"].n == 1 and collab["self"].mean == 5
    assert collab["self"].details["gap"] == pytest.approx(5 - 29 / 8)
    assert collab["all"].n == 9
    # the same groups are hidden for every measure (they were chosen on response counts)
    answered = set(three_sixty_answers(1))
    for measure in internal_360:
        if measure.id in answered or measure.is_scale:
            assert set(cells_by(result.cells, "K1", measure.id)) == set(collab)
    assert result.subjects["K1"].verdicts["manager"] is Verdict.TOO_SMALL
    assert result.subjects["K1"].responses == {
        "manager": 2, "peer": 3, "cross_functional": 3, "others": 8, "self": 1
    }
    # whole campaign: others and self pooled
    campaign = cells_by(result.cells, "C", "scale:collaboration")
    assert campaign["others"].n == 8 and campaign["self"].n == 1


def test_no_report_about_a_kam_lets_the_managers_answers_be_worked_out(internal_360):
    records = (
        [ResponseRecord("K1", "manager", three_sixty_answers(1)) for _ in range(2)]
        + [ResponseRecord("K1", g, three_sixty_answers(4)) for g in ("peer", "cross_functional")
           for _ in range(3)]
    )
    cells = aggregate(internal_360, records, subject_type="kam", campaign_code="C",
                      minimum=3).cells
    counts = {"manager": 2, "peer": 3, "cross_functional": 3}
    for measure in internal_360:
        shown = cells_by(cells, "K1", measure.id)
        assert_no_isolation(shown, counts, 3)


def assert_no_isolation(shown: dict[str, Cell], counts: dict[str, int], minimum: int,
                        top: str = "others") -> None:
    groups = [Group(top, sum(counts.values()))] + [Group(g, n, top) for g, n in counts.items()]
    verdict = {g.key: Verdict.SHOWN if g.key in shown else Verdict.WITHHELD for g in groups}
    assert isolatable_small_sets(groups, verdict, minimum) == []


def customer_answers(satisfaction: int, nps: int, education: int | str = 4) -> dict:
    education_answer = (None, "na") if education == "na" else (float(education), None)
    return {
        "overall_satisfaction": (float(satisfaction), None),
        "nps": (float(nps), None),
        **{f"relationship.{i}": (4.0, None)
           for i in ("trust", "understanding", "responsiveness", "communication", "partnership")},
        "services.medical_information": (5.0, None),
        "services.education": education_answer,
        "services.patient_support": (3.0, None),
        "services.access_support": (3.0, None),
        "services.supply": (4.0, None),
        "contact_frequency": (None, "monthly"),
        "commitments_kept": (1.0, "yes"),
    }


def test_customer_csat_nps_and_scales(customer):
    records = [
        ResponseRecord("A1", "physician", customer_answers(5, 10)),
        ResponseRecord("A1", "physician", customer_answers(4, 9)),
        ResponseRecord("A1", "physician", customer_answers(2, 3)),
        ResponseRecord("A1", "pharmacist", customer_answers(5, 7)),
        ResponseRecord("A1", "pharmacist", customer_answers(4, 8)),
        ResponseRecord("A1", "pharmacist", customer_answers(3, 6, education="na")),
    ]
    cells = aggregate(customer, records, subject_type="account", campaign_code="CS",
                      minimum=3).cells
    overall = cells_by(cells, "A1", "overall_satisfaction")
    assert overall["all"].n == 6 and overall["all"].details["csat"] == pytest.approx(4 / 6)
    assert overall["all"].histogram == {"2": 1, "3": 1, "4": 2, "5": 2}
    assert set(overall) == {"all", "physician", "pharmacist"}
    nps = cells_by(cells, "A1", "nps")["all"]
    assert nps.details["nps"] == pytest.approx(100 * (2 - 2) / 6)
    assert nps.details["nps_ci_low"] < 0 < nps.details["nps_ci_high"]
    rq = cells_by(cells, "A1", "scale:relationship_quality")["all"]
    assert rq.mean == pytest.approx(4.0) and rq.details["complete"] is True
    assert rq.sd == pytest.approx(0.0) and rq.details["alpha"] is None  # no variance at all
    # value of services: one "not applicable" → mean of item means, no sd/alpha
    value = cells_by(cells, "A1", "scale:value_of_services")
    assert value["all"].mean == pytest.approx((5 + 4 + 3 + 3 + 4) / 5)
    assert value["all"].n == 6 and value["all"].details["complete"] is False
    assert value["all"].sd is None
    # "education" has 5 answers: 3 physicians, 2 pharmacists (too few). Showing the
    # physicians too would leave the 2 pharmacists' answers as all minus physicians, so
    # both are hidden for that item, and the groups' scale cells keep the other four items
    education = cells_by(cells, "A1", "services.education")
    assert set(education) == {"all"} and education["all"].n == 5
    for group in ("physician", "pharmacist"):
        items = value[group].details["items"]
        assert "services.education" not in items and len(items) == 4
        assert value[group].sd is None and value[group].details["complete"] is False
        assert value[group].mean == pytest.approx((5 + 3 + 3 + 4) / 4)
    # a single choice: counts per option; yes/no: share
    assert cells_by(cells, "A1", "contact_frequency")["all"].histogram == {"monthly": 6}
    assert cells_by(cells, "A1", "commitments_kept")["all"].details["share"] == 1.0


def test_a_not_applicable_answer_cannot_be_inferred(customer):
    """Nurse (1 respondent) answers "not applicable" to education. On answer counts alone
    the nurse would have 0 answers, nothing would be hidden, and anyone who knows she
    responded would learn her "not applicable". Deciding on response counts first hides a
    complement, so that the residue holds at least three respondents."""
    records = (
        [ResponseRecord("A1", "physician", customer_answers(4, 9)) for _ in range(3)]
        + [ResponseRecord("A1", "pharmacist", customer_answers(4, 9)) for _ in range(3)]
        + [ResponseRecord("A1", "nurse", customer_answers(4, 9, education="na"))]
    )
    cells = aggregate(customer, records, subject_type="account", campaign_code="CS",
                      minimum=3).cells
    education = cells_by(cells, "A1", "services.education")
    assert education["all"].n == 6
    assert not ("physician" in education and "pharmacist" in education)
    responses = {"physician": 3, "pharmacist": 3, "nurse": 1}
    assert_no_isolation(education, responses, 3, top="all")


def test_whole_campaign_pools_only_reported_subjects(customer):
    records = (
        [ResponseRecord("A1", "physician", customer_answers(5, 10)) for _ in range(3)]
        + [ResponseRecord("A2", "physician", customer_answers(1, 0)) for _ in range(2)]
    )
    cells = aggregate(customer, records, subject_type="account", campaign_code="CS",
                      minimum=3).cells
    assert cells_by(cells, "A2", "overall_satisfaction") == {}
    campaign = cells_by(cells, "CS", "overall_satisfaction")
    assert campaign["all"].n == 3 and campaign["all"].mean == 5
    assert campaign["all"].subject_type == "campaign"


def test_non_anonymous_campaigns_show_every_group(customer):
    records = [ResponseRecord("A1", "nurse", customer_answers(5, 10))]
    cells = aggregate(customer, records, subject_type="account", campaign_code="CS",
                      minimum=1).cells
    assert set(cells_by(cells, "A1", "overall_satisfaction")) == {"all", "nurse"}


# --- property: whatever the answers, nothing small can be isolated --------------------------

SMALL = parse_definition("""
key: small
kind: internal_360
anonymous: true
languages: [en, zh-Hant]
title: {en: Small, zh-Hant: 小}
scales:
  teamwork: {en: Teamwork, zh-Hant: 團隊合作}
sections:
  - id: s
    title: {en: S, zh-Hant: S}
    questions:
      - id: grid
        type: matrix
        scale: 1-5
        allow_na: true
        tags: [teamwork]
        text: {en: Grid, zh-Hant: 表}
        items:
          - {id: a, text: {en: A, zh-Hant: A}}
          - {id: b, text: {en: B, zh-Hant: B}}
      - id: rec
        type: nps
        text: {en: Recommend, zh-Hant: 推薦}
""", "small.yaml")

answer = st.one_of(st.integers(1, 5).map(lambda v: (float(v), None)), st.just((None, "na")),
                   st.none())
response = st.tuples(st.sampled_from(["self", *ROLES_360]), answer, answer,
                     st.one_of(st.none(), st.integers(0, 10)))


@settings(max_examples=150, deadline=None)
@given(st.lists(response, max_size=14), st.integers(2, 4))
def test_no_small_set_is_ever_isolatable(responses, minimum):
    records = []
    for group, a, b, rec in responses:
        answers = {k: v for k, v in (("grid.a", a), ("grid.b", b)) if v is not None}
        if rec is not None:
            answers["rec"] = (float(rec), None)
        records.append(ResponseRecord("K1", group, answers))
    measures = measures_of(SMALL)
    cells = aggregate(measures, records, subject_type="kam", campaign_code="C",
                      minimum=minimum).cells
    by_group = {g: [r for r in records if r.rater_group == g] for g in ROLES_360}
    respondents = {g: len(rs) for g, rs in by_group.items()}
    for measure in measures:
        shown = {g: c for g, c in cells_by(cells, "K1", measure.id).items()
                 if g in (*ROLES_360, "others")}
        for cell in shown.values():
            assert cell.n >= minimum
        assert_no_isolation(shown, respondents, minimum)  # who responded at all
        if not measure.is_scale:
            answered = {g: sum(measure.id in r.answers and r.answers[measure.id][0] is not None
                               for r in rs) for g, rs in by_group.items()}
            assert_no_isolation(shown, answered, minimum)  # who gave a number
        else:  # a scale is shown only with shown items, and only where they are
            for g, cell in shown.items():
                for item in cell.details["items"]:
                    assert g in cells_by(cells, "K1", item)


def test_identical_inputs_give_identical_cells(internal_360):
    records = [ResponseRecord("K1", g, three_sixty_answers(3))
               for g, _ in itertools.product(ROLES_360, range(3))]
    first = aggregate(internal_360, records, subject_type="kam", campaign_code="C", minimum=3)
    again = aggregate(internal_360, list(reversed(records)), subject_type="kam",
                      campaign_code="C", minimum=3)
    assert first.cells == again.cells
