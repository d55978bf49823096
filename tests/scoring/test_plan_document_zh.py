"""The plan document in the reader's language (issue 20): a KAM who reads the pages in
Traditional Chinese is shown his plan in Traditional Chinese, acknowledges that text, and the
acknowledgment keeps exactly that text and its hash — on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

from sqlalchemy import select, update
from tiny_population import TINY_PLAN, publish

from kamscore.models import PlanAcknowledgment, User
from kamscore.scoring.acknowledgments import document_for
from kamscore.scoring.canonical import sha256_text


def _shown(page: str) -> tuple[str, str]:
    """The document text of the page's ``<pre>`` and the hash its form carries."""
    text = re.search(r'<pre class="plan-document"[^>]*>(.*?)</pre>', page, re.S)
    shown_hash = re.search(r'name="document_hash"[^>]*value="([0-9a-f]{64})"', page)
    assert text and shown_hash, page
    return html.unescape(text.group(1)), shown_hash.group(1)


def test_a_zh_hant_reader_acknowledges_the_zh_hant_document(client, session, pm, tiny):
    version = publish(session, pm, TINY_PLAN + "acknowledgment: {hold_payouts: true}\n")
    session.execute(update(User).where(User.username == "kim")
                    .values(person_id=tiny.people["K1"], language="zh-Hant"))
    session.commit()
    kim = session.scalar(select(User).where(User.username == "kim"))
    _, english, _ = document_for(session, pm, kim, version.id, "2026-Q1")  # no request
    url = f"/plans/mine/{version.id}/2026-Q1"
    session.rollback()  # SQLite: hold no lock while the app answers
    assert client.post("/sign-in", data={"username": "kim", "password": "secret-kim"}
                       ).status_code == 302

    page = client.get(url).get_data(as_text=True)
    text, shown_hash = _shown(page)
    assert "<h1>您 2026-Q1 的獎勵方案</h1>" in page
    for heading in ("適用對象", "您的目標獎金", "方案的獎勵項目", "上限與進位", "您本期的目標"):
        assert f"\n{heading}\n" in text
    assert "2026年1月1日 至 2026年3月31日" in text
    assert "在您確認此方案之前，依此方案計算的獎金將暫緩發放。" in text
    assert "Who is paid" not in text and "Who is paid" in english.text
    assert shown_hash == sha256_text(text) != english.hash

    # the English document's hash is not what he was shown: refused, in his language
    refused = client.post(url, data={"document_hash": english.hash, "password": "secret-kim"})
    assert refused.status_code == 422
    assert "方案文件在顯示給您之後已變更" in refused.get_data(as_text=True)
    answer = client.post(url, data={"document_hash": shown_hash, "password": "secret-kim"})
    assert answer.status_code == 303
    stored = session.execute(select(PlanAcknowledgment.id, PlanAcknowledgment.document,
                                    PlanAcknowledgment.document_hash)).one()
    session.rollback()  # SQLite: hold no lock while the app answers
    assert stored.document == text and stored.document_hash == shown_hash
    download = client.get(f"/plans/acknowledged/{stored.id}.txt")
    assert download.get_data(as_text=True) == text
    done = client.get(url).get_data(as_text=True)
    # the part of the day as CLDR names it in zh_Hant (上午, 下午, 晚上…)
    day_part = "(?:午夜|凌晨|清晨|上午|中午|下午|晚上)"
    assert re.search(rf"您已於 \d{{4}}年\d{{1,2}}月\d{{1,2}}日 {day_part}\d", done)


def test_each_reminder_is_in_its_recipients_language(session, pm, tiny, app):
    """The worker writes each KAM's reminder in his own language: K2's user reads
    Traditional Chinese, K3 has no user and reads English."""
    from kamscore.auth.users import create_user
    from kamscore.background.plan_reminders import send_plan_reminders
    from kamscore.db.session import get_db
    from kamscore.mail.sending import mailer_from_config
    from kamscore.models import Person

    version = publish(session, pm, TINY_PLAN + "acknowledgment: {hold_payouts: true}\n")
    version_id = version.id
    for code in ("K2", "K3"):
        session.get(Person, tiny.people[code]).email = f"{code.lower()}@example.com"
    k2 = create_user(session, None, username="k2", name="K two", password="a-long-password-2",
                     roles=["kam"], person="K2")
    k2.language = "zh-Hant"
    session.commit()
    mailer = mailer_from_config({"MAIL_BACKEND": "memory", "MAIL_SENDER": "c@example.com"})
    with app.app_context():  # as the worker runs its tasks
        sent = send_plan_reminders(get_db(app), pm, mailer, version_id, "2026-Q1", "ana", True,
                                   [], "http://kamscore.example/plans/mine")
    assert sent == 2
    mails = {m.to[0]: m for m in mailer.outbox}
    chinese, english = mails["k2@example.com"], mails["k3@example.com"]
    assert chinese.subject == "請確認您的獎勵方案"
    assert "的獎勵方案「Tiny plan」正在等待您確認" in chinese.body
    assert "在您確認之前，依此方案計算的獎金將暫緩發放。" in chinese.body
    assert "http://kamscore.example/plans/mine" in chinese.body
    assert english.subject == "Please acknowledge your incentive plan"
    assert english.body.startswith("Dear ") and "is waiting for your acknowledgment" in english.body
