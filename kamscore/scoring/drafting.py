"""Writing ruleset drafts in the browser: the check run as the text is typed, work in
progress, and the comparisons and listings the ruleset pages show.

- ``check_source`` validates text exactly as an import would (``lifecycle.parse_source``) and
  answers every problem with its line, key path and message, and, when the text validates,
  what it changes against the published version of its name, in plan terms;
- *work in progress* (``RulesetWorkInProgress``) is text kept by its author before it
  validates: editable, seen by him only, never a version. ``promote_work_in_progress`` turns
  it into a draft version (``lifecycle.import_ruleset``: validated, audited) and deletes it,
  in one transaction;
- ``comparison_for`` picks what a version is compared with by default: the published version
  of its name, or, for the published version itself, the version before it;
- ``overview`` lists every ruleset with its versions, newest first.

Nothing here imports Flask; every function that writes commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.models import RulesetStatus, RulesetVersion, RulesetWorkInProgress, User
from kamscore.models.types import utcnow
from kamscore.scoring import lifecycle
from kamscore.scoring.diff import Change, diff_rulesets
from kamscore.scoring.errors import InvalidInputError, NotFoundError
from kamscore.sentences import Sentence
from kamscore.texts import translated

#: The longest ruleset text taken (characters); the shipped plans are a few thousand.
MAX_SOURCE = 500_000
DEFAULT_FILENAME = "ruleset.yaml"
_ENGLISH_TITLE = re.compile(r"\{\s*en:\s*[\"']?([^,}\"']+)")
_NAME_LINE = re.compile(r"^(name|title):\s*[\"']?([^\"'#\n]+?)[\"']?\s*(?:#.*)?$", re.MULTILINE)


@dataclass(frozen=True)
class LineProblem:
    """One problem of a text, where the editor shows it: ``12: components[0].metric: ...``."""

    line: int | None
    path: str
    message: str
    #: the message as a page shows it, through ``kamscore.texts.translated`` (a sentence, or
    #: the plain ``message``)
    said: Sentence | str | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.line}: {self.path}: {self.message}" if self.line else (
            f"{self.path}: {self.message}")

    @classmethod
    def of(cls, problem: Any) -> LineProblem:
        """The editor's view of a source problem (``kamscore.content.yaml_source.Problem``)."""
        return cls(problem.line, problem.path, problem.message,
                   getattr(problem, "said", problem.message))

    def in_language(self) -> str:
        """``message`` in the reader's language."""
        return translated(self.said if self.said is not None else self.message)

    def as_shown(self) -> dict[str, Any]:
        """``as_dict`` with the message in the reader's language (the editor's check)."""
        message = self.in_language()
        return {**self.as_dict(), "message": message,
                "text": f"{self.line}: {self.path}: {message}" if self.line else
                f"{self.path}: {message}"}

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "path": self.path, "message": self.message,
                "text": str(self)}


@dataclass(frozen=True)
class SourceCheck:
    """What ``check_source`` found."""

    problems: list[LineProblem]
    name: str | None = None
    title: str | None = None
    #: the version the text was compared with (the published one of its name), and the changes
    compared_with: RulesetVersion | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "problems": [p.as_dict() for p in self.problems],
            "name": self.name, "title": self.title,
            "compared_with": self.compared_with.label if self.compared_with else None,
            "changes": [c.as_dict() for c in self.changes],
        }


def _limit(source: str) -> None:
    if len(source) > MAX_SOURCE:
        raise InvalidInputError(f"a ruleset is at most {MAX_SOURCE:,} characters; this text "
                                f"has {len(source):,}", field="source")


def check_source(session: Session, pm: Any, source: str,
                 filename: str = DEFAULT_FILENAME) -> SourceCheck:
    """Validate ``source`` as an import would; never writes."""
    _limit(source)
    try:
        ruleset = lifecycle.parse_source(source, filename or DEFAULT_FILENAME, pm)
    except InvalidInputError as exc:
        located = [LineProblem.of(p) for p in exc.located]
        return SourceCheck(located or [LineProblem(None, "(document)", m)
                                       for m in exc.problems])
    published = published_of(session, ruleset.name)
    changes = (diff_rulesets(lifecycle.parse_version(published, pm), ruleset)
               if published is not None else [])
    return SourceCheck([], ruleset.name, ruleset.title or None, published, changes)


def save_draft(session: Session, pm: Any, source: str, filename: str, *, author: User,
               note: str | None = None) -> RulesetVersion:
    """A new draft version from text that validates (InvalidInputError lists what does not)."""
    _limit(source)
    return lifecycle.import_ruleset(session, pm, source, filename or DEFAULT_FILENAME,
                                    user=author.username, note=(note or "").strip() or None)


