"""A sentence for a person, kept as its English template and its values.

Code below the services (the engine, the import checks, a worker) cannot know the reader's
language, and what it writes may be stored and shown later to someone else (an import's
errors are kept with its job and read in the browser). It writes a :class:`Sentence`
instead of a finished text: ``N_("overlaps period %(other)s", other=code)``. ``str()`` of it
is the English text (the CLI, the logs, the API's ``message``); the web layer shows it in
the reader's language with ``kamscore.texts.translated`` (the template is the catalogue's
message id: ``pybabel extract`` finds ``N_`` by default). Stored, it is
``{"id": template, "values": {...}}`` (:meth:`Sentence.as_dict`, :meth:`Sentence.from_dict`).

This module imports nothing of kamscore or Flask, so any layer may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sentence:
    """``template`` with ``%(name)s`` placeholders, and the ``values`` that fill them.

    Values are plain data (text, numbers); a value that itself needs translating is a
    :class:`Sentence` and is translated with the sentence.
    """

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.values:
            return self.template
        return self.template % {key: str(value) if isinstance(value, Sentence) else value
                                for key, value in self.values.items()}

    def __hash__(self) -> int:
        return hash((self.template, tuple(sorted((k, repr(v)) for k, v in self.values.items()))))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Sentence):
            return NotImplemented
        return str(self) < str(other)

    def as_dict(self) -> dict[str, Any]:
        """The stored form: ``{"id": template, "values": {...}}`` (JSON-ready when the
        values are)."""
        return {"id": self.template,
                "values": {key: value.as_dict() if isinstance(value, Sentence) else value
                           for key, value in self.values.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | str) -> Sentence:
        """The inverse of :meth:`as_dict`; a plain text (stored before sentences existed)
        becomes a sentence without values, shown as it is."""
        if isinstance(data, str):
            return cls(data)
        values = {key: cls.from_dict(value) if isinstance(value, Mapping) else value
                  for key, value in (data.get("values") or {}).items()}
        return cls(str(data["id"]), values)


def N_(template: str, **values: Any) -> Sentence:
    """A sentence to be translated when it is shown (marked for ``pybabel extract``)."""
    return Sentence(template, values)


__all__ = ["N_", "Sentence"]
