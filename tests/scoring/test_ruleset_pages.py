"""The ruleset pages through the test client: the list with every step, a new draft
(uploaded, copied, typed; saved only if it validates, else kept as work in progress), the
JSON check of the editor, comparisons, approve and publish after confirmation, the four-eyes
message, and who may do what."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from sqlalchemy import func, select, update
from tiny_population import TINY_PLAN
from untranslated import english_left

from kamscore.models import AuditEvent, RulesetVersion, RulesetWorkInProgress, User
from kamscore.scoring import lifecycle

BROKEN = TINY_PLAN.replace("metric: sales_attainment", "metric: sales")
HALF = TINY_PLAN.replace("weight: 70", "weight: 50").replace("weight: 30", "weight: 50")


def sign_in(client, username: str) -> None:
    response = client.post("/sign-in", data={"username": username,
                                             "password": f"secret-{username}"})
    assert response.status_code == 302, response.get_data(as_text=True)


def text(response, status: int = 200) -> str:
    assert response.status_code == status, (response.status_code, response.location)
    inline = re.sub(r"</?(strong|em|a|span|code)\b[^>]*>", "",
                    response.get_data(as_text=True))
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline)))


def count(session, model) -> int:
    found = session.scalar(select(func.count()).select_from(model))
    session.rollback()
    return found


def test_the_list_shows_every_version_and_who_did_each_step(client, session, pm, published):
    lifecycle.import_ruleset(session, pm, HALF, "tiny.yaml", user="alice")
    session.rollback()
    sign_in(client, "kim")
    page = text(client.get("/scoring/rulesets"))
    assert "Tiny plan tiny" in page and "Published: version 1" in page
    assert "tiny v2 draft open for comments alice" in page
    assert re.search(r"tiny v1 published ana \w{3} \d+, \d{4}.* bob .* ana ", page)
    assert "New draft" not in page  # a KAM comments, does not draft
    assert client.get("/scoring/rulesets/new").status_code == 403
    sign_in(client, "ana")
    assert "New draft" in text(client.get("/scoring/rulesets"))


def test_nothing_is_saved_that_does_not_validate(client, session, published):
    sign_in(client, "ana")
    page = text(client.post("/scoring/rulesets/new", data={
        "source": BROKEN, "filename": "tiny.yaml", "save": "Save as draft"}), 422)
    assert "Not saved: the ruleset has problems" in page
    assert "12: components[0].metric: unknown metric 'sales'" in page
    assert count(session, RulesetVersion) == 1
    assert count(session, RulesetWorkInProgress) == 0


def test_work_in_progress_is_kept_then_saved_as_a_draft(client, session, published):
    sign_in(client, "ana")
    kept = client.post("/scoring/rulesets/new", data={
        "source": BROKEN, "filename": "tiny.yaml", "keep": "Keep"})
    assert kept.status_code == 302 and "/scoring/rulesets/work-in-progress/" in kept.location
    wip_url = kept.location
    page = text(client.get(wip_url))
    assert "Work in progress: Tiny plan" in page and "metric: sales" in page
    listing = text(client.get("/scoring/rulesets"))
    assert "Your work in progress" in listing and "Tiny plan tiny.yaml, kept" in listing
    # still broken: saving it as a draft is refused, the kept text stays
    text(client.post(wip_url, data={"source": BROKEN, "filename": "tiny.yaml",
                                     "save": "Save"}), 422)
    assert count(session, RulesetWorkInProgress) == 1
    # another analyst does not see it
    sign_in(client, "alice")
    assert client.get(wip_url).status_code == 404
    assert "Your work in progress" not in text(client.get("/scoring/rulesets"))
    sign_in(client, "ana")
    saved = client.post(wip_url, data={"source": HALF, "filename": "tiny.yaml",
                                       "note": "Half and half", "save": "Save"})
    assert saved.status_code == 302 and saved.location.endswith("/scoring/rulesets/tiny/2")
    assert count(session, RulesetWorkInProgress) == 0
    page = text(client.get("/scoring/rulesets/tiny/2"))
    assert "Saved tiny v2 as a draft" in page
    assert "by ana" in page and "Half and half" in page
    assert "component sales weight changed 70 % 50 %" in page


def test_a_kept_text_can_be_discarded(client, session, published):
    sign_in(client, "ana")
    wip_url = client.post("/scoring/rulesets/new", data={
        "source": "name: x\n", "keep": "Keep"}).location
    gone = client.post(wip_url, data={"source": "name: x\n", "discard": "Discard"})
    assert gone.status_code == 302 and count(session, RulesetWorkInProgress) == 0


def test_an_uploaded_file_becomes_a_draft(client, session, published):
    sign_in(client, "ana")
    response = client.post("/scoring/rulesets/new", content_type="multipart/form-data", data={
        "upload": (io.BytesIO(HALF.encode()), "tiny-half.yaml"), "source": "",
        "save": "Save"})
    assert response.status_code == 302
    version = session.scalar(select(RulesetVersion).where(RulesetVersion.version == 2))
    assert (version.filename, version.source) == ("tiny-half.yaml", HALF)
    session.rollback()
    bad = client.post("/scoring/rulesets/new", content_type="multipart/form-data", data={
        "upload": (io.BytesIO(b"\xff\xfe\x00bad"), "bad.yaml"), "save": "Save"})
    assert "bad.yaml is not UTF-8 text" in text(bad, 400)


def test_a_new_draft_starts_from_a_copy_of_any_version(client, published):
    sign_in(client, "ana")
    page = client.get("/scoring/rulesets/new?copy=tiny:1").get_data(as_text=True)
    assert "metric: sales_attainment" in page
    assert '<option selected value="tiny:1">tiny v1 (published)</option>' in page
    assert client.get("/scoring/rulesets/new?copy=tiny:9").status_code == 404
    identical = client.post("/scoring/rulesets/new?copy=tiny:1", data={
        "source": TINY_PLAN, "filename": "tiny.yaml", "save": "Save"})
    assert "Not saved: tiny.yaml is identical to tiny v1" in text(identical, 409)


def test_the_editor_check_answers_problems_with_their_lines(client, session, published):
    sign_in(client, "ana")
    broken = client.post("/scoring/rulesets/check", json={"source": BROKEN,
                                                          "filename": "tiny.yaml"})
    assert broken.status_code == 200
    assert broken.json["valid"] is False
    problem = broken.json["problems"][0]
    assert (problem["line"], problem["path"]) == (12, "components[0].metric")
    assert problem["text"].startswith("12: components[0].metric: unknown metric 'sales'")
    valid = client.post("/scoring/rulesets/check", json={"source": HALF}).json
    assert valid["valid"] is True and valid["compared_with"] == "tiny v1"
    assert {c["subject"] for c in valid["changes"]} == {"component sales",
                                                        "component formulary"}
    assert client.post("/scoring/rulesets/check", json={"text": 1}).status_code == 400
    assert count(session, RulesetVersion) == 1
    sign_in(client, "bob")  # an approver does not draft, but checks in the what-if YAML box
    assert client.post("/scoring/rulesets/check", json={"source": HALF}).status_code == 200
    sign_in(client, "kim")
    assert client.post("/scoring/rulesets/check", json={"source": HALF}).status_code == 403


def test_a_version_is_compared_with_any_other(client, session, pm, published):
    lifecycle.import_ruleset(session, pm, HALF, "tiny.yaml", user="alice")
    sixty = HALF.replace("weight: 50", "weight: 60", 1).replace("weight: 50", "weight: 40", 1)
    lifecycle.import_ruleset(session, pm, sixty, "tiny.yaml", user="alice")
    session.rollback()
    sign_in(client, "bob")
    page = text(client.get("/scoring/rulesets/tiny/3"))
    assert "What changes against tiny v1 (published)" in page
    assert "component sales weight changed 70 % 60 %" in page
    other = text(client.get("/scoring/rulesets/tiny/3?against=tiny:2"))
    assert "What changes against tiny v2 (draft)" in other
    assert "component sales weight changed 50 % 60 %" in other
    assert client.get("/scoring/rulesets/tiny/3?against=tiny:9").status_code == 404


def test_approve_and_publish_after_confirming(client, session, pm, published):
    lifecycle.import_ruleset(session, pm, HALF, "tiny.yaml", user="ana")
    session.rollback()
    sign_in(client, "bob")
    page = text(client.get("/scoring/rulesets/tiny/2"))
    assert "Approve…" in page
    confirm = text(client.get("/scoring/rulesets/tiny/2/approve"))
    assert "Approve tiny v2?" in confirm and "Yes, approve tiny v2" in confirm
    assert "component sales weight changed 70 % 50 %" in confirm
    assert lifecycle.get_version(session, "tiny", 2).status.value == "draft"  # GET asks only
    session.rollback()
    done = client.post("/scoring/rulesets/tiny/2/approve", data={"confirm": "1"})
    assert done.status_code == 302
    page = text(client.get(done.location))
    assert "tiny v2 is approved. It can now be published." in page and "Publish…" in page
    confirm = text(client.get("/scoring/rulesets/tiny/2/publish"))
    assert "Publishing makes tiny v2 the version score runs use; tiny v1, published now, " \
           "is retired." in confirm
    client.post("/scoring/rulesets/tiny/2/publish", data={"confirm": "1"})
    page = text(client.get("/scoring/rulesets/tiny/2"))
    assert "tiny v2 is published." in page
    assert "This version is published: score runs use it, and it is read-only." in page
    assert "Add comment" not in page
    events = session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_key == "tiny v2", AuditEvent.actor == "bob")
        .order_by(AuditEvent.id)).all()
    assert events == ["ruleset.approve", "ruleset.publish"]
    session.rollback()
    listing = text(client.get("/scoring/rulesets"))
    assert "tiny v1 retired" in listing and "tiny v2 published ana" in listing
    # a published version is read-only: no second publication, no approval
    again = client.post("/scoring/rulesets/tiny/2/approve", data={"confirm": "1"})
    assert "Not approved: tiny v2 is published, only a draft can be approved" in text(
        client.get(again.location))


def test_the_drafter_is_told_he_cannot_approve_his_own_draft(client, session, pm, published):
    lifecycle.import_ruleset(session, pm, HALF, "tiny.yaml", user="carol")  # analyst+approver
    session.rollback()
    sign_in(client, "carol")
    page = text(client.get("/scoring/rulesets/tiny/2"))
    assert "You drafted this version, so you cannot approve it" in page
    assert "Approve…" not in page
    confirm = text(client.get("/scoring/rulesets/tiny/2/approve"))
    assert "You drafted tiny v2, so you cannot approve it." in confirm
    assert "Yes, approve" not in confirm
    refused = client.post("/scoring/rulesets/tiny/2/approve", data={"confirm": "1"})
    page = text(client.get(refused.location))
    assert ("Not approved: tiny v2 was drafted by 'carol'; a different user must approve it "
            "(four-eyes rule)") in page
    assert lifecycle.get_version(session, "tiny", 2).status.value == "draft"


@pytest.mark.parametrize(("user", "approve", "publish"), [
    ("ana", 403, 200), ("bob", 200, 200), ("kim", 403, 403)])
def test_who_may_approve_and_publish(client, session, pm, published, user, approve, publish):
    lifecycle.import_ruleset(session, pm, HALF, "tiny.yaml", user="alice")
    session.rollback()
    sign_in(client, user)
    assert client.get("/scoring/rulesets/tiny/2/approve").status_code == approve
    assert client.get("/scoring/rulesets/tiny/2/publish").status_code == publish


def test_hostile_input_is_refused_cleanly(client, session, published):
    sign_in(client, "ana")
    huge = "9" * 30
    assert client.get(f"/scoring/rulesets/work-in-progress/{huge}").status_code == 404
    assert client.get(f"/scoring/rulesets/tiny/1?against=tiny:{huge}").status_code == 404
    assert client.get("/scoring/rulesets/tiny/1?against=not a ref").status_code == 400
    assert client.get(f"/scoring/rulesets/new?copy=tiny:{huge}").status_code == 404
    nul = client.post("/scoring/rulesets/new", data={"source": "name: x\x00\n", "keep": "Keep"})
    assert nul.status_code == 400 and "must not contain NUL characters" in nul.text
    checked = client.post("/scoring/rulesets/check", json={"source": "name: x\x00\n"})
    assert checked.status_code == 200 and checked.json["valid"] is False
    too_long = client.post("/scoring/rulesets/check", json={"source": "#" * 500_001})
    assert too_long.status_code == 422 and "at most 500,000 characters" in too_long.json["error"]
    assert count(session, RulesetWorkInProgress) == 0


SEVERAL = (TINY_PLAN.replace("prorate: true", "prorate: maybe")
           .replace("mode: half_even", "mode: half_evn").replace("min_days: 30", "min_days: -3")
           .replace("title: Sales attainment", "titel: Sales attainment")
           .replace("weight: 70", "weight: lots"))

#: A cap of 150 (for 150 %), overlapping tiers, a commission paid at target, a variant
#: weighing an unknown component.
OVERLAPS = TINY_PLAN.replace("""\
    curve:
      points:
        - {at: 80%, pays: 0.5, label: threshold}
        - {at: 100%, pays: 1.0, label: target}
        - {at: 120%, pays: 1.5, label: cap}
