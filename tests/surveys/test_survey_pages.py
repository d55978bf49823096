"""The respondent's pages through Flask's test client: link exchange, validation next to the
field, leave and resume, submit, link refused afterwards, closed and unknown links, guessed
links slowed down, escaping, languages, conditions."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from live_server import real_app
from sqlalchemy import select
from survey_org import CUSTOMER_PAGES, customer_spec, live_campaign, token_for

from kamscore.models import (
    CampaignStatus,
    Invitation,
    InvitationStatus,
    SurveyAnswer,
    SurveyDraft,
    SurveyResponse,
    SurveySubmission,
)
from kamscore.surveys.campaigns import create_campaign


@pytest.fixture
def campaign(session, org):
    return live_campaign(session)


@pytest.fixture
def token(session, campaign):
    return token_for(session, campaign, email="ann@stmary.example")


def follow(client, token):
    response = client.get(f"/s/{token}")
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert token not in location
    assert re.fullmatch(r"/survey/\d+", location)
    return location


def post_page(client, url, values, action="next"):
    page = client.get(url)
    section = re.search(r'name="section" value="([a-z_]+)"', page.text).group(1)
    return client.post(url, data={"section": section, "action": action, **values})


def answer_all(client, url, pages=CUSTOMER_PAGES):
    for index, values in enumerate(pages):
        action = "submit" if index == len(pages) - 1 else "next"
        response = post_page(client, url, values, action)
        assert response.status_code == 302, response.text
    return response


def test_link_is_exchanged_for_a_session_and_a_url_without_the_token(client, token):
    url = follow(client, token)
    page = client.get(url)
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Overall, how satisfied are you with our company as a partner of" in page.text
    assert "Page 1 of 4" in page.text
    assert token not in page.text
    # another browser without the session may not open the page
    other = client.application.test_client()
    assert other.get(url).status_code == 403


def test_validation_error_is_next_to_its_field_and_summarised(client, token):
    url = follow(client, token)
    response = post_page(client, url, {"nps": "7"})
    assert response.status_code == 422
    html = response.text
    assert "<title>Error: Overall" in html
    error = re.search(r'<p class="error" id="overall_satisfaction-error">.*?</p>', html, re.S)
    assert error and "Please answer this question." in error.group(0)
    first_radio = re.search(r'<input type="radio" id="overall_satisfaction-0"[^>]*>', html).group(0)
    assert "autofocus" in first_radio
    assert 'aria-describedby="overall_satisfaction-error"' in first_radio
    assert '<a href="#overall_satisfaction-0">' in html  # the summary links to the field
    assert re.search(r'id="nps-7"[^>]*checked', html)  # what was given is kept
    # the error comes right after its question's legend, before the choices
    legend = html.index("Overall, how satisfied")
    assert legend < html.index('id="overall_satisfaction-error"') < html.index(
        'id="overall_satisfaction-0"')


def test_out_of_scale_value_is_refused(client, token):
    url = follow(client, token)
    response = post_page(client, url, {"overall_satisfaction": "9", "nps": "3"})
    assert response.status_code == 422
    assert "Please choose one of the answers offered." in response.text


def test_leave_and_resume_then_submit_then_the_link_is_refused(app, client, session, token):
    url = follow(client, token)
    assert post_page(client, url, CUSTOMER_PAGES[0]).status_code == 302
    assert "Page 2 of 4" in client.get(url).text
    # a new browser (the respondent came back later) resumes from the same link
    later = app.test_client()
    url = follow(later, token)
    page = later.get(url)
    assert "Page 2 of 4" in page.text
    back = post_page(later, url, {}, action="back")
    assert back.status_code == 302
    assert re.search(r'id="overall_satisfaction-3"[^>]*checked', later.get(url).text)
    answer_all(later, url)
    thanks = later.get(f"{url}/thanks")
    assert thanks.status_code == 200 and "Thank you for your time" in thanks.text
    session.expire_all()
    response = session.scalars(select(SurveyResponse)).one()
    answers = {a.item: (a.number, a.text) for a in response.answers}
    assert answers["overall_satisfaction"] == (4.0, None)
    assert answers["nps"] == (5.0, None)
    assert answers["relationship.partnership"] == (2.0, None)
    assert answers["services.education"] == (None, "na")
    assert answers["commitments_kept"] == (1.0, "yes")
    assert answers["contact_frequency"] == (None, "monthly")
    assert answers["improve"] == (None, "Faster answers <script>alert(1)</script>")
    assert "strengths" not in answers and "comments" not in answers
    assert session.scalars(select(SurveyDraft)).all() == []
    assert len(session.scalars(select(SurveySubmission)).all()) == 1
    session.rollback()  # SQLite: let the app write
    refused = app.test_client().get(f"/s/{token}")
    assert refused.status_code == 410
    assert "This survey has already been answered" in refused.text
    # the old session cannot answer again either
    again = later.post(url, data={"section": "comments", "action": "submit"})
    assert again.status_code == 410 and "had already been submitted" in again.text
    assert len(session.scalars(select(SurveyResponse)).all()) == 1


def test_a_second_tab_submitting_again_is_told_it_was_already_submitted(client, session,
                                                                        token):
    """Regression: the second tab was thanked ("Your answers have been recorded") for
    answers that were not recorded."""
    url = follow(client, token)
    for values in CUSTOMER_PAGES[:-1]:
        assert post_page(client, url, values).status_code == 302
    last_page = client.get(url).text
    section = re.search(r'name="section" value="([a-z_]+)"', last_page).group(1)
    form = {"section": section, "action": "submit", **CUSTOMER_PAGES[-1]}
    first_tab = client.post(url, data=form)
    assert first_tab.status_code == 302 and first_tab.headers["Location"].endswith("/thanks")
    second_tab = client.post(url, data=form)  # the same page, left open in another tab
    assert second_tab.status_code == 410
    assert "This survey has already been answered" in second_tab.text
    assert "This survey had already been submitted, perhaps from another tab" in second_tab.text
    assert "the answers on this page were not recorded again" in second_tab.text
    assert "Your answers have been recorded" not in second_tab.text
    assert "Thank you" not in second_tab.text
    assert len(session.scalars(select(SurveyResponse)).all()) == 1
    session.rollback()
    # the tab that submitted first still finds its thank-you page
    assert "Thank you" in client.get(f"{url}/thanks").text


def test_free_text_and_names_are_escaped_where_shown(client, token):
    url = follow(client, token)
    for values in CUSTOMER_PAGES[:3]:
        post_page(client, url, values)
    post_page(client, url, {"improve": "<script>alert('x')</script> & <b>bold</b>"})
    html = client.get(url).text  # still the last page: nothing submitted yet
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    first = client.get(url)
    assert "St. Mary <Hospital>" not in first.text


def test_subject_name_is_escaped_in_question_texts(client, token):
    url = follow(client, token)
    html = client.get(url).text
    assert "St. Mary &lt;Hospital&gt;" in html
    assert "<Hospital>" not in html


def test_conditions_show_questions_from_earlier_answers(client, token):
    url = follow(client, token)
    for values in (CUSTOMER_PAGES[0] | {"nps": "10"}, *CUSTOMER_PAGES[1:3]):
        post_page(client, url, values)
    html = client.get(url).text
    assert "What do we do particularly well?" in html
    assert "What is the one thing we should improve first?" not in html


def test_language_from_the_invitation_and_switchable(client, session, campaign):
    token = token_for(session, campaign, email="chen@tgh.example")
    url = follow(client, token)
    html = client.get(url).text
    assert '<html lang="zh-Hant">' in html and "整體而言" in html and "第 1 頁，共 4 頁" in html
    english = client.get(f"{url}?lang=en").text
    assert '<html lang="en">' in english and "Overall, how satisfied" in english
    # the choice sticks for the session
    assert "Overall, how satisfied" in client.get(url).text
    errors = post_page(client, url, {})
    assert "Please answer this question." in errors.text


def test_360_self_rating_uses_the_self_texts(client, session, org):
    campaign = live_campaign(session, survey="internal_360", code="LIVE360")
    token = token_for(session, campaign, respondent_key="person:K01", subject_key="kam:K01")
    html = client.get(follow(client, token)).text
    assert "How much do you agree with these statements about yourself?" in html
    assert "I share the information the team needs" in html
    peer = token_for(session, campaign, respondent_key="person:K02", subject_key="kam:K01")
    other = client.application.test_client()
    html = other.get(follow(other, peer)).text
    assert "How much do you agree with these statements about Kai Lin?" in html
    assert "Your answers are anonymous" in html


def test_closed_campaign_link_gets_a_clear_page(client, session, campaign, token):
    url = follow(client, token)
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = dt.datetime.now(dt.UTC)
    session.commit()
    response = client.get(f"/s/{token}")
    assert response.status_code == 410
    assert "This survey is closed" in response.text and "closed on" in response.text
    assert client.get(url).status_code == 410
    assert post_page_direct(client, url).status_code == 410


def post_page_direct(client, url):
    return client.post(url, data={"section": "overall", "action": "next",
                                  "overall_satisfaction": "3", "nps": "3"})


def test_expired_link_past_the_closing_time_is_closed_even_if_still_marked_open(
        client, session, campaign, token):
    campaign.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    campaign.opens_at = campaign.closes_at - dt.timedelta(days=3)
    session.commit()
    response = client.get(f"/s/{token}")
    assert response.status_code == 410 and "This survey is closed" in response.text


def test_link_of_a_campaign_not_open_yet(client, session, org):


    opens = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    campaign = create_campaign(session, customer_spec(code="SOON", opens_at=opens,
                                                      closes_at=opens + dt.timedelta(days=9)))
    session.commit()
    token = token_for(session, campaign, email="ann@stmary.example")
    response = client.get(f"/s/{token}")
    assert response.status_code == 403 and "This survey is not open yet" in response.text


def test_a_burst_of_guessed_links_is_slowed_down_and_logged(app, client, token, caplog):
    app.config["SURVEY_LINK_MISS_LIMIT"] = 5
    caplog.set_level(logging.WARNING, logger="kamscore.surveys.guard")
    statuses = []
    for index in range(8):
        guess = f"{index:02d}" + token[2:]
        statuses.append(client.get(f"/s/{guess}",
                                   environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code)
    assert statuses == [404, 404, 404, 404, 429, 429, 429, 429]
    misses = [r for r in caplog.records if "matches no invitation" in r.getMessage()]
    assert len(misses) == 5  # once blocked, no more database work per request
    assert all(r.levelno == logging.WARNING for r in misses)
    blocked = client.get(f"/s/{token}", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "600"
    assert "Too many attempts" in blocked.text
    # another client is not affected
    assert client.get(f"/s/{token}", environ_base={"REMOTE_ADDR": "192.0.2.1"}
                      ).status_code == 302


def test_opt_out_page_asks_then_records(client, session, campaign, token):
    ask = client.get(f"/s/{token}/opt-out")
    assert ask.status_code == 200 and "ann@stmary.example" in ask.text
    done = client.post(f"/s/{token}/opt-out")
    assert done.status_code == 200 and "We will send no more survey e-mails" in done.text
    session.expire_all()
    invitation = session.scalars(select(Invitation).where(
        Invitation.email == "ann@stmary.example")).one()
    assert invitation.opted_out_at is not None
    assert invitation.status is not InvitationStatus.SUBMITTED


def test_named_customer_survey_keeps_the_link(client, session, org):
    campaign = live_campaign(session, code="NAMED", anonymous=False)
    token = token_for(session, campaign, email="bo@stmary.example")
    url = follow(client, token)
    assert "Your name is kept with them" in client.get(url).text
    answer_all(client, url)
    response = session.scalars(select(SurveyResponse)).one()
    invitation = session.scalars(select(Invitation).where(
        Invitation.email == "bo@stmary.example", Invitation.campaign_id == campaign.id)).one()
    assert response.anonymous is False and response.invitation_id == invitation.id
    assert session.scalars(select(SurveyAnswer)).all()


def test_a_page_left_open_past_the_csrf_limit_is_shown_again_with_its_answers(
        session, campaign, token, database_url, tmp_path):
    app = real_app(database_url, tmp_path / "csrf-instance")
    client = app.test_client()
    url = follow(client, token)
    html = client.get(url).text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    stale = client.post(url, data={"csrf_token": "expired-or-forged", "section": "overall",
                                   "action": "next", "overall_satisfaction": "2", "nps": "8"})
    assert stale.status_code == 400
    assert "The page was open for too long" in stale.text
    assert re.search(r'id="overall_satisfaction-1"[^>]*checked', stale.text)
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', stale.text).group(1)
    done = client.post(url, data={"csrf_token": fresh, "section": "overall", "action": "next",
                                  "overall_satisfaction": "2", "nps": "8"})
    assert done.status_code == 302 and csrf
