"""Every stored code a translated page shows has its word, in one table per kind of value
(issue 20): a new audit action, state, pay entry kind, hold reason, role, segment, import
kind or response flag added without one would read as a bare code on a page in Traditional
Chinese, and a code named twice could read differently from page to page."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from kamscore.audit.log import ACTIONS
from kamscore.auth.roles import ROLE_TITLES
from kamscore.engine.results import Status
from kamscore.importing.service import IMPORTERS
from kamscore.models import (
    NOMINATED_GROUPS,
    CampaignStatus,
    EntryKind,
    HoldReason,
    NominationStatus,
    SurveyKind,
)
from kamscore.models.accounts import AccountType, StakeholderRole
from kamscore.models.org import Role
from kamscore.models.periods import PeriodStatus
from kamscore.models.queries import QueryStatus
from kamscore.models.scoring import RulesetStatus, ScoreRunStatus
from kamscore.models.targets import ProposalDecision, RoundStatus
from kamscore.surveys.response_quality import FLAGS
from kamscore.web import stored_words
from kamscore.web.audit_words import ACTION_NAMES

STATE_ENUMS = (CampaignStatus, RulesetStatus, ScoreRunStatus, QueryStatus, RoundStatus,
               ProposalDecision, NominationStatus, PeriodStatus)


def test_every_action_is_named():
    assert set(ACTION_NAMES) == set(ACTIONS)


@pytest.mark.parametrize("states", STATE_ENUMS, ids=lambda e: e.__name__)
def test_every_stored_state_has_its_word(states):
    assert {s.value for s in states} - set(stored_words.STATES) == set()


def test_every_stored_code_has_its_word():
    assert {s.name.lower() for s in Status} <= set(stored_words.STATES)
    assert {k.value for k in EntryKind} <= set(stored_words.PAY_KINDS)
    assert set(stored_words.HOLD_REASONS) == {r.value for r in HoldReason}
    assert {r.value for r in Role} <= set(stored_words.ROLES)
    assert set(stored_words.ACCOUNT_TYPES) == {t.value for t in AccountType}
    assert set(stored_words.STAKEHOLDER_ROLES) == {r.value for r in StakeholderRole}
    assert set(NOMINATED_GROUPS) <= set(stored_words.RATER_GROUPS)
    assert set(stored_words.ACCESS_ROLES) == set(ROLE_TITLES)
    assert set(stored_words.IMPORT_KINDS) == set(IMPORTERS)
    assert set(stored_words.FLAGS) == set(FLAGS) == set(stored_words.FLAGS_MANY)
    assert set(stored_words.SURVEY_KINDS) == set(stored_words.GENERIC_SUBJECTS) == {
        k.value for k in SurveyKind}


def test_a_code_in_two_general_tables_has_one_word():
    tables = stored_words.GENERAL_TABLES
    for i, first in enumerate(tables):
        for second in tables[i + 1:]:
            for code in set(first) & set(second):
                assert first[code]._args == second[code]._args, code


def test_a_word_reads_in_the_page_language_and_a_code_without_one_as_itself(app):
    word = stored_words.word
    with app.test_request_context():
        assert word(CampaignStatus.CLOSED, "state") == "closed"
        assert word("campaign.launch", "audit") == "Campaign launched"
        assert word("investigation") == word("investigation", "hold_reason") == "Investigation"
        assert word(None) == ""
        with force_locale("zh_Hant"):
            assert word(CampaignStatus.CLOSED, "state") == "已關閉"
            assert word("spiff", "pay") == "SPIFF 獎勵"
            assert word("campaign.launch", "audit") == "已啟動調查活動"
            assert word("no_such_code", "pay") == "no_such_code"
            assert word("market_access", "role") != "Market access"
