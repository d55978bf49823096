"""Validation of survey definitions: YAML → ``SurveyDefinition``, every problem at once.

Each check records a ``Problem`` at the key path it is about (``YamlSource.problem``) and
carries on with a best guess, so that one run reports everything there is to fix. Nothing is
returned while a single problem remains.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kamscore.content.yaml_source import KeyPath, YamlSource, load_yaml
from kamscore.surveys.definition import (
    NPS_RANGE,
    QUESTION_TYPES,
    RATING_SCALES,
    REQUIRED_LANGUAGES,
    MatrixItem,
    Option,
    Question,
    Section,
    SurveyDefinition,
    Text,
    checksum,
)
from kamscore.surveys.definition_conditions import ConditionChecks
from kamscore.surveys.definition_values import and_list, or_list

KINDS = ("customer", "internal_360")
TOP_KEYS = ("key", "kind", "anonymous", "languages", "title", "intro", "thanks", "scales",
            "sections")
SECTION_KEYS = ("id", "title", "description", "show_if", "questions")
QUESTION_KEYS = ("id", "type", "text", "self_text", "help", "required", "show_if")
TYPE_KEYS = {
    "rating": ("scale", "anchors", "allow_na", "tags"),
    "nps": ("anchors",),
    "single_choice": ("options",),
    "multiple_choice": ("options", "min_choices", "max_choices"),
    "matrix": ("scale", "anchors", "allow_na", "items", "tags"),
    "yes_no": (),
    "text": ("max_length", "multiline"),
}
OPTION_KEYS = ("id", "text", "value")
ITEM_KEYS = ("id", "text", "self_text", "tags")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
MAX_TEXT_LENGTH = 10_000


def check_definition(text: str, filename: str, *, aliases: bool = False) -> SurveyDefinition:
    source = load_yaml(text, filename, aliases=aliases, kind="survey definitions")
    definition = _Checker(source).definition()
    source.raise_if_problems()
    return _with_origin(definition, filename, checksum(text))


def _with_origin(definition: SurveyDefinition, filename: str, digest: str) -> SurveyDefinition:
    from dataclasses import replace

    return replace(definition, filename=filename, checksum=digest)


class _Checker(ConditionChecks):
    def __init__(self, source: YamlSource) -> None:
        self.src = source
        self.languages: tuple[str, ...] = REQUIRED_LANGUAGES
        self.kind = "customer"
        # answer item id → (section index, question), filled section by section
        self.items: dict[str, tuple[int, Question]] = {}
        self.questions: dict[str, tuple[int, Question]] = {}
        self.untyped: set[str] = set()  # questions of unknown type: conditions unchecked
        self.tag_uses: dict[str, list[tuple[KeyPath, str, tuple[int, int] | None]]] = {}

    # --- the document -----------------------------------------------------------------
    def definition(self) -> SurveyDefinition:
        data = self.src.data
        if not isinstance(data, dict):
            self.src.problem((), "a survey definition is a mapping (key: value lines)")
            data = {}
        self._keys((), data, TOP_KEYS, required=("key", "kind", "title", "sections"))
        key = self._id(("key",), data.get("key"))
        kind = data.get("kind")
        if kind not in KINDS:
            if "kind" in data:
                self.src.problem(("kind",),
                                 f"unknown kind {kind!r}; expected one of {or_list(KINDS)}")
            kind = "customer"
        self.kind = kind
        anonymous = self._bool(("anonymous",), data.get("anonymous"), kind == "internal_360")
        if kind == "internal_360" and not anonymous:
            self.src.problem(("anonymous",), "360° surveys are always anonymous; remove "
                             "'anonymous: false'")
        self.languages = self._languages(data.get("languages"))
        title = self._text(("title",), data.get("title"))
        intro = self._text(("intro",), data.get("intro"))
        thanks = self._text(("thanks",), data.get("thanks"))
        scales = self._scales(data.get("scales"))
        sections = self._sections(data.get("sections"))
        self._check_scales(scales)
        return SurveyDefinition(
            key=key, kind=kind, anonymous=anonymous, languages=self.languages,
            title=title or _BLANK, sections=tuple(sections), scales=scales,
            intro=intro, thanks=thanks,
        )

    def _languages(self, value: Any) -> tuple[str, ...]:
        path: KeyPath = ("languages",)
        if value is None:
            return REQUIRED_LANGUAGES
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.src.problem(path, "a list of language tags, e.g. [en, zh-Hant]")
            return REQUIRED_LANGUAGES
        for index, tag in enumerate(value):
            if not LANGUAGE_PATTERN.match(tag):
                self.src.problem((*path, index), f"{tag!r} is not a language tag like zh-Hant")
            if value.index(tag) != index:
                self.src.problem((*path, index), f"{tag!r} is listed twice")
        missing = [lang for lang in REQUIRED_LANGUAGES if lang not in value]
        if missing:
            self.src.problem(path, f"must include {and_list(missing)} (every survey is offered in "
                             f"{and_list(REQUIRED_LANGUAGES)})")
        return tuple(dict.fromkeys([*REQUIRED_LANGUAGES, *value]))

    def _scales(self, value: Any) -> dict[str, Text]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.src.problem(("scales",), "a mapping of scale tag → its name in each language")
            return {}
        scales = {}
        for tag, name in value.items():
            if self._id(("scales", tag), tag, what="scale tag"):
                scales[tag] = self._text(("scales", tag), name) or _BLANK
        return scales

    # --- sections and questions ---------------------------------------------------------
    def _sections(self, value: Any) -> list[Section]:
        if not isinstance(value, list) or not value:
            if value is not None:
                self.src.problem(("sections",), "a list of sections (at least one)")
            return []
        sections, seen = [], set()
        for index, data in enumerate(value):
            path: KeyPath = ("sections", index)
            if not isinstance(data, dict):
                self.src.problem(path, "a section is a mapping with id, title and questions")
                continue
            self._keys(path, data, SECTION_KEYS, required=("id", "title", "questions"))
            section_id = self._id((*path, "id"), data.get("id"))
            if section_id in seen:
                self.src.problem((*path, "id"), f"section id {section_id!r} is used twice")
            seen.add(section_id)
            show_if = self._conditions((*path, "show_if"), data.get("show_if"), index)
            questions = self._questions((*path, "questions"), data.get("questions"), index)
            sections.append(Section(
                id=section_id, title=self._text((*path, "title"), data.get("title")) or _BLANK,
                description=self._text((*path, "description"), data.get("description")),
                questions=tuple(questions), show_if=show_if,
            ))
        return sections

    def _questions(self, path: KeyPath, value: Any, section: int) -> list[Question]:
        if not isinstance(value, list) or not value:
            if value is not None:
                self.src.problem(path, "a list of questions (at least one)")
            return []
        questions = []
        for index, data in enumerate(value):
            question = self._question((*path, index), data, section)
            if question is None:
                continue
            questions.append(question)
            if question.id in self.questions:
                self.src.problem((*path, index, "id"),
                                 f"question id {question.id!r} is used twice")
                continue
            self.questions[question.id] = (section, question)
            for item in question.answer_items():
                self.items[item] = (section, question)
        return questions

    def _question(self, path: KeyPath, data: Any, section: int) -> Question | None:
        if not isinstance(data, dict):
            self.src.problem(path, "a question is a mapping with id, type and text")
            return None
        qtype = data.get("type")
        if qtype not in QUESTION_TYPES:
            message = "missing" if qtype is None else f"unknown question type {qtype!r}"
            self.src.problem((*path, "type"),
                             f"{message}; expected one of {or_list(QUESTION_TYPES)}")
            self._keys(path, data, (*QUESTION_KEYS, *{k for v in TYPE_KEYS.values() for k in v}),
                       required=("id", "text"))
            qtype = None
            if isinstance(data.get("id"), str):
                self.untyped.add(data["id"])
        else:
            required = ["id", "text"]
            if qtype in ("rating", "matrix"):
                required.append("scale")
            if qtype in ("single_choice", "multiple_choice"):
                required.append("options")
            if qtype == "matrix":
                required.append("items")
            self._keys(path, data, (*QUESTION_KEYS, *TYPE_KEYS[qtype]), required=required,
                       type_name=qtype)
        question_id = self._id((*path, "id"), data.get("id"))
        fields: dict[str, Any] = {
            "id": question_id,
            "type": qtype or "text",
            "text": self._text((*path, "text"), data.get("text")) or _BLANK,
            "self_text": self._self_text((*path, "self_text"), data.get("self_text")),
            "help": self._text((*path, "help"), data.get("help")),
            "required": self._bool((*path, "required"), data.get("required"), False),
            "show_if": self._conditions((*path, "show_if"), data.get("show_if"), section),
        }
        if qtype in ("rating", "matrix"):
            fields["scale_min"], fields["scale_max"] = self._scale((*path, "scale"),
                                                                   data.get("scale"))
            fields["allow_na"] = self._bool((*path, "allow_na"), data.get("allow_na"), False)
        if qtype == "nps":
            fields["scale_min"], fields["scale_max"] = NPS_RANGE
        if qtype in ("rating", "matrix", "nps"):
            fields["anchors"] = self._anchors((*path, "anchors"), data.get("anchors"),
                                              fields["scale_min"], fields["scale_max"])
        if qtype in ("rating", "matrix"):
            fields["tags"] = self._tags((*path, "tags"), data.get("tags"),
                                        (fields["scale_min"], fields["scale_max"]))
        if qtype in ("single_choice", "multiple_choice"):
            fields["options"] = self._options((*path, "options"), data.get("options"))
        if qtype == "multiple_choice":
            self._choices(path, data, fields)
        if qtype == "matrix":
            fields["items"] = self._items((*path, "items"), data.get("items"),
                                          (fields["scale_min"], fields["scale_max"]))
        if qtype == "text":
            fields["max_length"] = self._int((*path, "max_length"), data.get("max_length"),
                                             2000, 1, MAX_TEXT_LENGTH)
            fields["multiline"] = self._bool((*path, "multiline"), data.get("multiline"), True)
        return Question(**fields)

    def _scale(self, path: KeyPath, value: Any) -> tuple[int, int]:
        if value is None:
            return RATING_SCALES["1-5"]
        if value not in RATING_SCALES:
            self.src.problem(path, f"unknown scale {value!r}; expected one of "
                             f"{or_list(RATING_SCALES)}")
            return RATING_SCALES["1-5"]
        return RATING_SCALES[value]

    def _anchors(self, path: KeyPath, value: Any, low: int, high: int) -> dict[int, Text]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.src.problem(path, "a mapping of scale point → label, e.g. {1: ..., 5: ...}")
            return {}
        anchors = {}
        for point, label in value.items():
            if isinstance(point, bool) or not isinstance(point, int) or not low <= point <= high:
                self.src.problem((*path, point), f"{point!r} is not a point of the scale "
                                 f"{low}-{high}")
                continue
            anchors[point] = self._text((*path, point), label) or _BLANK
        return anchors

    def _options(self, path: KeyPath, value: Any) -> tuple[Option, ...]:
        if not isinstance(value, list) or len(value) < 2:
            if value is not None:
                self.src.problem(path, "a list of at least two options")
            return ()
        options, seen = [], set()
        for index, data in enumerate(value):
            opath = (*path, index)
            if not isinstance(data, dict):
                self.src.problem(opath, "an option is a mapping with id and text")
                continue
            self._keys(opath, data, OPTION_KEYS, required=("id", "text"))
            option_id = self._id((*opath, "id"), data.get("id"))
            if option_id in seen:
                self.src.problem((*opath, "id"), f"option id {option_id!r} is used twice")
            seen.add(option_id)
            score = data.get("value")
            if score is not None and (isinstance(score, bool) or
                                      not isinstance(score, int | float)):
                self.src.problem((*opath, "value"), f"a number, not {score!r}")
                score = None
            options.append(Option(option_id, self._text((*opath, "text"), data.get("text"))
                                  or _BLANK, None if score is None else float(score)))
        return tuple(options)

    def _choices(self, path: KeyPath, data: dict[str, Any], fields: dict[str, Any]) -> None:
        count = len(fields["options"]) or 2
        low = self._int((*path, "min_choices"), data.get("min_choices"), 0, 0, count)
        high = self._int((*path, "max_choices"), data.get("max_choices"), None, 1, count)
        if high is not None and low > high:
            self.src.problem((*path, "max_choices"), f"max_choices ({high}) is below "
                             f"min_choices ({low})")
        fields["min_choices"], fields["max_choices"] = low, high

    def _items(self, path: KeyPath, value: Any, scale: tuple[int, int]) -> tuple[MatrixItem, ...]:
        if not isinstance(value, list) or len(value) < 2:
            if value is not None:
                self.src.problem(path, "a list of at least two items (for one item, use a "
                                 "rating question)")
            return ()
        items, seen = [], set()
        for index, data in enumerate(value):
            ipath = (*path, index)
            if not isinstance(data, dict):
                self.src.problem(ipath, "a matrix item is a mapping with id and text")
                continue
            self._keys(ipath, data, ITEM_KEYS, required=("id", "text"))
            item_id = self._id((*ipath, "id"), data.get("id"))
            if item_id in seen:
                self.src.problem((*ipath, "id"), f"item id {item_id!r} is used twice")
            seen.add(item_id)
            items.append(MatrixItem(
                id=item_id, text=self._text((*ipath, "text"), data.get("text")) or _BLANK,
                self_text=self._self_text((*ipath, "self_text"), data.get("self_text")),
                tags=self._tags((*ipath, "tags"), data.get("tags"), scale),
            ))
        return tuple(items)

    # --- scales (tags) -----------------------------------------------------------------
    def _tags(self, path: KeyPath, value: Any, scale: tuple[int, int]) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            self.src.problem(path, "a list of scale tags, e.g. [relationship_quality]")
            return ()
        for index, tag in enumerate(value):
            self.tag_uses.setdefault(tag, []).append(((*path, index), tag, scale))
        return tuple(value)

    def _check_scales(self, scales: Mapping[str, Text]) -> None:
        for tag, uses in self.tag_uses.items():
            if tag not in scales:
                for path, _, _ in uses:
                    self.src.problem(path, f"scale {tag!r} is not declared under 'scales'")
                continue
            ranges = {scale for _, _, scale in uses}
            if len(ranges) > 1:
                shown = and_list(f"{lo}-{hi}" for lo, hi in sorted(ranges))
                self.src.problem(uses[-1][0], f"the items of scale {tag!r} use different "
                                 f"ranges ({shown}); a scale needs one range")
        for tag in scales:
            # items of a tagged matrix count once per row
            count = sum(1 for _ in self._scale_item_count(tag))
            if count < 2:
                self.src.problem(("scales", tag), f"scale {tag!r} has {count} item(s); a "
                                 "scale needs at least two (tag rating questions or matrix "
                                 "rows with it)")

    def _scale_item_count(self, tag: str):  # type: ignore[no-untyped-def]
        for _, question in self.questions.values():
            if question.type == "matrix":
                for item in question.items:
                    if tag in question.tags or tag in item.tags:
                        yield item.id
            elif tag in question.tags:
                yield question.id


_BLANK = Text({"en": ""})
