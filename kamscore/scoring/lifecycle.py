"""Ruleset versions: import, approve, publish, comment, look up, compare.

The rules (docs/scoring.md, "Ruleset lifecycle"):

- ``import_ruleset`` validates a YAML file exactly like ``kamscore ruleset check`` and stores
  it as a new *draft* version of the ruleset named in the file (version numbers count up per
  name). Its source text is kept byte for byte and never changes again; a change is a new
  version. Importing text identical to an existing version of that name is refused.
- ``approve_version``: a draft becomes *approved* by a registered user holding the
  ``approver`` role who is not the one who drafted it (four eyes; the database refuses it
  too).
- ``publish_version``: an approved version becomes the *published* one of its name, the
  version score runs use by default; the previously published version is *retired*.
- ``add_comment``: KAMs and managers comment on a version until it is published.

Every function takes the session, changes nothing unless it succeeds, and commits.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kamscore.audit.log import record
from kamscore.content.yaml_source import SourceError
from kamscore.engine import Ruleset
from kamscore.engine.catalogue import catalogue_of
from kamscore.models import RulesetComment, RulesetStatus, RulesetVersion, User
from kamscore.models.types import MAX_INTEGER, utcnow
from kamscore.scoring.canonical import sha256_text
from kamscore.scoring.diff import Change, diff_rulesets
from kamscore.scoring.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from kamscore.texts import _

#: Statuses a score run may use: the published version, or a retired one to rerun a past plan.
RUNNABLE = (RulesetStatus.PUBLISHED, RulesetStatus.RETIRED)

_REF = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+?)(?:[:@]v?(?P<version>[0-9]+))?$")
#: The references ``resolve_ref`` reads, as a pattern for input schemas (no named groups, so
#: that JSON Schema reads it too; surrounding whitespace is ignored).
RULESET_REF_PATTERN = r"^\s*[A-Za-z0-9_.-]+(?:[:@]v?[0-9]+)?\s*$"
_PARSED_CACHE_SIZE = 32
_parsed: OrderedDict[tuple[int, str], Ruleset] = OrderedDict()


# -- parsing ------------------------------------------------------------------------------------


def parse_source(source: str, filename: str, pm: Any) -> Ruleset:
    """Validate and build a ruleset from YAML text; InvalidInputError lists every problem."""
    from kamscore.engine.loader import load_ruleset

    metrics, functions = catalogue_of(pm)
    try:
        return load_ruleset(source, filename, metrics, functions)
    except SourceError as exc:
        problems = [str(p) for p in exc.problems]
        error = InvalidInputError(
            f"{filename}: {len(problems)} problem{'s' if len(problems) != 1 else ''}:\n"
            + "\n".join(problems),
            field="source",
            problems=problems,
        )
        error.located = list(exc.problems)
        raise error from exc


def parse_version(version: RulesetVersion, pm: Any) -> Ruleset:
    """The parsed ruleset of a stored version (cached by content hash)."""
    key = (id(pm), version.content_hash)
    found = _parsed.get(key)
    if found is not None:
        _parsed.move_to_end(key)
        return found
    ruleset = parse_source(version.source, version.filename, pm)
    _parsed[key] = ruleset
    while len(_parsed) > _PARSED_CACHE_SIZE:
        _parsed.popitem(last=False)
    return ruleset


# -- look-ups -----------------------------------------------------------------------------------


def list_versions(session: Session, name: str | None = None) -> list[RulesetVersion]:
    query = select(RulesetVersion).order_by(RulesetVersion.name, RulesetVersion.version)
    if name is not None:
        query = query.where(RulesetVersion.name == name)
    return list(session.scalars(query))


def get_version(session: Session, name: str, version: int) -> RulesetVersion:
    found = session.scalar(select(RulesetVersion).where(
        RulesetVersion.name == name, RulesetVersion.version == version)
    ) if 0 < version <= MAX_INTEGER else None
    if found is None:
        known = session.scalars(select(RulesetVersion.version).where(
            RulesetVersion.name == name).order_by(RulesetVersion.version)).all()
        hint = (f"; it has versions {', '.join(map(str, known))}" if known
                else "; no ruleset of that name has been imported")
        raise NotFoundError(f"no version {version} of ruleset '{name}'{hint}", field="version")
    return found


def published_version(session: Session, name: str) -> RulesetVersion:
    found = session.scalar(select(RulesetVersion).where(
        RulesetVersion.name == name, RulesetVersion.status == RulesetStatus.PUBLISHED))
    if found is None:
        if not session.scalar(select(func.count()).where(RulesetVersion.name == name)):
            raise NotFoundError(f"no ruleset named '{name}' has been imported", field="ruleset")
        raise NotFoundError(
            f"ruleset '{name}' has no published version; approve and publish one first",
            field="ruleset")
    return found


def resolve_ref(session: Session, ref: str) -> RulesetVersion:
    """``standard`` (the published version), ``standard:3`` or ``standard@3``."""
    match = _REF.match(ref.strip())
    if match is None:
        raise InvalidInputError(
            f"'{ref}' is not a ruleset reference: write NAME (the published version) or "
            "NAME:VERSION", field="ruleset")
    if match["version"] is None:
        return published_version(session, match["name"])
    return get_version(session, match["name"], int(match["version"]))


# -- users --------------------------------------------------------------------------------------


def _registered(session: Session, username: str, role: str, action: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise PermissionDeniedError(
            f"{action} needs a registered user with the '{role}' role; there is no user "
            f"'{username}'", field="user")
    if not user.has_role(role):
        raise PermissionDeniedError(
            f"user '{username}' does not have the '{role}' role needed to {action}",
            field="user")
    return user


def _check_optional_user(session: Session, username: str, role: str | tuple[str, ...],
                         action: str) -> None:
    """A user who exists must hold ``role`` (one of them); an unknown name is recorded as
    given (the CLI runs as the operator of the installation)."""
    if not username or not username.strip():
        raise InvalidInputError("a user name is required", field="user")
    roles = (role,) if isinstance(role, str) else role
    user = session.scalar(select(User).where(User.username == username))
    if user is not None and not any(user.has_role(r) for r in roles):
        needed = " or ".join(f"'{r}'" for r in roles)
        raise PermissionDeniedError(
            f"user '{username}' does not have the {needed} role needed to {action}",
            field="user")


# -- lifecycle ----------------------------------------------------------------------------------


def import_ruleset(session: Session, pm: Any, source: str, filename: str, *, user: str,
                   note: str | None = None) -> RulesetVersion:
    """Validate ``source`` and store it as the next draft version of its ruleset."""
    _check_optional_user(session, user, "analyst", "draft a ruleset")
    ruleset = parse_source(source, filename, pm)
    content_hash = sha256_text(source)
    existing = list_versions(session, ruleset.name)
    for version in existing:
        if version.content_hash == content_hash:
            raise ConflictError(
                f"{filename} is identical to {version.label} ({version.status}); nothing to "
                "import", field="source")
    latest = existing[-1] if existing else None
    version = RulesetVersion(
        name=ruleset.name,
        version=(latest.version + 1) if latest else 1,
        title=ruleset.title or None,
        filename=filename[-200:],
        source=source,
        content_hash=content_hash,
        status=RulesetStatus.DRAFT,
        parent_id=latest.id if latest else None,
        note=note,
        drafted_by=user,
    )
    session.add(version)
    session.flush()
    record(session, user, "ruleset.draft", "ruleset", version.label,
           content_hash=content_hash, filename=version.filename)
    session.commit()
    return version


def approve_version(session: Session, name: str, version: int, *, user: str) -> RulesetVersion:
    """Approve a draft: a registered approver other than its drafter."""
    found = get_version(session, name, version)
    if found.status is not RulesetStatus.DRAFT:
        raise ConflictError(_("%(version)s is %(status)s, only a draft can be approved",
                              version=found.label, status=str(found.status)),
                            field="version")
    if user == found.drafted_by:
        raise PermissionDeniedError(
            _("%(version)s was drafted by '%(user)s'; a different user must approve it "
              "(four-eyes rule)", version=found.label, user=user), field="user")
    _registered(session, user, "approver", "approve a ruleset")
    found.status = RulesetStatus.APPROVED
    found.approved_by = user
    found.approved_at = utcnow()
    record(session, user, "ruleset.approve", "ruleset", found.label,
           content_hash=found.content_hash, drafted_by=found.drafted_by)
    session.commit()
    return found


def publish_version(session: Session, name: str, version: int, *, user: str) -> RulesetVersion:
    """Publish an approved version; the previously published one is retired."""
    found = get_version(session, name, version)
    if found.status is not RulesetStatus.APPROVED:
        if found.status is RulesetStatus.DRAFT:
            refusal = _("%(version)s is %(status)s; only an approved version can be "
                        "published (approve it first)", version=found.label,
                        status=str(found.status))
        else:
            refusal = _("%(version)s is %(status)s; only an approved version can be "
                        "published", version=found.label, status=str(found.status))
        raise ConflictError(refusal, field="version")
    _check_optional_user(session, user, ("analyst", "approver"), "publish a ruleset")
    now = utcnow()
    previous = session.scalar(select(RulesetVersion).where(
        RulesetVersion.name == name, RulesetVersion.status == RulesetStatus.PUBLISHED))
    if previous is not None:
        previous.status = RulesetStatus.RETIRED
        previous.retired_at = now
        session.flush()  # the unique index allows one published version per name
    found.status = RulesetStatus.PUBLISHED
    found.published_by = user
    found.published_at = now
    record(session, user, "ruleset.publish", "ruleset", found.label,
           content_hash=found.content_hash,
           retired=previous.label if previous is not None else None)
    session.commit()
    return found


def add_comment(session: Session, name: str, version: int, *, author: str, body: str,
                key_path: str | None = None, person_id: int | None = None) -> RulesetComment:
    """A KAM's or manager's comment on a version not yet published."""
    found = get_version(session, name, version)
    if found.status not in (RulesetStatus.DRAFT, RulesetStatus.APPROVED):
        raise ConflictError(
            f"{found.label} is {found.status}: comments are taken on drafts before they are "
            "published", field="version")
    if not body or not body.strip():
        raise InvalidInputError("a comment needs a text", field="body")
    if len(body) > 10_000:
        raise InvalidInputError("a comment is at most 10,000 characters", field="body")
    comment = RulesetComment(ruleset_version_id=found.id, author=author, body=body.strip(),
                             key_path=(key_path or None), person_id=person_id)
    session.add(comment)
    record(session, author, "ruleset.comment", "ruleset", found.label, key_path=key_path)
    session.commit()
    return comment


def diff_versions(pm: Any, a: RulesetVersion, b: RulesetVersion) -> list[Change]:
    """What changes from version ``a`` to version ``b``, in plan terms."""
    return diff_rulesets(parse_version(a, pm), parse_version(b, pm))
