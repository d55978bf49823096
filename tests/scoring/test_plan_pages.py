"""The plan acknowledgment and payment hold pages over HTTP (the test app, CSRF off): each
bad input answers 4xx naming what is wrong, with nothing written — on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select
from tiny_population import TINY_PLAN, publish, set_fact

from kamscore.models import AuditEvent, PaymentHold, PlanAcknowledgment, User
from kamscore.scoring.acknowledgments import document_for
from kamscore.scoring.runs import run_score


def sign_in(client, username: str) -> None:
    response = client.post("/sign-in", data={"username": username,
                                             "password": f"secret-{username}"})
    assert response.status_code == 302, response.get_data(as_text=True)


def _count(session, model) -> int:
    session.rollback()
    found = session.scalar(select(func.count()).select_from(model))
    session.rollback()  # SQLite: hold no lock while the app answers
    return found


def _kim(session, tiny) -> User:
    kim = session.scalar(select(User).where(User.username == "kim"))
    kim.person_id = tiny.people["K1"]
    session.commit()
    return kim


def test_acknowledging_a_changed_document_is_refused(client, session, pm, tiny):
    version = publish(session, pm, TINY_PLAN + "acknowledgment: {hold_payouts: true}\n")
    kim = _kim(session, tiny)
    version_id = version.id
    _, shown, _ = document_for(session, pm, kim, version_id, "2026-Q1")
    url = f"/plans/mine/{version_id}/2026-Q1"
    session.rollback()  # SQLite: hold no lock while the app answers
    sign_in(client, "kim")
    page = client.get(url).get_data(as_text=True)
    assert shown.hash in page and "Sales attainment" in page
    set_fact(session, tiny.period_id, "A1", "sales_target", 1_100_000)  # changes under him
    session.rollback()

    answer = client.post(url, data={"document_hash": shown.hash, "password": "secret-kim"})
    assert answer.status_code == 422
    assert "changed since it was shown" in answer.get_data(as_text=True)
    answer = client.post(url, data={"document_hash": shown.hash, "password": "nope"})
    assert answer.status_code == 403
    assert "the password is not right" in answer.get_data(as_text=True)
    assert client.post(url, data={"document_hash": shown.hash}).status_code == 400
    assert client.get(f"/plans/mine/{version_id}/1999-Q1").status_code == 404
    assert _count(session, PlanAcknowledgment) == 0

    _, now, _ = document_for(session, pm, session.merge(kim), version_id, "2026-Q1")
    session.rollback()
    assert client.post(url, data={"document_hash": now.hash, "password": "secret-kim"}
                       ).status_code == 303
    ack_id = session.scalar(select(PlanAcknowledgment.id))
    session.rollback()
    download = client.get(f"/plans/acknowledged/{ack_id}.txt")
    assert download.get_data(as_text=True) == now.text
    assert download.headers["X-Document-SHA256"] == now.hash
    assert client.post(url, data={"document_hash": now.hash, "password": "secret-kim"}
                       ).status_code == 409
    assert _count(session, PlanAcknowledgment) == 1


def test_bad_holds_and_a_one_person_release_are_refused(client, session, pm, tiny, app):
    publish(session, pm)
    run = run_score(session, pm, period="2026-Q1", ruleset="tiny", user="ana")
    session.commit()
    run_id = run.id
    session.rollback()
    sign_in(client, "ana")
    bad = [({"run": run_id, "kam": "K1", "reason": "bored"}, 422, "no hold reason"),
           ({"run": run_id, "kam": "K1", "reason": "leave", "line": "nope"}, 422,
            "has no line"),
           ({"run": run_id, "kam": "K3", "reason": "leave"}, 422, "pays nothing"),
           ({"run": run_id + 99, "kam": "K1", "reason": "leave"}, 404, "run"),
           ({"run": "", "kam": "K1", "reason": "leave"}, 400, "Give the run"),
           ({"run": run_id, "kam": "K9", "reason": "leave"}, 404, "K9")]
    for data, status, words in bad:
        answer = client.post("/holds/", data=data)
        assert answer.status_code == status, (data, answer.status_code)
        assert words in answer.get_data(as_text=True), data
    assert _count(session, PaymentHold) == 0

    assert client.post("/holds/", data={"run": run_id, "kam": "K1", "reason": "leave"}
                       ).status_code == 303
    hold_id = session.scalar(select(PaymentHold.id))
    session.rollback()
    app.config["HOLD_RELEASE_FOUR_EYES_ABOVE"] = 1000  # K1's 1,175.00 is over it
    answer = client.post(f"/holds/{hold_id}/release", data={"note": "back"})
    assert answer.status_code == 403
    assert "four-eyes" in answer.get_data(as_text=True)
    assert session.get(PaymentHold, hold_id).released_at is None
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "hold.release")) == 0
    session.rollback()

    client.post("/sign-out")
    sign_in(client, "alice")
    assert client.post(f"/holds/{hold_id}/release", data={"note": "back"}).status_code == 303
    session.rollback()
    assert session.get(PaymentHold, hold_id).released_by == "alice"
    session.rollback()
    assert client.post(f"/holds/{hold_id}/release", data={}).status_code == 409
    page = client.get(f"/scoring/runs/{run_id}/statements/K1").get_data(as_text=True)
    assert "Whole payout" in page and "released" in page


def test_reminders_go_to_those_who_have_not_acknowledged(client, session, pm, tiny, app):
    from kamscore.background.plan_reminders import send_plan_reminders
    from kamscore.background.queue import get_queue
    from kamscore.db.session import get_db
    from kamscore.mail.sending import mailer_from_config
    from kamscore.models import Person
    from kamscore.scoring.acknowledgments import acknowledge

    version = publish(session, pm)
    version_id = version.id
    for code in ("K1", "K2"):
        session.get(Person, tiny.people[code]).email = f"{code.lower()}@example.com"
    kim = _kim(session, tiny)
    _, shown, _ = document_for(session, pm, kim, version_id, "2026-Q1")
    acknowledge(session, pm, kim, version_id, "2026-Q1", shown_hash=shown.hash,
                password="secret-kim")
    session.rollback()
    mailer = mailer_from_config({"MAIL_BACKEND": "memory", "MAIL_SENDER": "c@example.com"})
    sent = send_plan_reminders(get_db(app), pm, mailer, version_id, "2026-Q1", "ana", True,
                               [], "http://kamscore.example/plans/mine")
    assert sent == 1  # K1 acknowledged; K3 and K4 have no address
    [message] = mailer.outbox
    assert message.to == ["k2@example.com"]
    assert "http://kamscore.example/plans/mine" in message.body

    get_queue(app).immediate = True  # the worker's task, run where it is queued
    sign_in(client, "ana")
    answer = client.post(f"/plans/acknowledgments/{version_id}/2026-Q1/remind")
    assert answer.status_code == 303
    assert "Plan acknowledgments" in client.get("/plans/acknowledgments").get_data(
        as_text=True)
    events = [e.details for e in session.scalars(select(AuditEvent).where(
        AuditEvent.action == "plan.remind").order_by(AuditEvent.id))]
    assert [(e["sent"], e["waiting"]) for e in events] == [(1, 3), (1, 3)]
