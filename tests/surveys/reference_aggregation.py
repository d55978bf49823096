"""The previous, per-subject pure-Python aggregation (before it was vectorised), kept as the
reference the vectorised ``kamscore.surveys.aggregation`` is tested against
(``test_aggregation_reference.py``) and timed beside (``benchmarks/survey_results.py``).
Not used by the application.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kamscore.metrics.survey_results import GROUP_ALL, GROUP_SELF, SUBJECT_KAM
from kamscore.surveys.aggregation import (
    SUBJECT_CAMPAIGN,
    CampaignAggregates,
    Cell,
    ResponseRecord,
    SubjectGroups,
    subject_tree,
    top_group,
)
from kamscore.surveys.disclosure import Group, Verdict, disclose
from kamscore.surveys.measures import (
    BINARY,
    CHOICE,
    NPS,
    RATING,
    Measure,
    measure_value,
    numeric_value,
)
from kamscore.surveys.rater_agreement import (
    AGREEMENT_MEASURE,
    RaterTable,
    agreement_details,
    rater_table,
)
from kamscore.surveys.reliability import cronbach_alpha_pairwise, gap_interval
from kamscore.surveys.statistics import (
    cronbach_alpha,
    describe,
    describe_histogram,
    gap,
    net_promoter,
    top_box_share,
)

TOP_PRIORITY, GROUP_PRIORITY = 2, 1


def aggregate(measures: Sequence[Measure], records: Iterable[ResponseRecord], *,
              subject_type: str, campaign_code: str, minimum: int) -> CampaignAggregates:
    """Every reportable cell of one campaign (``minimum``: the smallest reportable group)."""
    is_360 = subject_type == SUBJECT_KAM
    top = top_group(is_360)
    by_subject: dict[str, list[ResponseRecord]] = defaultdict(list)
    count = 0
    for record in records:
        by_subject[record.subject].append(record)
        count += 1
    cells: list[Cell] = []
    subjects: dict[str, SubjectGroups] = {}
    shown_tops: dict[str, dict[str, list[ResponseRecord]]] = defaultdict(dict)
    complete_tops: dict[str, bool] = defaultdict(lambda: True)
    agreement_tables: list[RaterTable] = []
    for subject in sorted(by_subject):
        result = _subject_cells(measures, by_subject[subject], subject_type, subject, top,
                                is_360, minimum)
        cells += result.cells
        subjects[subject] = result.groups
        for measure_id, members in result.top_members.items():
            shown_tops[measure_id][subject] = members
        for measure_id, complete in result.top_complete.items():
            complete_tops[measure_id] &= complete
        agreement_tables += result.rater_tables
    cells += _agreement_cells(agreement_tables, subject_type)
    selves = [r for r in by_subject_records(by_subject) if r.rater_group == GROUP_SELF]
    cells += _campaign_cells(measures, shown_tops, complete_tops, selves if is_360 else None,
                             campaign_code, top)
    return CampaignAggregates(cells, subjects, count)


@dataclass
class _SubjectResult:
    cells: list[Cell]
    groups: SubjectGroups
    top_members: dict[str, list[ResponseRecord]]  # measure → top group's responses, if shown
    top_complete: dict[str, bool]  # scale → every top respondent answered every item
    rater_tables: list[RaterTable]  # 360°: each shown rater group's items x raters


def _subject_cells(measures: Sequence[Measure], records: list[ResponseRecord], subject_type: str,
                   subject: str, top: str, is_360: bool, minimum: int) -> _SubjectResult:
    members: dict[str, list[ResponseRecord]] = defaultdict(list)
    for r in records:
        members[GROUP_SELF if is_360 and r.rater_group == GROUP_SELF else r.rater_group].append(r)
    self_records = members.pop(GROUP_SELF, []) if is_360 else []
    rater_groups = sorted(members)
    members[top] = [r for g in rater_groups for r in members[g]]
    if is_360:
        members[GROUP_SELF] = self_records

    def tree(count: Mapping[str, int]) -> list[Group]:
        return subject_tree(count, rater_groups, is_360=is_360)

    responses = {g: len(rs) for g, rs in members.items()}
    first = disclose(tree(responses), minimum)
    hidden: set[Hashable] = {g for g, v in first.items() if v is not Verdict.SHOWN}
    cells: list[Cell] = []
    top_members: dict[str, list[ResponseRecord]] = {}
    top_complete: dict[str, bool] = {}
    item_verdicts: dict[str, dict[Hashable, Verdict]] = {}

    def emit(measure: Measure, group: str, rs: list[ResponseRecord], **extra: Any) -> Cell:
        cell = _cell(measure, rs, subject_type, subject, group, **extra)
        cells.append(cell)
        return cell

    for measure in measures:
        if measure.is_scale:
            shown = {g: _scale_items_shown(measure, item_verdicts, g) for g in members}
            verdict = {g: Verdict.SHOWN if shown[g] and (g == GROUP_SELF or first[g] is
                                                         Verdict.SHOWN) else Verdict.WITHHELD
                       for g in members}
        else:
            answered = {g: sum(measure_value(measure, r.answers) is not None for r in rs)
                        for g, rs in members.items()}
            verdict = disclose(tree(answered), minimum, withheld=hidden)
            item_verdicts[measure.id] = verdict
            shown = {g: [] for g in members}
        by_group: dict[str, Cell] = {}
        for g in [top, *rater_groups, *([GROUP_SELF] if is_360 else [])]:
            if verdict.get(g) is not Verdict.SHOWN or not members[g]:
                continue
            cell = emit(measure, g, members[g], included=shown[g])
            if cell.n == 0:
                cells.pop()
                continue
            by_group[g] = cell
        if top in by_group:
            top_members[measure.id] = members[top]
            top_complete[measure.id] = bool(by_group[top].details.get("complete"))
        if is_360 and top in by_group:
            emit(measure, GROUP_ALL, members[top] + members[GROUP_SELF], included=shown[top])
            # others + self: sums of two reported cells, so it reveals nothing new
        if GROUP_SELF in by_group and top in by_group:
            _add_gap(by_group[GROUP_SELF], by_group[top])
    tables: list[RaterTable] = []
    if is_360:
        for g in [top, *rater_groups]:
            if first[g] is Verdict.SHOWN:
                table = rater_table(measures, item_verdicts, members[g], subject, g)
                if table is not None:
                    tables.append(table)
    groups = SubjectGroups(responses=responses, verdicts=dict(first))
    return _SubjectResult(cells, groups, top_members, top_complete, tables)


def _agreement_cells(tables: Sequence[RaterTable], subject_type: str) -> list[Cell]:
    """One ``agreement`` cell per subject and shown rater group (n: the raters)."""
    return [Cell(subject_type, t.subject, AGREEMENT_MEASURE, t.group, int(t.table.shape[1]),
                 None, None, t.scale_min, t.scale_max, {}, details)
            for t, details in zip(tables, agreement_details(tables), strict=True)
            if details is not None]


def _add_gap(own: Cell, others: Cell) -> None:
    """Self minus others on the self-rating's cell, with its confidence interval."""
    own.details["gap"] = gap(own.mean, others.mean)
    interval = gap_interval(own.n, own.mean, own.sd, others.n, others.mean, others.sd)
    if interval is not None and interval.low is not None:
        own.details.update(gap_ci_low=interval.low, gap_ci_high=interval.high,
                           gap_confidence=interval.confidence, gap_method=interval.method)


