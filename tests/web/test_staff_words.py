"""Every stored code a translated staff page shows has its word (issue 20): a new audit
action, pay entry kind, hold reason, campaign state, role, import kind or response flag
added without one would read as a bare code on a page in Traditional Chinese."""

from __future__ import annotations

from flask_babel import force_locale

from kamscore.audit.log import ACTIONS
from kamscore.auth.roles import ROLE_TITLES
from kamscore.importing.service import IMPORTERS
from kamscore.models import CampaignStatus, EntryKind, HoldReason
from kamscore.surveys.response_quality import FLAGS
from kamscore.web import staff_words
from kamscore.web.audit_words import ACTION_NAMES


def test_every_action_is_named():
    assert set(ACTION_NAMES) == set(ACTIONS)


def test_every_stored_code_has_its_word():
    assert set(staff_words.PAY_KINDS) == {k.value for k in EntryKind}
    assert set(staff_words.HOLD_REASONS) == {r.value for r in HoldReason}
    assert set(staff_words.CAMPAIGN_STATES) == {s.value for s in CampaignStatus}
    assert set(staff_words.ROLE_TITLES) == set(ROLE_TITLES)
    assert set(staff_words.IMPORT_KINDS) == set(IMPORTERS)
    assert set(staff_words.FLAGS) == set(FLAGS) == set(staff_words.FLAGS_MANY)


def test_a_word_reads_in_the_page_language_and_a_code_without_one_as_itself(app):
    with app.test_request_context():
        assert staff_words.word(CampaignStatus.CLOSED, "campaign") == "closed"
        assert staff_words.word("campaign.launch", "audit") == "Campaign launched"
        with force_locale("zh_Hant"):
            assert staff_words.word(CampaignStatus.CLOSED, "campaign") == "已關閉"
            assert staff_words.word("spiff", "pay") == "SPIFF 獎勵"
            assert staff_words.word("campaign.launch", "audit") == "已啟動調查活動"
            assert staff_words.word("no_such_code", "pay") == "no_such_code"
