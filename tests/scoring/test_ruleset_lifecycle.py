"""Ruleset versions: draft → approved → published (→ retired), four eyes, comments."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from tiny_population import TINY_PLAN, publish

from kamscore.models import ImmutableRecordError, RulesetStatus, RulesetVersion
from kamscore.scoring import lifecycle
from kamscore.scoring.canonical import sha256_text
from kamscore.scoring.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)

CHANGED = TINY_PLAN.replace("weight: 70", "weight: 60").replace("weight: 30", "weight: 40")


def test_import_stores_a_draft_with_the_exact_source(session, pm, tiny):
    version = lifecycle.import_ruleset(session, pm, TINY_PLAN, "rulesets/tiny.yaml",
                                       user="ana", note="first cut")
    assert (version.name, version.version, version.status) == ("tiny", 1, RulesetStatus.DRAFT)
    assert version.source == TINY_PLAN
    assert version.content_hash == sha256_text(TINY_PLAN)
    assert version.title == "Tiny plan" and version.drafted_by == "ana"
    second = lifecycle.import_ruleset(session, pm, CHANGED, "tiny.yaml", user="ana")
    assert second.version == 2 and second.parent_id == version.id


def test_an_invalid_ruleset_is_not_stored_and_every_problem_is_named(session, pm, tiny):
    broken = TINY_PLAN.replace("metric: formulary_status", "metric: formulary_stat").replace(
        "weight: 70", "weight: 170")
    with pytest.raises(InvalidInputError) as caught:
        lifecycle.import_ruleset(session, pm, broken, "bad.yaml", user="ana")
    problems = caught.value.problems
    assert any("bad.yaml:" in p and "components[1].metric" in p and "formulary_stat" in p
               for p in problems)
    assert any("components[0].weight" in p for p in problems)
    assert caught.value.field == "source"
    assert lifecycle.list_versions(session) == []


def test_importing_the_same_text_twice_is_refused(session, pm, tiny):
    lifecycle.import_ruleset(session, pm, TINY_PLAN, "tiny.yaml", user="ana")
    with pytest.raises(ConflictError, match="identical to tiny v1"):
        lifecycle.import_ruleset(session, pm, TINY_PLAN, "again.yaml", user="ana")


def test_the_drafter_cannot_approve_his_own_draft(session, pm, tiny):
    # carol holds both roles: she may draft and approve, but not her own draft
    lifecycle.import_ruleset(session, pm, TINY_PLAN, "tiny.yaml", user="carol")
    with pytest.raises(PermissionDeniedError, match="four-eyes") as caught:
        lifecycle.approve_version(session, "tiny", 1, user="carol")
    assert caught.value.field == "user"
    assert lifecycle.get_version(session, "tiny", 1).status is RulesetStatus.DRAFT


def test_the_database_refuses_self_approval_too(session, pm, tiny):
    version = lifecycle.import_ruleset(session, pm, TINY_PLAN, "tiny.yaml", user="carol")
    with pytest.raises(IntegrityError):
        session.execute(text(
            "UPDATE ruleset_version SET status = 'approved', approved_by = drafted_by, "
            "approved_at = drafted_at WHERE id = :id"), {"id": version.id})
        session.flush()
    session.rollback()


@pytest.mark.parametrize(("user", "message"), [
    ("kim", "does not have the 'approver' role"),
    ("nobody", "there is no user 'nobody'"),
])
def test_approval_needs_a_registered_approver(session, pm, tiny, user, message):
    lifecycle.import_ruleset(session, pm, TINY_PLAN, "tiny.yaml", user="ana")
    with pytest.raises(PermissionDeniedError, match=message):
        lifecycle.approve_version(session, "tiny", 1, user=user)


def test_only_an_approved_version_is_published_and_the_previous_one_retires(session, pm,
                                                                           tiny):
    first = publish(session, pm)
    draft = lifecycle.import_ruleset(session, pm, CHANGED, "tiny.yaml", user="alice")
    with pytest.raises(ConflictError, match="approve it first"):
        lifecycle.publish_version(session, "tiny", 2, user="alice")
    lifecycle.approve_version(session, "tiny", 2, user="bob")
    with pytest.raises(ConflictError, match="only a draft can be approved"):
        lifecycle.approve_version(session, "tiny", 2, user="bob")
    lifecycle.publish_version(session, "tiny", 2, user="alice")
    session.refresh(first)
    assert first.status is RulesetStatus.RETIRED and first.retired_at is not None
    assert draft.status is RulesetStatus.PUBLISHED and draft.approved_by == "bob"
    assert lifecycle.published_version(session, "tiny").id == draft.id
    assert lifecycle.resolve_ref(session, "tiny").id == draft.id
    assert lifecycle.resolve_ref(session, "tiny:1").id == first.id
    assert lifecycle.resolve_ref(session, "tiny@v2").id == draft.id


def test_one_published_version_per_name_is_a_database_rule(session, pm, tiny):
    publish(session, pm)
    second = lifecycle.import_ruleset(session, pm, CHANGED, "tiny.yaml", user="alice")
    lifecycle.approve_version(session, "tiny", 2, user="bob")
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE ruleset_version SET status = 'published' WHERE id = :id"),
                        {"id": second.id})
        session.flush()
    session.rollback()


def test_the_source_of_a_version_never_changes(session, pm, tiny):
    version = publish(session, pm)
    version.source = CHANGED
    with pytest.raises(ImmutableRecordError, match="'source' never changes"):
        session.commit()
    session.rollback()
    assert session.scalar(select(RulesetVersion.source)) == TINY_PLAN


def test_comments_are_taken_until_publication(session, pm, tiny):
    lifecycle.import_ruleset(session, pm, TINY_PLAN, "tiny.yaml", user="ana")
    comment = lifecycle.add_comment(session, "tiny", 1, author="kim",
                                    body="  Formulary weight looks high for my accounts. ",
                                    key_path="components.formulary.weight")
    assert comment.body == "Formulary weight looks high for my accounts."
    with pytest.raises(InvalidInputError) as caught:
        lifecycle.add_comment(session, "tiny", 1, author="kim", body="   ")
    assert caught.value.field == "body"
    lifecycle.approve_version(session, "tiny", 1, user="bob")
    lifecycle.publish_version(session, "tiny", 1, user="ana")
    with pytest.raises(ConflictError, match="comments are taken on drafts"):
        lifecycle.add_comment(session, "tiny", 1, author="kim", body="too late")
    assert [c.author for c in lifecycle.get_version(session, "tiny", 1).comments] == ["kim"]


def test_look_ups_name_what_is_missing(session, pm, tiny):
    with pytest.raises(NotFoundError, match="no ruleset named 'tiny' has been imported"):
        lifecycle.published_version(session, "tiny")
    lifecycle.import_ruleset(session, pm, TINY_PLAN, "tiny.yaml", user="ana")
    with pytest.raises(NotFoundError, match="has no published version"):
        lifecycle.resolve_ref(session, "tiny")
    with pytest.raises(NotFoundError, match="it has versions 1"):
        lifecycle.resolve_ref(session, "tiny:4")
    with pytest.raises(InvalidInputError, match="not a ruleset reference"):
        lifecycle.resolve_ref(session, "tiny:latest")
