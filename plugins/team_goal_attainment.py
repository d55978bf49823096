"""Team goal attainment: the account team's shared goal, the same value for every member.

Reads the team facts ``team_goal_actual`` and ``team_goal_target`` (same unit, any goal the
team shares):

    attainment = team_goal_actual / team_goal_target           (ratio: 1.0 = goal met)

The value is per team; kamscore gives it to each KAM of the team (the team he leads, or where
he serves as KAM). No data for a team without a positive target or without an actual, and for
a KAM in no team.
"""

import numpy as np

from kamscore import Metric, MetricResult, hookimpl


class TeamGoalAttainment(Metric):
    name = "team_goal_attainment"
    title = "Team goal attainment"
    kind = "team"
    unit = "ratio"
    direction = "higher"
    version = "1"
    facts = ("team_goal_actual", "team_goal_target")
    previous_facts = ()
    survey_measures = ()
    description = __doc__

    def compute(self, ctx, params):
        actual = ctx.facts.team_totals("team_goal_actual")
        target = ctx.facts.team_totals("team_goal_target")
        teams = sorted(ctx.teams)
        a = np.array([actual.get(t, np.nan) for t in teams], dtype=float)
        t = np.array([target.get(t, np.nan) for t in teams], dtype=float)
        ok = ~np.isnan(a) & (t > 0)
        value = np.where(ok, a / np.where(ok, t, 1.0), np.nan)
        reasons = np.where(np.isnan(a), "no team goal actual reported",
                           "no positive team goal target")
        return MetricResult.from_arrays(
            teams, value, subject_type="team",
            inputs={"team_goal_actual": a, "team_goal_target": t},
            reasons=reasons.tolist(),
        )


@hookimpl
def kamscore_register_metrics():
    return [TeamGoalAttainment]
