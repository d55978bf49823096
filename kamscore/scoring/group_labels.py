"""How the groups of a cost breakdown are named for a reader: a plan variant by its title in
the ruleset (the base plan, id ``default``, as :data:`DEFAULT_VARIANT`), a team by its name in
the directory. The ids stay beside the names (pages show them as a secondary code).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kamscore.engine import Ruleset
from kamscore.models import RulesetVersion, Team
from kamscore.scoring.errors import ScoringError
from kamscore.scoring.lifecycle import list_versions, parse_version

#: How the base plan (variant index 0, id ``default``) is named.
DEFAULT_VARIANT = "Plan as written"
#: How KAMs in no team are named.
NO_TEAM = "No team"


def variant_titles(ruleset: Ruleset) -> dict[str, str]:
    """Variant id → its title (``default`` → :data:`DEFAULT_VARIANT`)."""
    return {"default": DEFAULT_VARIANT, **{v.id: v.title for v in ruleset.variants}}


def version_variant_titles(version: RulesetVersion | None, pm: Any) -> dict[str, str]:
    """The variant titles of a stored version (parsed once per content, see
    ``parse_version``); only ``default`` named when it cannot be parsed any more (a metric
    plugin gone since): the other variants then show their ids."""
    if version is None or pm is None:
        return {"default": DEFAULT_VARIANT}
    try:
        return variant_titles(parse_version(version, pm))
    except ScoringError:
        return {"default": DEFAULT_VARIANT}


def team_names(session: Session, codes: Iterable[Any]) -> dict[str, str]:
    """Team code → name for the teams among ``codes`` (None and unknown codes are left
    out): one query for all teams (the directory has a few thousand at most; no list of
    bound codes that could outgrow a database's parameter limit)."""
    wanted = {str(c) for c in codes if c is not None}
    if not wanted:
        return {}
    return {code: name for code, name in session.execute(select(Team.code, Team.name))
            if code in wanted}


def ruleset_titles(ruleset: Ruleset) -> dict[str, dict[str, str]]:
    """The English title of the plan, its components, variants, gates and modifiers → the
    translations the ruleset writes for it (``title: {en: …, zh-Hant: …}``); titles written
    as plain text are left out. A page picks the reader's language."""
    found: dict[str, dict[str, str]] = {}
    for item in (ruleset, *ruleset.components, *ruleset.variants, *ruleset.gates,
                 *ruleset.modifiers):
        if item.titles:
            found.setdefault(item.title, dict(item.titles))
    return found


def version_titles(version: RulesetVersion | None, pm: Any) -> dict[str, dict[str, str]]:
    """``ruleset_titles`` of a stored version ({} when it cannot be parsed any more)."""
    if version is None or pm is None:
        return {}
    try:
        return ruleset_titles(parse_version(version, pm))
    except ScoringError:
        return {}


def all_titles(session: Session, pm: Any) -> dict[str, dict[str, str]]:
    """``version_titles`` of every stored version, merged (the newest version wins): for a
    page that lists texts of several plans."""
    found: dict[str, dict[str, str]] = {}
    for version in list_versions(session):  # oldest first
        found.update(version_titles(version, pm))
    return found
