"""The survey administrators' pages: campaign list with live response rates, results with
inline SVG charts, one subject's results by rater group, and the CSV export."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from results_org import close as close_campaign
from results_org import invitations_of, open_new_campaign, respond, seed_results_org

from kamscore.models import User

CUSTOMER_LEVEL = {"physician": 5, "pharmacist": 4, "nurse": 2}
RATER_LEVEL = {"self": 5, "manager": 2, "peer": 3, "cross_functional": 5}


def sign_in(client, session, roles: str = "survey_admin") -> None:
    user = User(username=f"u-{roles.replace(' ', '-')}", name="Sam Surveys", roles=roles)
    user.set_password("not used")
    session.add(user)
    session.commit()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user.get_id()  # "id:session token"
        flask_session["_fresh"] = True


@pytest.fixture
def campaigns(session):
    seed_results_org(session)
    customer = open_new_campaign(session, "CS-26Q1", "customer_satisfaction")
    team = open_new_campaign(session, "360-26Q1", "internal_360")
    return customer, team


def answer_all(session, customer, team):
    for invitation in invitations_of(session, customer):
        respond(session, invitation, CUSTOMER_LEVEL[invitation.rater_group])
    for invitation in invitations_of(session, team):
        respond(session, invitation, RATER_LEVEL[invitation.rater_group])


def test_pages_need_the_survey_admin_role(client, session, campaigns):
    assert client.get("/campaigns/").status_code == 302  # to the sign-in page
    sign_in(client, session, roles="viewer")
    assert client.get("/campaigns/").status_code == 403
    assert client.get("/campaigns/CS-26Q1/results.csv").status_code == 403


def test_campaign_list_shows_live_response_rates(client, session, campaigns):
    customer, _ = campaigns
    for invitation in invitations_of(session, customer)[:4]:
        respond(session, invitation, 4)
    sign_in(client, session)
    page = client.get("/campaigns/").get_data(as_text=True)
    assert "CS-26Q1" in page and "360-26Q1" in page
    row = page[page.index("CS-26Q1"):page.index("</tr>", page.index("CS-26Q1"))]
    assert '<td class="num">9</td>' in row and '<td class="num">4</td>' in row
    assert "44 %" in row
    respond(session, invitations_of(session, customer)[4], 4)
    assert "56 %" in client.get("/campaigns/").get_data(as_text=True)  # live


def test_an_open_campaign_shows_rates_but_no_results(client, session, campaigns):
    sign_in(client, session)
    page = client.get("/campaigns/CS-26Q1/results").get_data(as_text=True)
    assert "Response rates by rater group" in page
    assert "Results are shown once the campaign has closed" in page
    assert "results.csv" not in page
    response = client.get("/campaigns/CS-26Q1/results.csv")
    assert response.status_code == 409 and b"once it is closed" in response.data
    assert client.get("/campaigns/CS-26Q1/results/A001").status_code == 302


def test_results_of_a_closed_customer_campaign(client, session, campaigns):
    customer, team = campaigns
    answer_all(session, customer, team)
    close_campaign(session, customer)
    sign_in(client, session)
    page = client.get("/campaigns/CS-26Q1/results").get_data(as_text=True)
    assert "Download the results as CSV" in page
    svgs = [page[i:page.index("</svg>", i) + 6] for i in _find_all(page, "<svg")]
    assert len(svgs) >= 3  # response rates, scales, NPS, top two
    for svg in svgs:
        root = ET.fromstring(svg)  # well-formed, with a text alternative
        assert root.get("role") == "img"
        ns = {"s": "http://www.w3.org/2000/svg"}
        assert root.find("s:title", ns).text and root.find("s:desc", ns).text
    assert "<script" not in page and "cdn" not in page.lower()
    # the accounts table: A001 reported, A002 (2 answers) not
    assert "St. Mary &lt;Hospital&gt;" in page and "<Hospital>" not in page
    a2 = page[page.index("Taipei General"):page.index("</tr>", page.index("Taipei General"))]
    assert "not shown" in a2 and "2 / 2" in a2


def test_one_account_by_rater_group_with_comments(client, session, campaigns):
    customer, team = campaigns
    answer_all(session, customer, team)
    close_campaign(session, customer)
    sign_in(client, session)
    page = client.get("/campaigns/CS-26Q1/results/A001").get_data(as_text=True)
    assert "fewer than 3 responses — not shown" in page  # the nurse
    assert "not shown, so that a smaller group cannot be worked out by subtraction" in page
    # comments: "strengths" (asked of promoters: 6) and "comments" (all 7) are listed; the
    # nurse's "improve" (1 comment) is withheld
    assert page.count("Comment at level 5") == 6 and page.count("Comment at level 4") == 6
    assert page.count("Comment at level 2") == 1  # her general comment, among 7
    assert "fewer than 5 comments" in page


def test_a_kam_with_his_self_rating_apart(client, session, campaigns):
    customer, team = campaigns
    answer_all(session, customer, team)
    close_campaign(session, team)
    sign_in(client, session)
    page = client.get("/campaigns/360-26Q1/results/K01").get_data(as_text=True)
    assert "Self-rating" in page and "Self - others" in page
    assert page.count("fewer than 3 responses — not shown") == 2  # manager (1), peers (2)
    # collaboration: others (2 + 3 + 3 + 5 + 5 + 5) / 6 = 3.83, self 5.00, gap +1.17
    row = page[page.index(">Collaboration<"):]
    row = row[:row.index("</tr>")]
    assert "3.83" in row and "5.00" in row and "1.17" in row


def test_csv_export_has_only_reportable_aggregates(client, session, campaigns):
    customer, team = campaigns
    answer_all(session, customer, team)
    close_campaign(session, customer)
    sign_in(client, session)
    response = client.get("/campaigns/CS-26Q1/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "CS-26Q1-aggregates.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows and {r["subject"] for r in rows} == {"A001", "CS-26Q1"}
    assert all(r["rater_group"] != "nurse" for r in rows)
    assert not any("Comment at level" in value for r in rows for value in r.values())
    overall = next(r for r in rows if r["subject"] == "A001"
                   and r["measure"] == "overall_satisfaction" and r["rater_group"] == "all")
    assert overall["n"] == "7" and float(overall["top_two_share"]) == pytest.approx(6 / 7)
    assert overall["subject_name"] == "St. Mary <Hospital>"
    assert overall["histogram"] == "2:1 4:3 5:3"


def test_unknown_campaign_subject_and_page(client, session, campaigns):
    customer, _ = campaigns
    close_campaign(session, customer)
    sign_in(client, session)
    assert client.get("/campaigns/NOPE/results").status_code == 404
    assert client.get("/campaigns/NOPE/results.csv").status_code == 404
    assert client.get("/campaigns/CS-26Q1/results/A999").status_code == 404
    assert client.get("/campaigns/CS-26Q1/results?page=zero").status_code == 400


def _find_all(text: str, needle: str) -> list[int]:
    found, start = [], text.find(needle)
    while start != -1:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


def test_no_page_shows_the_subject_placeholder(client, session, campaigns):
    """Regression: "360° feedback for {subject}" in the default campaign name, the survey's
    title and the question labels of the results pages."""
    customer, team = campaigns
    answer_all(session, customer, team)
    close_campaign(session, team)
    assert team.name == "360° feedback for the KAM 2026-Q1"
    sign_in(client, session)
    for url in ("/campaigns/", "/campaigns/360-26Q1/results",
                "/campaigns/360-26Q1/results/K01", "/campaigns/360-26Q1/results.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "{subject}" not in response.get_data(as_text=True), url
    page = client.get("/campaigns/360-26Q1/results/K01").get_data(as_text=True)
    assert "statements about the KAM" in page


def test_a_kam_page_shows_rater_agreement_completion_and_alpha_method(client, session,
                                                                      campaigns):
    _customer, team = campaigns
    for invitation in invitations_of(session, team):
        # every rater gives the same profile across the items: perfect agreement
        respond(session, invitation, lambda item: 1 + sum(map(ord, item)) % 5)
    close_campaign(session, team)
    sign_in(client, session)
    page = client.get("/campaigns/360-26Q1/results/K01").get_data(as_text=True)
    assert ">Completion<" in page and "100 %" in page
    section = page[page.index('id="agreement"'):page.index('id="comments"')]
    assert "Koo &amp; Li (2016)" in section and "0.667" in section
    assert section.count("Raters agree very well") == section.count("<tr><th scope=\"row\">") // 2
    assert '<th scope="row">Colleagues (everyone but the KAM)</th>' in section
    assert "ICC(3,k)" in section and "1.00" in section
    assert "Manager" not in section and "Self" not in section  # too small / apart
    assert "with <strong>listwise</strong> handling" in page
    pairwise = client.get("/campaigns/360-26Q1/results/K01?alpha=pairwise").get_data(
        as_text=True)
    assert "with <strong>pairwise</strong> handling" in pairwise
    assert "Cronbach's alpha (pairwise)" in pairwise


def test_a_kam_page_says_when_no_group_is_large_enough(client, session, campaigns):
    _customer, team = campaigns
    for invitation in invitations_of(session, team, rater_group="self"):
        respond(session, invitation, 4)
    close_campaign(session, team)
    sign_in(client, session)
    page = client.get("/campaigns/360-26Q1/results/K01").get_data(as_text=True)
    assert 'class="empty-state">No group is large enough' in page
