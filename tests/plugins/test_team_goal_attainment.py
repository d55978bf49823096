"""Team goal attainment shared by the team's KAMs; worked by hand."""

from metric_ctx import context, fact, kams

from kamscore.metrics.assemble import TeamMemberRow, TeamRow


def test_shared_by_the_members(compute, value_of):
    ctx = context(
        people=kams("K1", "K2", "K3", "K4"),
        teams=[TeamRow("T1", "Oncology North", "K1"), TeamRow("T2", "Vaccines", "K3")],
        team_members=[
            TeamMemberRow("T1", "K1", "kam"),
            TeamMemberRow("T1", "M1", "msl"),
            TeamMemberRow("T1", "K2", "kam"),
            TeamMemberRow("T2", "K2", "other"),  # K2 helps T2, but his team is T1
        ],
        facts=[
            fact("team_goal_actual", 90, team="T1"), fact("team_goal_target", 120, team="T1"),
            fact("team_goal_actual", 50, team="T2"),  # T2 has no target
        ],
    )
    values = compute(ctx, "team_goal_attainment")
    assert values.subject_type == "team"
    # T1: 90 / 120 = 0.75, for K1 (lead) and K2 (member as KAM)
    assert value_of(values, "K1") == 0.75
    assert value_of(values, "K2") == 0.75
    assert values.inputs(1) == {"team": "T1", "team_goal_actual": 90.0,
                                "team_goal_target": 120.0}
    assert value_of(values, "K3") is None
    assert values.reasons[2] == "no positive team goal target"
    assert value_of(values, "K4") is None
    assert values.reasons[3] == "not a member of an account team"
