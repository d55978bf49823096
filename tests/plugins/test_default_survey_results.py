"""Survey results from imported facts (kamscore.facts.survey_results_from_facts)."""

from __future__ import annotations

import pytest

from kamscore.facts.survey_results_from_facts import (
    SurveyFactError,
    load_survey_facts,
    parse_name,
    survey_results_from_facts,
)
from kamscore.models import Account, AccountType, Fact, Period, PeriodKind, Person, Role


def test_parse_names():
    assert parse_name("survey.nps.all.count.9") == ("nps", "all", "count", 9)
    assert parse_name("survey.scale:relationship_quality.others.mean") == (
        "scale:relationship_quality", "others", "mean", None)
    for bad in ("survey.nps", "survey.nps.all.median", "survey.nps.all.count.nine",
                "surveys.nps.all.n"):
        with pytest.raises(SurveyFactError, match=bad.replace(".", r"\.")):
            parse_name(bad)


def test_counts_make_the_histogram_n_and_mean():
    results = survey_results_from_facts([
        ("survey.overall_satisfaction.all.count.5", 3, "A1", None),
        ("survey.overall_satisfaction.all.count.4", 4, "A1", None),
        ("survey.overall_satisfaction.all.count.2", 1, "A1", None),
        ("survey.overall_satisfaction.all.min", 1, "A1", None),
        ("survey.overall_satisfaction.all.max", 5, "A1", None),
        ("survey.scale:collaboration.others.mean", 4.2, None, "K1"),
        ("survey.scale:collaboration.others.n", 6, None, "K1"),
    ])
    csat = results.get("customer_satisfaction", "account", "A1", "overall_satisfaction", "all")
    assert csat.n == 8
    assert csat.histogram == {2: 1, 4: 4, 5: 3}
    assert csat.mean == pytest.approx((15 + 16 + 2) / 8)
    assert (csat.scale_min, csat.scale_max) == (1, 5)
    assert csat.share_at_least(4) == pytest.approx(7 / 8)
    collab = results.get("internal_360", "kam", "K1", "scale:collaboration", "others")
    assert (collab.n, collab.mean, collab.histogram) == (6, 4.2, {})
    assert results.source == "facts"


@pytest.mark.parametrize(("rows", "message"), [
    ([("survey.nps.all.n", 5, "A1", None), ("survey.nps.all.count.9", 4, "A1", None)],
     "n is 5 but the counts add up to 4"),
    ([("survey.nps.all.mean", 7.5, "A1", None)], "give n or the counts per answer"),
    ([("survey.nps.all.count.9", 1.5, "A1", None)], "a count must be a whole number"),
    ([("survey.nps.all.n", 3, "A1", "K1")], "about an account or a person"),
    ([("survey.nps.all.n", None, "A1", None)], "has no numeric value"),
])
def test_malformed_survey_facts_are_errors(rows, message):
    with pytest.raises(SurveyFactError, match=message):
        survey_results_from_facts(rows)


def test_loaded_from_the_database_with_one_query(session):
    period = Period(code="2026-Q1", kind=PeriodKind.QUARTER, start_date=_d("2026-01-01"),
                    end_date=_d("2026-03-31"))
    account = Account(code="A1", name="Hospital", type=AccountType.HOSPITAL, segment="key")
    kam = Person(code="K1", name="Kay", role=Role.KAM)
    session.add_all([
        _fact(period, "survey.nps.all.count.10", 2, account=account),
        _fact(period, "survey.nps.all.count.3", 1, account=account),
        _fact(period, "survey.scale:collaboration.self.mean", 4.5, person=kam),
        _fact(period, "survey.scale:collaboration.self.n", 1, person=kam),
        _fact(period, "surveyed_accounts", 1, account=account),  # not a survey fact
        _fact(period, "net_sales", 10, account=account),
    ])
    session.commit()
    results = load_survey_facts(session, period)
    assert len(results) == 2
    assert results.source == "facts 2026-Q1"
    nps = results.get("customer_satisfaction", "account", "A1", "nps", "all")
    assert nps.histogram == {3: 1, 10: 2}
    assert results.get("internal_360", "kam", "K1", "scale:collaboration", "self").mean == 4.5


def _d(text):
    import datetime as dt

    return dt.date.fromisoformat(text)


def _fact(period, name, value, *, account=None, person=None):
    return Fact(period=period, name=name, value=value, unit="count", source="test",
                account=account, person=person,
                subject_key=Fact.make_subject_key(account.code if account else None,
                                                  person.code if person else None))