# -- work in progress ---------------------------------------------------------------------------


def _title_of(source: str) -> str:
    """What a kept text is called: its title, else its name, else "Untitled ruleset"."""
    found = dict((key, value.strip()) for key, value in _NAME_LINE.findall(source))
    english = _ENGLISH_TITLE.match(found.get("title", ""))  # {en: …, zh-Hant: …}
    if english:
        found["title"] = english.group(1).strip()
    return (found.get("title") or found.get("name") or "Untitled ruleset")[:200]


def keep_work_in_progress(session: Session, source: str, filename: str, *, author: User,
                          wip_id: int | None = None,
                          based_on: RulesetVersion | None = None) -> RulesetWorkInProgress:
    """Keep ``source`` as its author's work in progress, valid or not (a new one, or
    ``wip_id`` of his updated)."""
    _limit(source)
    now = utcnow()
    if wip_id is None:
        wip = RulesetWorkInProgress(author_id=author.id, created_at=now,
                                    based_on_id=based_on.id if based_on else None)
        session.add(wip)
    else:
        wip = get_work_in_progress(session, wip_id, author=author)
    wip.source = source
    wip.filename = (filename or DEFAULT_FILENAME)[-200:]
    wip.title = _title_of(source)
    wip.updated_at = now
    session.commit()
    return wip


def work_in_progress_of(session: Session, author: User) -> list[RulesetWorkInProgress]:
    return list(session.scalars(
        select(RulesetWorkInProgress).where(RulesetWorkInProgress.author_id == author.id)
        .order_by(RulesetWorkInProgress.updated_at.desc(), RulesetWorkInProgress.id.desc())))


def get_work_in_progress(session: Session, wip_id: int, *,
                         author: User) -> RulesetWorkInProgress:
    """One of ``author``'s kept texts; another user's is as if it did not exist."""
    found = session.get(RulesetWorkInProgress, wip_id) if 0 < wip_id < 2**31 else None
    if found is None or found.author_id != author.id:
        raise NotFoundError(f"you have no work in progress number {wip_id}", field="wip")
    return found


def discard_work_in_progress(session: Session, wip_id: int, *, author: User) -> None:
    session.delete(get_work_in_progress(session, wip_id, author=author))
    session.commit()


def promote_work_in_progress(session: Session, pm: Any, wip_id: int, source: str, *,
                             author: User, note: str | None = None) -> RulesetVersion:
    """Save ``source`` (the kept text as last edited) as a draft version and delete the work
    in progress, together; nothing changes if it does not validate."""
    wip = get_work_in_progress(session, wip_id, author=author)
    filename = wip.filename
    session.delete(wip)
    try:
        return save_draft(session, pm, source, filename, author=author, note=note)
    except Exception:
        session.rollback()
        raise


# -- comparisons and listings --------------------------------------------------------------------


def published_of(session: Session, name: str) -> RulesetVersion | None:
    """The published version of the ruleset ``name`` (None: none is)."""
    return session.scalar(select(RulesetVersion).where(
        RulesetVersion.name == name, RulesetVersion.status == RulesetStatus.PUBLISHED))


def comparison_for(session: Session, version: RulesetVersion) -> RulesetVersion | None:
    """What ``version`` is compared with by default: the published version of its name; for
    the published version (or when none is published), the version it followed."""
    if version.status is not RulesetStatus.PUBLISHED:
        published = published_of(session, version.name)
        if published is not None:
            return published
    return version.parent


def compare(pm: Any, before: RulesetVersion, after: RulesetVersion) -> list[Change]:
    """What changes from ``before`` to ``after``, in plan terms."""
    return lifecycle.diff_versions(pm, before, after)


@dataclass(frozen=True)
class RulesetSummary:
    """A ruleset (all versions of one name), newest version first."""

    name: str
    title: str
    versions: list[RulesetVersion]

    @property
    def published(self) -> RulesetVersion | None:
        return next((v for v in self.versions if v.status is RulesetStatus.PUBLISHED), None)


def overview(session: Session) -> list[RulesetSummary]:
    """Every ruleset by name, each with its versions newest first."""
    by_name: dict[str, list[RulesetVersion]] = {}
    for version in lifecycle.list_versions(session):
        by_name.setdefault(version.name, []).append(version)
    out = []
    for name, versions in sorted(by_name.items()):
        versions.sort(key=lambda v: v.version, reverse=True)
        title = next((v.title for v in versions if v.title), None) or name
        out.append(RulesetSummary(name, title, versions))
    return out