def _scale_items_shown(measure: Measure, item_verdicts: Mapping[str, Mapping[Hashable, Verdict]],
                       group: str) -> list[str]:
    return [i for i in measure.items
            if item_verdicts.get(i, {}).get(group) is Verdict.SHOWN]


def by_subject_records(by_subject: Mapping[str, list[ResponseRecord]]) -> list[ResponseRecord]:
    return [r for subject in sorted(by_subject) for r in by_subject[subject]]


def _campaign_cells(measures: Sequence[Measure],
                    shown_tops: Mapping[str, Mapping[str, list[ResponseRecord]]],
                    complete_tops: Mapping[str, bool], selves: list[ResponseRecord] | None,
                    campaign_code: str, top: str) -> list[Cell]:
    """Whole-campaign cells: the pooled reported top groups (and, for 360s, self-ratings).

    A scale's mean is the mean of its items' pooled means; its sd and alpha are pooled only
    if every subject's top cell had them (else the pool would hold answers to items that
    were hidden in some subject).
    """
    cells: list[Cell] = []
    item_cells: dict[str, Cell] = {}
    for measure in measures:
        pooled = [r for rs in shown_tops.get(measure.id, {}).values() for r in rs]
        if measure.is_scale:
            items = [i for i in measure.items if i in item_cells]
            cell = _cell(measure, pooled, SUBJECT_CAMPAIGN, campaign_code, top, included=items,
                         item_means=[item_cells[i].mean for i in items],
                         spread=complete_tops[measure.id])
        else:
            cell = _cell(measure, pooled, SUBJECT_CAMPAIGN, campaign_code, top)
            if cell.n:
                item_cells[measure.id] = cell
        if cell.n:
            cells.append(cell)
        if selves is not None:
            own = _cell(measure, selves, SUBJECT_CAMPAIGN, campaign_code, GROUP_SELF,
                        included=list(measure.items))
            if own.n:
                if cell.n:
                    _add_gap(own, cell)
                cells.append(own)
    return cells