def test_the_years_survey_stands_for_its_quarters(session):
    year = Period(code="2026", kind=PeriodKind.YEAR, start_date=_d("2026-01-01"),
                  end_date=_d("2026-12-31"))
    q1 = Period(code="2026-Q1", kind=PeriodKind.QUARTER, start_date=_d("2026-01-01"),
                end_date=_d("2026-03-31"))
    q2 = Period(code="2026-Q2", kind=PeriodKind.QUARTER, start_date=_d("2026-04-01"),
                end_date=_d("2026-06-30"))
    account = Account(code="A1", name="Hospital", type=AccountType.HOSPITAL, segment="key")
    session.add_all([
        _fact(year, "survey.nps.all.count.10", 4, account=account),
        _fact(q1, "survey.nps.all.count.3", 2, account=account),  # Q1 ran its own survey
    ])
    session.commit()
    in_q1 = load_survey_facts(session, q1)
    assert in_q1.source == "facts 2026-Q1"
    assert in_q1.get("customer_satisfaction", "account", "A1", "nps", "all").histogram == {3: 2}
    in_q2 = load_survey_facts(session, q2)
    assert in_q2.source == "facts 2026"
    assert in_q2.get("customer_satisfaction", "account", "A1", "nps", "all").n == 4


def test_tables_and_aggregates_agree():
    from kamscore.metrics.survey_results import SurveyResults

    rows = [
        ("survey.nps.all.count.10", 2, "A1", None), ("survey.nps.all.count.3", 1, "A1", None),
        ("survey.nps.all.count.9", 5, "A2", None), ("survey.nps.all.sd", 0.5, "A2", None),
        ("survey.scale:collaboration.others.mean", 4.2, None, "K1"),
        ("survey.scale:collaboration.others.n", 6, None, "K1"),
    ]
    tabular = survey_results_from_facts(rows)
    assert len(tabular) == 3
    plain = SurveyResults(list(tabular), source="copy")  # the interface's own class
    for results in (tabular, plain):
        table = results.measure_table("customer_satisfaction", "nps", subject_type="account")
        assert list(table.subjects) == ["A1", "A2"]
        assert table.n.tolist() == [3, 5] and table.answers.tolist() == [3, 9, 10]
        assert table.counts.tolist() == [[1, 0, 2], [0, 5, 0]]
        assert table.mean[0] == pytest.approx(23 / 3) and table.sd[1] == 0.5
    assert tabular.get("customer_satisfaction", "account", "A2", "nps", "all") == \
        plain.get("customer_satisfaction", "account", "A2", "nps", "all")
    assert tabular.get("customer_satisfaction", "account", "A3", "nps", "all") is None
    assert tabular.for_measure("internal_360", "scale:collaboration", subject_type="kam",
                               rater_group="others")["K1"].n == 6


def test_a_survey_fact_per_product_is_an_error():
    with pytest.raises(SurveyFactError, match="appears twice for one account"):
        survey_results_from_facts([("survey.nps.all.n", 3, "A1", None),
                                   ("survey.nps.all.n", 4, "A1", None)])


def test_streamed_names_make_the_same_tables_and_out_of_order_is_refused():
    import numpy as np

    from kamscore.facts.survey_results_from_facts import results_from_ranks

    accounts = np.array(["A1", "A2"], dtype=object)
    people = np.array(["K1"], dtype=object)
    columns = {
        "survey.csat.all.count.4": ([2.0, 1.0], np.array([0, 1]), np.array([-1, -1])),
        "survey.csat.all.count.5": ([1.0, 3.0], np.array([0, 1]), np.array([-1, -1])),
        "survey.collab.others.n": ([6.0], np.array([-1]), np.array([0])),
        "survey.collab.others.mean": ([4.5], np.array([-1]), np.array([0])),
    }
    whole = results_from_ranks(columns, accounts, people)
    streamed = results_from_ranks(iter(sorted(columns.items())), accounts, people,
                                  names=list(columns))
    assert list(streamed._tables) == list(whole._tables)  # the same tables, in the same order
    for key, table in whole._tables.items():
        other = streamed._tables[key]
        assert table.subjects.tolist() == other.subjects.tolist()
        assert table.n.tolist() == other.n.tolist()
        np.testing.assert_array_equal(table.mean, other.mean)
        assert table.counts.tolist() == other.counts.tolist()
    shuffled = iter([(n, columns[n]) for n in ("survey.collab.others.n",  # its last name
                                                "survey.collab.others.mean")])
    with pytest.raises(ValueError, match="after its measure's last name"):
        results_from_ranks(shuffled, accounts, people, names=list(columns))