""", """\
    cap: 150
    tiers:
      mode: flat
      rows:
        - {from: 80%, to: 110%, pays: 0.5}
        - {from: 100%, pays: 1.0}
  - id: bonus
    metric: amount
    missing: at_target
    commission:
      mode: flat
      rows:
        - {from: 0, rate: 2%}
""") + """\
variants:
  - id: big
    when: {role: kam}
    weights: {sales: 40, formulry: 60}
"""


def test_the_editor_shows_the_problems_in_the_readers_language(client, session, published):
    """Issue 20: for a zh-Hant user the editor's check and the refused save list the problems
    in Traditional Chinese, the key paths as code; the English text (the CLI's) is kept."""
    session.execute(update(User).where(User.username == "ana").values(language="zh-Hant"))
    session.commit()
    sign_in(client, "ana")
    checked = client.post("/scoring/rulesets/check", json={"source": SEVERAL,
                                                           "filename": "tiny.yaml"}).json
    said = {p["path"]: p["message"] for p in checked["problems"]}
    assert said == {
        "rounding.mode": "應為 'half_even', 'half_up', 'down' 或 'up'，實際為 'half_evn'；"
                         "您是指 'half_even' 嗎？",
        "eligibility.min_days": "應為至少 0 的整數，實際為 -3",
        "eligibility.prorate": "應為 true 或 false，實際為 'maybe'",
        "components[0].titel": "未知的鍵 'titel'；您是指 'title' 嗎？（應為 'id', 'metric', "
                               "'weight', 'title', 'params', 'part', 'horizon', 'curve', "
                               "'tiers', 'lookup', 'formula', 'commission', 'cap', 'floor' 或 "
                               "'missing'）",
        "components[0].weight": "應為百分比權重（例如 40 或 40%），實際為 'lots'",
    }
    assert checked["problems"][0]["text"] == f"6: rounding.mode: {said['rounding.mode']}"
    sixty = client.post("/scoring/rulesets/check", json={
        "source": TINY_PLAN.replace("weight: 70", "weight: 60")}).json["problems"]
    assert [p["message"] for p in sixty] == [
        "權重合計為 90 %（sales 60 % + formulary 30 %），應為 100%"]
    overlaps = client.post("/scoring/rulesets/check", json={"source": OVERLAPS}).json
    assert {p["path"]: p["message"] for p in overlaps["problems"]} == {
        "components[0].cap": "上限（係數）為 150 將支付目標的 15000%；"
                             "若要 150%，請寫 150%（= 1.5）",
        "components[0].tiers.rows[0].to": "級距重疊：此級距延伸至 1.1，但下一個級距起於 1",
        "components[1].missing": "佣金沒有目標，無法依目標支付：請使用 exclude、zero 或 hold",
        "variants[0].weights.formulry": "未知的組成項目 'formulry'；您是指 'formulary' 嗎？",
    }
    refused = client.post("/scoring/rulesets/new", data={"source": SEVERAL,
                                                         "filename": "tiny.yaml", "save": "Save"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    listed = re.search(r'<ul id="editor-problems" class="problems">(.*?)</ul>', html, re.S)[1]
    assert listed.count("<li") == 5
    assert '<code translate="no">eligibility.prorate</code>: 應為 true 或 false' in listed
    quoted = set(re.findall(r"'[^']*'", unescape(listed))) | {"true", "false", "pts"}
    assert english_left(listed, quoted) == []
    assert count(session, RulesetVersion) == 1  # the published one only


def test_an_english_reader_keeps_the_english_problems(client, session, published):
    sign_in(client, "ana")
    checked = client.post("/scoring/rulesets/check", json={"source": SEVERAL}).json
    assert [p["message"] for p in checked["problems"]][2] == (
        "expected true or false, found 'maybe'")
    overlaps = client.post("/scoring/rulesets/check", json={"source": OVERLAPS}).json
    assert {p["path"]: p["message"] for p in overlaps["problems"]} == {
        "components[0].cap": "a cap (a factor) of 150 would pay 15000 % of target; write 150% "
                             "(= 1.5) for 150 %",
        "components[0].tiers.rows[0].to": "tiers overlap: this tier runs to 1.1 but the next "
                                          "one starts at 1",
        "components[1].missing": "a commission has no target to pay at: use exclude, zero or "
                                 "hold",
        "variants[0].weights.formulry": "unknown component 'formulry'; did you mean "
                                        "'formulary'?",
    }