def _cell(measure: Measure, records: Sequence[ResponseRecord], subject_type: str, subject: str,
          group: str, *, included: Sequence[str] = (),
          item_means: Sequence[float | None] | None = None, spread: bool = True) -> Cell:
    """The aggregate of ``records`` for one measure (``included``: a scale's shown items)."""
    base = dict(subject_type=subject_type, subject=subject, measure=measure.id,
                rater_group=group, scale_min=measure.scale_min, scale_max=measure.scale_max)
    if measure.is_scale:
        return Cell(**base, **_scale_stats(measure, records, included, item_means, spread))
    values = [v for r in records if (v := measure_value(measure, r.answers)) is not None]
    if measure.kind == CHOICE:
        counts = Counter(str(v) for v in values)
        numbers = [a[0] for r in records
                   if (a := r.answers.get(measure.id)) is not None and a[0] is not None]
        summary = describe(numbers)
        return Cell(**base, n=len(values), mean=summary.mean, sd=summary.sd,
                    histogram={o: counts[o] for o in measure.options if counts[o]})
    counts = Counter(int(v) for v in values if float(v).is_integer())
    whole = sum(counts.values()) == len(values)
    summary = describe_histogram(counts) if whole else describe(values)
    details: dict[str, Any] = {}
    if measure.kind == RATING and measure.scale_max is not None and values and whole:
        details["csat"] = top_box_share(counts, measure.scale_max)
    elif measure.kind == NPS and values:
        result = net_promoter(counts)
        assert result is not None
        details.update(nps=result.score, nps_ci_low=result.ci_low, nps_ci_high=result.ci_high,
                       nps_confidence=result.confidence, nps_method=result.method,
                       promoters=result.promoters, passives=result.passives,
                       detractors=result.detractors)
    elif measure.kind == BINARY and values:
        details["share"] = summary.mean
    return Cell(**base, n=summary.n, mean=summary.mean, sd=summary.sd,
                histogram={str(k): counts[k] for k in sorted(counts)} if whole else {},
                details=details)


def _scale_stats(measure: Measure, records: Sequence[ResponseRecord], included: Sequence[str],
                 item_means: Sequence[float | None] | None, spread: bool) -> dict[str, Any]:
    """A scale's n, mean, and (where allowed and defined) sd and Cronbach's alpha.

    n counts the respondents who answered at least one of the scale's items. The mean is
    the mean of the ``included`` items' means (``item_means`` when given, else over
    ``records``). sd (of each respondent's mean of the items) and alpha are given only when
    every item is included, every respondent answered every item and ``spread`` allows it.
    """
    vectors = ([numeric_value(r.answers.get(i)) for i in measure.items] for r in records)
    rows = [row for row in vectors if any(v is not None for v in row)]
    if item_means is None:
        columns = {i: [row[k] for row in rows if row[k] is not None]
                   for k, i in enumerate(measure.items)}
        item_means = [sum(columns[i]) / len(columns[i]) for i in included if columns[i]]
    means = [m for m in item_means if m is not None]
    complete = (spread and bool(rows) and list(included) == list(measure.items)
                and all(v is not None for row in rows for v in row))
    sd = alpha = None
    if complete:
        sd = describe(sum(row) / len(row) for row in rows).sd
        alpha = cronbach_alpha(rows)
    details: dict[str, Any] = {"items": list(included), "complete": complete, "alpha": alpha}
    if spread and rows and list(included) == list(measure.items):
        # the two ways of handling missing answers, shown side by side where every item
        # of the scale is reported in the group (listwise: complete rows only)
        details["alpha_listwise"] = alpha if complete else cronbach_alpha(rows)
        details["alpha_pairwise"] = alpha if complete else cronbach_alpha_pairwise(rows)
    return dict(n=len(rows) if means else 0, mean=sum(means) / len(means) if means else None,
                sd=sd, histogram={}, details=details)
