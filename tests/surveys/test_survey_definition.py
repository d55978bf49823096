"""Survey definitions: the shipped files are valid; malformed ones are reported with file,
line and key path, every problem at once."""

from __future__ import annotations

import textwrap

import pytest

from kamscore.content.bundled import bundled_files
from kamscore.content.yaml_source import SourceError
from kamscore.surveys.definition import (
    REQUIRED_LANGUAGES,
    Condition,
    load_definition_file,
    parse_definition,
)

VALID = """\
key: mini
kind: customer
title: {en: Mini, zh-Hant: 迷你問卷}
scales:
  rq: {en: Relationship, zh-Hant: 關係}
sections:
  - id: first
    title: {en: First, zh-Hant: 第一頁}
    questions:
      - id: sat
        type: rating
        scale: 1-5
        required: true
        text: {en: Satisfied, zh-Hant: 滿意嗎}
      - id: rel
        type: matrix
        scale: 1-5
        tags: [rq]
        text: {en: Agree, zh-Hant: 同意嗎}
        items:
          - id: a
            text: {en: A, zh-Hant: 甲}
          - id: b
            text: {en: B, zh-Hant: 乙}
  - id: second
    title: {en: Second, zh-Hant: 第二頁}
    questions:
      - id: why
        type: text
        show_if: {question: sat, at_most: 2}
        text: {en: Why, zh-Hant: 為什麼}
"""


def problems_of(text: str, filename: str = "bad.yaml") -> list[tuple[int | None, str, str]]:
    with pytest.raises(SourceError) as info:
        parse_definition(textwrap.dedent(text), filename)
    assert all(p.file == filename for p in info.value.problems)
    return [(p.line, p.path, p.message) for p in info.value.problems]


