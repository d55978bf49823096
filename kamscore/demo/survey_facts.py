"""Survey results of the demo, imported as facts (docs/plugins.md, "Survey results from facts").

Until live survey campaigns have run, the qualitative and team metrics read survey results
from facts named ``survey.<measure>.<group>.<stat>``: about an **account** for the customer
survey ``customer_satisfaction``, about a **person** for the 360° survey ``internal_360``.
The demo writes them on the business **year** (both surveys run once a year) — everything
about how survey results look as facts is in this module.

Customer survey: a share of each account's DMU answers; every response rates overall
satisfaction (1-5) and the recommendation question (NPS, 0-10); the results are written as
histograms (``count.<answer>``), plus the mean and n of the relationship-quality scale.
Small development accounts often have fewer respondents than the minimum group size, as in
real life. 360°: each KAM is rated on the collaboration scale by colleagues (``others``) and
by himself (``self``), who is a little kinder.
"""

from __future__ import annotations

import numpy as np

from kamscore.demo.accounts import Accounts
from kamscore.demo.catalog import DemoPeriods
from kamscore.demo.facts import FactSink, SalesModel, Subjects
from kamscore.demo.org import Org
from kamscore.demo.spec import DemoSpec

CUSTOMER_RESPONSE_RATE = 0.65
SATISFACTION = "overall_satisfaction"  # 1..5
NPS = "nps"  # 0..10
RELATIONSHIP = "scale:relationship_quality"  # mean of 1..5 items
COLLABORATION = "scale:collaboration"  # mean of 1..5 items


def survey_fact(measure: str, group: str, stat: str) -> str:
    """The fact name of one survey statistic, e.g. ``survey.nps.all.count.9``."""
    return f"survey.{measure}.{group}.{stat}"


def write_survey_facts(
    sink: FactSink,
    spec: DemoSpec,
    org: Org,
    accounts: Accounts,
    sales: SalesModel,
    periods: DemoPeriods,
    period_ids: dict[str, int],
) -> None:
    rng = spec.rng("surveys")
    year_id = period_ids[periods.years[1]]
    _customer_survey(sink, rng, accounts, sales.effect, year_id)
    _internal_360(sink, rng, org, periods, year_id)


def _customer_survey(sink: FactSink, rng: np.random.Generator, accounts: Accounts,
                     effect: np.ndarray, period_id: int) -> None:
    n_accounts = len(accounts)
    responses = rng.binomial(accounts.dmu_size, CUSTOMER_RESPONSE_RATE)
    who = np.repeat(np.arange(n_accounts), responses)  # account index of every response
    mood = rng.normal(0.0, 1.0, len(who))  # one respondent answers both questions alike
    satisfaction = np.clip(np.round(3.9 + 6 * effect[who] + 0.8 * mood), 1, 5).astype(int)
    recommend = np.clip(np.round(7.6 + 12 * effect[who] + 1.6 * mood
                                 + rng.normal(0, 0.8, len(who))), 0, 10).astype(int)
    relationship = np.clip(3.8 + 5 * effect[who] + 0.5 * mood + rng.normal(0, 0.3, len(who)),
                           1, 5)
    ids = [accounts.ids[c] for c in accounts.codes]
    for measure, answers, top in ((SATISFACTION, satisfaction, 5), (NPS, recommend, 10)):
        counts = np.bincount(who * (top + 1) + answers, minlength=n_accounts * (top + 1))
        counts = counts.reshape(n_accounts, top + 1)
        for value in range(top + 1):
            has = counts[:, value] > 0
            if not has.any():
                continue
            index = np.nonzero(has)[0].tolist()
            sink.add(period_id, survey_fact(measure, "all", f"count.{value}"), "count",
                     Subjects.of([f"account:{accounts.codes[i]}" for i in index],
                                 accounts=[ids[i] for i in index]),
                     values=counts[index, value].astype(float).tolist())
    answered = np.nonzero(responses > 0)[0]
    subjects = Subjects.of([f"account:{accounts.codes[i]}" for i in answered.tolist()],
                           accounts=[ids[i] for i in answered.tolist()])
    mean = np.bincount(who, relationship, minlength=n_accounts) / np.maximum(responses, 1)
    sink.add(period_id, survey_fact(RELATIONSHIP, "all", "mean"), "score", subjects,
             values=np.round(mean[answered], 2).tolist())
    sink.add(period_id, survey_fact(RELATIONSHIP, "all", "n"), "count", subjects,
             values=responses[answered].astype(float).tolist())


def _internal_360(sink: FactSink, rng: np.random.Generator, org: Org, periods: DemoPeriods,
                  period_id: int) -> None:
    """The 360° runs in the fourth quarter: KAMs who left before are not rated."""
    survey_day = f"{periods.year}-10-01"
    rated = [k for k in org.kams.values()
             if k.end_date is None or k.end_date.isoformat() >= survey_day]
    subjects = Subjects.of([f"person:{k.code}" for k in rated],
                           persons=[org.person_ids[k.code] for k in rated])
    skill = np.array([k.skill for k in rated])
    raters = rng.integers(3, 9, len(rated))
    others = np.clip(3.9 + 6 * skill + rng.normal(0, 0.35, len(rated)) / np.sqrt(raters), 1, 5)
    own = np.clip(np.round(4.3 + rng.normal(0, 0.4, len(rated)), 1), 1, 5)
    for group, n, mean in (("others", raters, others), ("self", np.ones(len(rated)), own)):
        sink.add(period_id, survey_fact(COLLABORATION, group, "mean"), "score", subjects,
                 values=np.round(mean, 2).tolist())
        sink.add(period_id, survey_fact(COLLABORATION, group, "n"), "count", subjects,
                 values=n.astype(float).tolist())
