"""Checks of single values in a survey definition (keys, ids, booleans, numbers, texts in
every language), for the definition checker (see ``definition_check``): each records a
problem at its key path and returns a best guess, so that checking carries on.
"""

from __future__ import annotations

import re
from typing import Any

from kamscore.content.yaml_source import KeyPath, YamlSource
from kamscore.surveys.definition import ID_PATTERN, PLACEHOLDERS, Text

PLACEHOLDER_PATTERN = re.compile(r"\{([^{}]*)\}")


def or_list(values: Any) -> str:
    values = [str(v) for v in values]
    return ", ".join(values[:-1]) + f" or {values[-1]}" if len(values) > 1 else values[0]


def and_list(values: Any) -> str:
    values = [str(v) for v in values]
    return ", ".join(values[:-1]) + f" and {values[-1]}" if len(values) > 1 else values[0]


class ValueChecks:
    """Mixed into the checker, which sets the attributes below."""

    src: YamlSource
    languages: tuple[str, ...]
    kind: str

    def _keys(self, path: KeyPath, data: dict[str, Any], allowed: tuple[str, ...],
              required: tuple[str, ...] | list[str] = (), type_name: str | None = None) -> None:
        for key in data:
            if key not in allowed:
                where = f" for a {type_name} question" if type_name else ""
                self.src.problem((*path, key), f"unknown key {key!r}{where}; expected one of "
                                 f"{or_list(allowed)}")
        for key in required:
            if key not in data:
                self.src.problem(path, f"missing '{key}'")

    def _id(self, path: KeyPath, value: Any, what: str = "id") -> str:
        if value is None:
            return ""
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.src.problem(path, f"{what} {value!r} must be lower-case letters, digits and _, "
                             "starting with a letter (at most 60)")
            return str(value)
        return value

    def _bool(self, path: KeyPath, value: Any, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.src.problem(path, f"true or false, not {value!r}")
            return default
        return value

    def _int(self, path: KeyPath, value: Any, default: Any, low: int, high: int) -> Any:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.src.problem(path, f"a whole number from {low} to {high}, not {value!r}")
            return default
        return value

    def _text(self, path: KeyPath, value: Any) -> Text | None:
        if value is None:
            return None  # a missing required key is reported by _keys
        if not isinstance(value, dict):
            self.src.problem(path, f"a text in every language ({and_list(self.languages)}), e.g. "
                             "{en: ..., zh-Hant: ...}")
            return None
        texts = {}
        for language, text in value.items():
            if language not in self.languages:
                self.src.problem((*path, language), f"language {language!r} is not in "
                                 f"'languages' ({and_list(self.languages)})")
                continue
            if not isinstance(text, str) or not text.strip():
                hint = " (quote a text that starts with {, e.g. \"{subject} ...\")" if (
                    isinstance(text, dict)) else ""
                self.src.problem((*path, language), f"a non-empty text{hint}")
                continue
            for name in PLACEHOLDER_PATTERN.findall(text):
                if name not in PLACEHOLDERS:
                    usable = and_list("{" + p + "}" for p in PLACEHOLDERS)
                    self.src.problem((*path, language), f"unknown placeholder {{{name}}}; "
                                     f"texts may use {usable}")
            texts[language] = text.strip()
        missing = [lang for lang in self.languages if lang not in value]
        if missing:
            self.src.problem(path, f"missing the {and_list(missing)} text")
        return Text(texts) if "en" in texts else None

    def _self_text(self, path: KeyPath, value: Any) -> Text | None:
        if value is not None and self.kind != "internal_360":
            self.src.problem(path, "self_text is only used in internal_360 surveys (for the "
                             "KAM's self-rating)")
        return self._text(path, value)