def replaced(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


def test_the_minimal_definition_is_valid():
    definition = parse_definition(VALID, "mini.yaml")
    assert [s.id for s in definition.sections] == ["first", "second"]
    assert definition.scale_items("rq") == ["rel.a", "rel.b"]
    why = definition.sections[1].questions[0]
    assert why.show_if == (Condition("sat", "at_most", 2),)
    assert definition.shown_sections({"sat": 5})[1].shown_questions({"sat": 5}) == []
    assert definition.sections[1].shown_questions({"sat": 1}) == [why]


@pytest.mark.parametrize("path", bundled_files("surveys", "*.yaml"), ids=lambda p: p.name)
def test_shipped_definitions_are_valid_in_both_languages(path):
    definition = load_definition_file(path)
    assert set(REQUIRED_LANGUAGES) <= set(definition.languages)
    for question in definition.questions():
        for language in REQUIRED_LANGUAGES:
            assert question.text.by_language[language].strip()
    zh = definition.title.by_language["zh-Hant"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)  # real Chinese, not a copy


def test_customer_and_360_files_have_the_expected_scales():
    csat = load_definition_file(bundled_files("surveys", "customer_satisfaction.yaml")[0])
    assert csat.kind == "customer"
    assert {"relationship_quality", "value_of_services"} <= set(csat.scales)
    assert {q.type for q in csat.questions()} >= {"rating", "nps", "matrix", "text"}
    three_sixty = load_definition_file(bundled_files("surveys", "internal_360.yaml")[0])
    assert three_sixty.kind == "internal_360" and three_sixty.anonymous
    assert set(three_sixty.scales) == {"collaboration", "communication", "customer_focus",
                                       "shared_goals"}
    assert all(q.self_text is not None for q in three_sixty.questions())


def test_unknown_question_type():
    assert (11, "sections[0].questions[0].type",
            "unknown question type 'ratng'; expected one of rating, nps, single_choice, "
            "multiple_choice, matrix, yes_no or text") in problems_of(
        replaced("type: rating", "type: ratng"))


def test_missing_translation():
    found = problems_of(replaced("text: {en: Satisfied, zh-Hant: 滿意嗎}",
                                 "text: {en: Satisfied}"))
    assert found == [(14, "sections[0].questions[0].text", "missing the zh-Hant text")]


def test_unknown_rating_scale():
    found = problems_of(replaced("scale: 1-5\n        required", "scale: 1-6\n        required"))
    assert found == [(12, "sections[0].questions[0].scale",
                      "unknown scale '1-6'; expected one of 1-5, 1-7 or 0-10")]


def test_duplicate_question_id():
    found = problems_of(replaced("- id: why", "- id: sat"))
    assert found == [(28, "sections[1].questions[0].id", "question id 'sat' is used twice")]


def test_condition_on_a_later_or_same_page_question():
    found = problems_of(replaced("tags: [rq]\n", "tags: [rq]\n        show_if: {question: "
                                                  "sat, equals: 3}\n"))
    assert found == [(19, "sections[0].questions[1].show_if.question",
                      "'sat' is on the same page; a condition may only use answers from "
                      "earlier pages (pages work without JavaScript)")]
    found = problems_of(replaced("required: true\n", "required: true\n        show_if: "
                                                      "{question: rel.a, equals: 3}\n"))
    assert found == [(14, "sections[0].questions[0].show_if.question",
                      "no earlier question 'rel.a'")]
    found = problems_of(replaced("question: sat", "question: rel"))
    assert found == [(30, "sections[1].questions[0].show_if.question",
                      "'rel' is a matrix; refer to one of its rows, e.g. rel.<row>")]


def test_condition_value_outside_the_scale_and_unknown_question():
    found = problems_of(replaced("show_if: {question: sat, at_most: 2}",
                                 "show_if: [{question: sat, at_most: 9}, {question: nope, "
                                 "answered: true}]"))
    assert found == [
        (30, "sections[1].questions[0].show_if[0].at_most", "9 is not a point of the scale 1-5"),
        (30, "sections[1].questions[0].show_if[1].question", "no earlier question 'nope'"),
    ]


def test_undeclared_scale_tag():
    found = problems_of(replaced("tags: [rq]", "tags: [rq, trust]"))
    assert found == [(18, "sections[0].questions[1].tags[1]",
                      "scale 'trust' is not declared under 'scales'")]


def test_unknown_key_is_a_typo_not_ignored():
    found = problems_of(replaced("required: true", "requird: true"))
    assert found[0][:2] == (13, "sections[0].questions[0].requird")
    assert found[0][2].startswith("unknown key 'requird' for a rating question; expected one of")


def test_bad_id_and_yaml_boolean_trap():
    found = problems_of(replaced("- id: a\n", "- id: yes\n"))
    assert found == [(21, "sections[0].questions[1].items[0].id",
                      "id True must be lower-case letters, digits and _, starting with a "
                      "letter (at most 60)")]


def test_duplicate_key_in_yaml():
    found = problems_of(replaced("kind: customer\n", "kind: customer\nkind: internal_360\n"))
    assert (3, "kind", "duplicate key 'kind' (first given on line 2)") in found


def test_360_cannot_be_named_and_self_text_only_for_360():
    found = problems_of(replaced("kind: customer\n", "kind: internal_360\nanonymous: false\n"))
    assert found == [(3, "anonymous", "360° surveys are always anonymous; remove "
                                      "'anonymous: false'")]
    found = problems_of(replaced("text: {en: Why, zh-Hant: 為什麼}",
                                 "text: {en: Why, zh-Hant: 為什麼}\n"
                                 "        self_text: {en: Me, zh-Hant: 我}"))
    assert found == [(32, "sections[1].questions[0].self_text",
                      "self_text is only used in internal_360 surveys (for the KAM's "
                      "self-rating)")]


def test_unquoted_placeholder_gets_a_hint_and_unknown_placeholder():
    found = problems_of(replaced("title: {en: Mini, zh-Hant: 迷你問卷}",
                                 "title:\n  en: About {kam}\n  zh-Hant: {subject}"))
    assert found == [
        (4, "title.en", "unknown placeholder {kam}; texts may use {subject}"),
        (5, "title.zh-Hant", 'a non-empty text (quote a text that starts with {, e.g. '
                             '"{subject} ...")'),
    ]


def test_scale_with_one_item_and_mixed_ranges():
    text = replaced("tags: [rq]", "tags: []").replace(
        "        required: true\n        text: {en: Satisfied",
        "        required: true\n        tags: [rq]\n        text: {en: Satisfied", 1)
    assert problems_of(text) == [(5, "scales.rq", "scale 'rq' has 1 item(s); a scale needs at "
                                 "least two (tag rating questions or matrix rows with it)")]
    text = replaced("scale: 1-5\n        tags: [rq]", "scale: 1-7\n        tags: [rq]").replace(
        "        required: true\n        text: {en: Satisfied",
        "        required: true\n        tags: [rq]\n        text: {en: Satisfied", 1)
    assert problems_of(text) == [(19, "sections[0].questions[1].tags[0]",
                                  "the items of scale 'rq' use different ranges (1-5 and 1-7); "
                                  "a scale needs one range")]


def test_yaml_syntax_error_has_its_line():
    found = problems_of("key: x\nsections: [\n  - a\n")
    assert len(found) == 1 and found[0][0] == 3 and found[0][1] == "(document)"
    assert found[0][2].startswith("YAML syntax:")


def test_every_problem_is_reported_at_once():
    text = (VALID.replace("type: rating", "type: ratng")
            .replace("scale: 1-5\n        tags", "scale: 2-9\n        tags")
            .replace("{en: Why, zh-Hant: 為什麼}", "{en: Why}")
            )
    found = problems_of(text)
    paths = [path for _, path, _ in found]
    assert paths == ["sections[0].questions[0].type", "sections[0].questions[1].scale",
                     "sections[1].questions[0].text"]
    assert [line for line, _, _ in found] == [11, 17, 31]


def test_choice_questions_are_checked():
    text = replaced("      - id: why\n", """\
      - id: pick
        type: multiple_choice
        min_choices: 2
        max_choices: 1
        text: {en: Pick, zh-Hant: 選擇}
        options:
          - {id: one, text: {en: One, zh-Hant: 一}}
          - {id: one, text: {en: Two, zh-Hant: 二}, value: high}
      - id: why
""")
    assert problems_of(text) == [
        (31, "sections[1].questions[0].max_choices", "max_choices (1) is below min_choices (2)"),
        (35, "sections[1].questions[0].options[1].id", "option id 'one' is used twice"),
        (35, "sections[1].questions[0].options[1].value", "a number, not 'high'"),
    ]


def test_cli_check_lists_problems_with_file_and_line(runner, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(VALID, encoding="utf-8")
    result = runner.invoke(args=["survey", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert "ok — mini (customer, 2 pages, 3 questions" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(VALID.replace("type: rating", "type: ratng").replace("{en: Why, ",
                                                                       "{"), encoding="utf-8")
    result = runner.invoke(args=["survey", "check", str(good), str(bad)])
    assert result.exit_code == 1
    assert "2 problem(s)" in result.output
    assert f"{bad}:11: sections[0].questions[0].type: unknown question type 'ratng'" in (
        result.output)
    assert f"{bad}:31: sections[1].questions[0].text: missing the en text" in result.output
