"""Validation: every malformed ruleset or formula gets its problem at file, line and key path.

The cases are in malformed_cases.py (one expected problem line each). None may raise an
unhandled exception. How fast each is refused (the criterion: under a second) is measured by
``benchmarks/ruleset_check.py``, not asserted here: a timed test fails on a busy machine.
"""

from __future__ import annotations

import pytest
from conftest import CATALOGUE, FUNCTIONS, HEAD, load
from malformed_cases import CASES, SALES, F

from kamscore.content.yaml_source import SourceError
from kamscore.engine.loader import check_ruleset, load_ruleset


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30
    assert len({case_id for case_id, _text, _expected in CASES}) == len(CASES)


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _i, t, e in CASES],
                         ids=[i for i, _t, _e in CASES])
def test_a_malformed_ruleset_is_refused_with_file_line_and_key_path(text, expected):
    problems = check_ruleset(text, F, CATALOGUE, FUNCTIONS)
    assert expected in [str(p) for p in problems]
    with pytest.raises(SourceError) as raised:
        load_ruleset(text, F, CATALOGUE, FUNCTIONS)
    assert expected in str(raised.value).splitlines()


def test_every_problem_is_reported_at_once():
    text = HEAD.replace("quarter", "quartr") + """\
components:
  - id: sales
    metric: sales_atainment
    weight: 60
    curve:
      points:
        - {at: 1.0, pays: 1}
        - {at: 0.9, pays: 1.5}
  - id: csat
    metric: csat
    weight: 30
    formula: "valeu"
gates:
  - id: g
    component: nps
    at_least: 20
"""
    problems = [str(p) for p in check_ruleset(text, F, CATALOGUE, FUNCTIONS)]
    assert [p.split(": ")[0] for p in problems] == [
        f"{F}:3", f"{F}:6", f"{F}:8", f"{F}:13", f"{F}:17", f"{F}:20"]
    assert "period" in problems[0] and "weights add up to 90 %" in problems[1]
    assert "sales_atainment" in problems[2] and "increasing order" in problems[3]
    assert "valeu" in problems[4] and "'nps'" in problems[5]


@pytest.mark.parametrize(("text", "expected"), [
    ("", f"{F}: (document): expected a ruleset (a mapping), found nothing"),
    ("- a\n- b\n", f"{F}:1: (document): expected a ruleset (a mapping), found a list"),
    (HEAD + "components: []\n",
     f"{F}:6: components: expected a list of components, found an empty list"),
])
def test_documents_that_are_not_rulesets(text, expected):
    assert [str(p) for p in check_ruleset(text, F, CATALOGUE, FUNCTIONS)] == [expected]


def test_an_alias_bomb_is_refused_without_being_expanded():
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
              for i in range(1, 12)]
    problems = check_ruleset("\n".join(lines) + "\n", F, CATALOGUE, FUNCTIONS)
    assert [p.line for p in problems] == [1]
    assert "anchors and aliases" in problems[0].message


def test_a_valid_ruleset_loads():
    ruleset = load(HEAD + SALES)
    assert ruleset.name == "test"
    assert [c.id for c in ruleset.components] == ["sales"]
    assert ruleset.components[0].scoring.weight == 1.0
