"""A sentence kept as template and values reads in English as text and in the reader's
language through ``kamscore.texts.translated``; stored and read back it is the same."""

from __future__ import annotations

import json

from kamscore.sentences import N_, Sentence
from kamscore.texts import translated


def test_a_sentence_reads_in_english_as_text():
    assert str(N_("overlaps period %(other)s", other="2026-Q1")) == "overlaps period 2026-Q1"
    assert str(N_("Sign in")) == "Sign in"


def test_stored_and_read_back_it_is_the_same_sentence():
    sentence = N_("%(what)s on line %(line)s", what=N_("Sign in"), line=7)
    stored = json.loads(json.dumps(sentence.as_dict()))
    assert stored == {"id": "%(what)s on line %(line)s",
                      "values": {"what": {"id": "Sign in", "values": {}}, "line": 7}}
    again = Sentence.from_dict(stored)
    assert again == sentence and hash(again) == hash(sentence)
    assert str(again) == "Sign in on line 7"


def test_a_text_stored_before_sentences_is_shown_as_it_is():
    assert Sentence.from_dict("not a number") == Sentence("not a number")
    assert translated("not a number") == "not a number"


def test_the_reader_gets_his_language_and_nested_sentences_too(app):
    sentence = N_("%(what)s on line %(line)s", what=N_("Sign in"), line=7)
    with app.test_request_context(headers={"Accept-Language": "zh-TW"}):
        # the outer template is not in the catalogue: English, with its value translated
        assert translated(sentence) == "登入 on line 7"
        assert translated(N_("Sign in")) == "登入"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert translated(sentence) == "Sign in on line 7"


def test_sentences_sort_by_their_english_text():
    assert sorted([N_("b %(x)s", x=1), N_("a")]) == [N_("a"), N_("b %(x)s", x=1)]
