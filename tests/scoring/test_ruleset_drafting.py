"""Drafting rulesets in the browser, as services: the check run as one types (problems with
their line, changes against the published version), work in progress kept by its author
alone and promoted to a draft once it validates, and the default comparison of a version."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tiny_population import TINY_PLAN

from kamscore.models import AuditEvent, RulesetVersion, RulesetWorkInProgress, User
from kamscore.scoring import drafting, lifecycle
from kamscore.scoring.errors import InvalidInputError, NotFoundError

BROKEN = TINY_PLAN.replace("metric: sales_attainment", "metric: sales")
HALF = TINY_PLAN.replace("weight: 70", "weight: 50").replace("weight: 30", "weight: 50")


def user(session, name: str) -> User:
    return session.scalar(select(User).where(User.username == name))


def versions(session) -> int:
    return session.scalar(select(func.count()).select_from(RulesetVersion))


def test_a_broken_text_gets_each_problem_with_its_line(session, pm, published):
    found = drafting.check_source(session, pm, BROKEN, "tiny.yaml")
    assert not found.valid
    assert len(found.problems) == 1
    assert str(found.problems[0]).startswith(
        "12: components[0].metric: unknown metric 'sales' (known: ")
    assert found.as_dict()["problems"][0]["line"] == 12
    assert versions(session) == 1  # a check never saves


def test_a_valid_text_says_what_it_changes_against_the_published_version(session, pm,
                                                                          published):
    found = drafting.check_source(session, pm, HALF, "tiny.yaml")
    assert found.valid and found.name == "tiny" and found.title == "Tiny plan"
    assert found.compared_with.label == "tiny v1"
    assert [(c.subject, c.aspect, c.before, c.after) for c in found.changes] == [
        ("component sales", "weight", "70 %", "50 %"),
        ("component formulary", "weight", "30 %", "50 %")]

def test_too_long_a_text_is_refused(session, pm, tiny):
    with pytest.raises(InvalidInputError, match="at most 500,000 characters"):
        drafting.check_source(session, pm, "#" * 500_001)


def test_work_in_progress_is_its_authors_and_becomes_a_draft_once_valid(session, pm,
                                                                        published):
    ana, alice = user(session, "ana"), user(session, "alice")
    kept = drafting.keep_work_in_progress(session, BROKEN, "mine.yaml", author=ana,
                                          based_on=published)
    assert kept.title == "Tiny plan" and kept.based_on.label == "tiny v1"
    assert [w.id for w in drafting.work_in_progress_of(session, ana)] == [kept.id]
    assert drafting.work_in_progress_of(session, alice) == []
    with pytest.raises(NotFoundError):
        drafting.get_work_in_progress(session, kept.id, author=alice)
    with pytest.raises(NotFoundError):
        drafting.keep_work_in_progress(session, HALF, "x.yaml", author=alice, wip_id=kept.id)

    # still broken: not promoted, and the work in progress is kept as it was
    with pytest.raises(InvalidInputError) as caught:
        drafting.promote_work_in_progress(session, pm, kept.id, BROKEN, author=ana)
    assert caught.value.located[0].line == 12
    assert session.get(RulesetWorkInProgress, kept.id) is not None
    assert versions(session) == 1

    version = drafting.promote_work_in_progress(session, pm, kept.id, HALF, author=ana,
                                                note="half and half")
    assert (version.label, version.status.value, version.drafted_by, version.note,
            version.filename) == ("tiny v2", "draft", "ana", "half and half", "mine.yaml")
    assert session.get(RulesetWorkInProgress, kept.id) is None
    assert session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_key == "tiny v2")) == "ruleset.draft"


def test_a_kept_text_is_updated_and_discarded_by_its_author(session, pm, tiny):
    ana = user(session, "ana")
    kept = drafting.keep_work_in_progress(session, "name: draft_one\n", "a.yaml", author=ana)
    assert kept.title == "draft_one"
    again = drafting.keep_work_in_progress(session, "title: Better\nname: x\n", "b.yaml",
                                           author=ana, wip_id=kept.id)
    assert again.id == kept.id and again.title == "Better" and again.filename == "b.yaml"
    assert drafting.keep_work_in_progress(session, "", "", author=ana).title == (
        "Untitled ruleset")
    drafting.discard_work_in_progress(session, kept.id, author=ana)
    assert session.get(RulesetWorkInProgress, kept.id) is None


def test_a_draft_is_compared_with_the_published_version_by_default(session, pm, published):
    draft = lifecycle.import_ruleset(session, pm, HALF, "tiny.yaml", user="alice")
    assert drafting.comparison_for(session, draft).label == "tiny v1"
    assert drafting.comparison_for(session, published) is None  # the first version
    overview = drafting.overview(session)
    assert [(r.name, [v.version for v in r.versions], r.published.version)
            for r in overview] == [("tiny", [2, 1], 1)]
