"""The audit log: steps are recorded in their own transaction, nothing can change or delete an
event (database triggers, both backends), and admins and auditors read it as a page, CSV and
JSON."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError
from world import PASSWORD, sign_in_page

from kamscore.audit.log import ACTIONS, UnknownAction, record
from kamscore.models import AuditEvent


def test_events_cannot_be_changed_or_deleted(session, world):
    event = record(session, "ana", "export.pay", "run", 1)
    session.commit()
    for statement in (update(AuditEvent).where(AuditEvent.id == event.id)
                      .values(actor="someone else"),
                      delete(AuditEvent).where(AuditEvent.id == event.id)):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(statement)
        session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text("DELETE FROM audit_event"))
    session.rollback()
    assert session.scalar(select(AuditEvent.actor).where(AuditEvent.id == event.id)) == "ana"


def test_unknown_actions_are_refused(session):
    with pytest.raises(UnknownAction):
        record(session, "ana", "something.else", "x", 1)


def test_the_steps_of_the_world_are_recorded(session, world):
    found = session.execute(select(AuditEvent.action, AuditEvent.actor, AuditEvent.object_key)
                            .order_by(AuditEvent.id)).all()
    actions = [action for action, _, _ in found]
    assert actions[:4] == ["ruleset.draft", "ruleset.approve", "ruleset.publish", "run.create"]
    assert ("ruleset.approve", "bob", "tiny v1") in found
    assert actions.count("token.create") == 8
    assert set(actions) <= set(ACTIONS)


def test_exports_and_sign_ins_are_recorded(client, session, world):
    client.get(f"/api/v1/runs/{world.run_id}/statements.csv", headers=world.tokens["analyst"])
    assert sign_in_page(client, "aud", "wrong password!").status_code == 400
    assert sign_in_page(client, "aud", PASSWORD).status_code == 302
    events = session.execute(select(AuditEvent.action, AuditEvent.actor,
                                    AuditEvent.object_key, AuditEvent.details)
                             .order_by(AuditEvent.id.desc()).limit(3)).all()
    assert [(a, actor, key) for a, actor, key, _ in events] == [
        ("sign_in", "aud", "aud"), ("sign_in.failed", "", "aud"),
        ("export.pay", "ana", str(world.run_id))]
    assert events[2].details == {"format": "csv", "lines": 4}
    assert "password" not in str(events[1].details)


def test_auditors_read_it_as_a_page_csv_and_json(client, session, world):
    assert sign_in_page(client, "aud", PASSWORD).status_code == 302
    page = client.get("/admin/audit?action=ruleset.approve").get_data(as_text=True)
    table = page[page.index("<table"):page.index("</table>")]
    assert "ruleset.approve" in table and "tiny v1" in table and "run.create" not in table
    exported = client.get("/admin/audit.csv?actor=bob")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert {row["actor"] for row in rows} == {"bob"}
    assert "ruleset.approve" in {row["action"] for row in rows}
    api = client.get("/api/v1/audit-events?action=run.create",
                     headers=world.tokens["auditor"])
    assert [e["object_key"] for e in api.json] == [str(world.run_id)]
    assert api.json[0]["details"]["ruleset"] == "tiny v1"
    bad = client.get("/api/v1/audit-events?action=nonsense", headers=world.tokens["auditor"])
    assert bad.status_code == 422 and "action" in bad.json["errors"]["query"]
    assert client.get("/admin/audit?since=yesterday").status_code == 400
    last = session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1))
    assert last == "export.audit"
