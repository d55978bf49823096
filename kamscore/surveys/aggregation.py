"""A campaign's responses → the aggregates that may be reported (pure; no database).

For each subject (account or KAM), each measure and each rater group that may be reported,
one ``Cell``: n, mean, sd, histogram and the figures of its kind (CSAT, NPS with its
interval, share, Cronbach's alpha, self-vs-others gap). Which groups may be reported is
decided by ``disclosure`` in two passes:

1. on the number of *responses* per group (so that a "not applicable" answer never changes
   which groups are shown — otherwise a missing answer could be inferred from a report);
2. per measure, on the number of *answers* to it, starting from the first pass's decisions
   (a group with 3 responses but 2 answers to a question is hidden for that question, and
   its complement too).

Scales are the one place where measures depend on each other (a scale's mean is made of
its items' means), so a scale is reported in a group only with items that are reported
there, and its mean is the mean of those items' means — a linear combination of reported
figures, revealing nothing new. Its sd and Cronbach's alpha (which need each respondent's
answers together) are given only where every respondent of the group answered every item.

Groups of a subject: customers — ``all`` and, inside it, the stakeholders' roles; 360° —
``others`` (everyone but the KAM) and, inside it, manager / peer / cross_functional, plus the
KAM's ``self`` rating, always shown apart, and ``all`` (= others + self), shown where
``others`` is. Whole-campaign figures (subject type ``campaign``) pool the subjects whose top
group is reported: sums of reported figures again, never a route to a hidden group.

Everything is computed per measure for all subjects at once (``ResponseTable`` →
``measure_figures`` → ``group_statistics``): each subject has the same *slots* (top group,
every rater group of the campaign, and in a 360° self and all), a response belongs to its
rater group's slot, to the top slot (unless it is a self-rating) and to ``all``, and every
figure is a group-by over those memberships. ``tests/surveys/reference_aggregation.py`` keeps
the former per-subject version the results are tested equal to.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kamscore.metrics.survey_results import GROUP_ALL, GROUP_OTHERS, GROUP_SELF, SUBJECT_KAM
from kamscore.surveys.cell import Cell
from kamscore.surveys.cell_columns import CellColumns, objects
from kamscore.surveys.disclosure import (
    SHOWN,
    VERDICT_CODES,
    Group,
    Verdict,
    disclose,
    flat_tree_verdicts,
)
from kamscore.surveys.measure_figures import Figures, Gaps, cell_columns, figures, gaps_of
from kamscore.surveys.measures import RATING, Measure, StoredAnswer
from kamscore.surveys.rater_agreement import RaterTable, agreement_columns
from kamscore.surveys.response_table import ResponseTable

SUBJECT_CAMPAIGN = "campaign"
TOP_PRIORITY, GROUP_PRIORITY = 2, 1
TOP = 0  # the top group's slot

__all__ = ["SUBJECT_CAMPAIGN", "CampaignAggregates", "Cell", "ResponseRecord", "SubjectGroups",
           "aggregate", "aggregate_table", "group_verdicts", "subject_tree", "top_group"]


@dataclass(frozen=True)
class ResponseRecord:
    """One submitted response: its subject's code, rater group and answers by item."""

    subject: str
    rater_group: str
    answers: Mapping[str, StoredAnswer]


@dataclass(frozen=True)
class SubjectGroups:
    """How many responded per rater group, and what the first pass decided."""

    responses: dict[str, int]
    verdicts: dict[str, Verdict]


class CampaignAggregates:
    """A campaign's reportable cells (``columns``, or as ``Cell`` objects: ``cells``), its
    subjects' groups and its number of responses."""

    def __init__(self, cells: Sequence[Cell] | CellColumns, subjects: dict[str, SubjectGroups],
                 responses: int) -> None:
        self._cells = None if isinstance(cells, CellColumns) else list(cells)
        self._columns = cells if isinstance(cells, CellColumns) else None
        self.subjects = subjects
        self.responses = responses

    @property
    def columns(self) -> CellColumns:
        if self._columns is None:
            self._columns = CellColumns.from_cells(self._cells or [])
        return self._columns

    @property
    def cells(self) -> list[Cell]:
        if self._cells is None:
            self._cells = self.columns.cells()
        return self._cells

    def __len__(self) -> int:
        return len(self._cells) if self._cells is not None else len(self.columns)


def aggregate(measures: Sequence[Measure], records: Iterable[ResponseRecord], *,
              subject_type: str, campaign_code: str, minimum: int) -> CampaignAggregates:
    """Every reportable cell of one campaign (``minimum``: the smallest reportable group)."""
    return aggregate_table(measures, ResponseTable.from_records(measures, records),
                           subject_type=subject_type, campaign_code=campaign_code,
                           minimum=minimum)


@dataclass(frozen=True)
class Slots:
    """The subjects and group slots of a campaign, and each response's memberships."""

    subjects: np.ndarray  # sorted subject codes
    names: list[str]  # slot names: top, the rater groups (sorted), [self, all]
    is_360: bool
    subject: np.ndarray  # per response (responses sorted by subject, slot, arrival)
    slot: np.ndarray  # per response: its rater group's slot
    resp: np.ndarray  # memberships: response ...
    key: np.ndarray  # ... and group (subject * width + slot)

    @property
    def width(self) -> int:
        return len(self.names)

    @property
    def decided(self) -> int:
        """Slots ``disclose`` decides: top, rater groups and (360°) self — not ``all``."""
        return self.width - 1 if self.is_360 else self.width

    @property
    def groups(self) -> int:
        return len(self.subjects) * self.width

    def count(self, weights: np.ndarray | None = None) -> np.ndarray:
        """Members per group (``weights`` per response), subjects x slots."""
        w = None if weights is None else weights[self.resp].astype(float)
        return np.bincount(self.key, w, minlength=self.groups).reshape(-1, self.width)


def _slots(table: ResponseTable, is_360: bool) -> tuple[Slots, ResponseTable]:
    """The slots of ``table``'s campaign, and the table sorted as they expect."""
    subjects, subject = np.unique(table.subjects.astype(str), return_inverse=True)
    own = (table.groups == GROUP_SELF) if is_360 else np.zeros(len(table), dtype=bool)
    groups = sorted(set(table.groups[~own].tolist()))
    position = {g: p + 1 for p, g in enumerate(groups)}
    own_slot = len(groups) + 1
    slot = np.array([own_slot if o else position[g]
                     for g, o in zip(table.groups.tolist(), own.tolist(), strict=True)],
                    dtype=np.int64)
    order = np.lexsort((np.arange(len(table)), slot, subject))
    subject, slot, own = subject[order], slot[order], own[order]
    names = [top_group(is_360), *groups, *([GROUP_SELF, GROUP_ALL] if is_360 else [])]
    width = len(names)
    rows = np.arange(len(table))
    resp = [rows, rows[~own]]
    key = [subject * width + slot, subject[~own] * width + TOP]
    if is_360:
        resp.append(rows)
        key.append(subject * width + own_slot + 1)
    return (Slots(subjects, names, is_360, subject, slot, np.concatenate(resp),
                  np.concatenate(key)), table.take(order))


def aggregate_table(measures: Sequence[Measure], table: ResponseTable, *, subject_type: str,
                    campaign_code: str, minimum: int) -> CampaignAggregates:
    """``aggregate`` of the responses in ``table``."""
    if not len(table):
        return CampaignAggregates([], {}, 0)
    is_360 = subject_type == SUBJECT_KAM
    slots, table = _slots(table, is_360)
    d = slots.decided
    members = slots.count()
    first = flat_tree_verdicts(members[:, :d], minimum, exempt_last=is_360)
    first_shown = first == SHOWN
    apart = np.zeros(d, dtype=bool)
    if is_360:
        apart[-1] = True  # the self-rating: shown apart whatever the first pass decided
    item_shown: dict[str, np.ndarray] = {}
    done: list[tuple[Measure, Figures, np.ndarray]] = []  # measure, figures, top reported
    keyed: list[tuple[np.ndarray, CellColumns]] = []
    subjects, names = objects(slots.subjects), objects(slots.names)
    for number, measure in enumerate(measures):
        if measure.is_scale:
            inside = np.stack([item_shown.get(i, np.zeros_like(first_shown))
                               for i in measure.items], axis=-1)
            shown = inside.any(axis=-1) & (first_shown | apart)
            included = np.concatenate([inside, inside[:, TOP:TOP + 1]] if is_360 else [inside],
                                      axis=1).reshape(slots.groups, -1)
            f = figures(measure, table, slots.resp, slots.key, slots.groups, included=included)
        else:
            f = figures(measure, table, slots.resp, slots.key, slots.groups)
            answered = f.n.reshape(-1, slots.width)[:, :d]
            shown = flat_tree_verdicts(answered, minimum, exempt_last=is_360,
                                       hidden=~first_shown) == SHOWN
            item_shown[measure.id] = shown
        reported = np.zeros((len(slots.subjects), slots.width), dtype=bool)
        reported[:, :d] = shown & (members[:, :d] > 0)
        reported &= f.n.reshape(-1, slots.width) > 0
        if is_360:
            reported[:, -1] = reported[:, TOP]
        index = np.flatnonzero(reported)
        found = cell_columns(f, index, subject_type, subjects[index // slots.width],
                             names[index % slots.width],
                             _gaps(f, index, reported, slots) if is_360 else None)
        order = (index // slots.width * len(measures) + number) * slots.width \
            + index % slots.width
        keyed.append((order, found))
        done.append((measure, f, reported[:, TOP]))
    order = np.argsort(np.concatenate([k for k, _ in keyed]), kind="stable")
    result = CellColumns.concat([
        *(found for _, found in keyed),
        agreement_columns(_rater_tables(measures, item_shown, first_shown, members, table,
                                        slots), subject_type),
        _campaign_cells(done, table, slots, campaign_code)])
    # the measures' cells in subject order, then the others as they came: one copy
    result = result.take(np.concatenate([order, np.arange(len(order), len(result))]))
    return CampaignAggregates(result, _subject_groups(slots, members, first), len(table))


def _gaps(f: Figures, index: np.ndarray, reported: np.ndarray, slots: Slots) -> Gaps:
    """The self-rating rows among ``index`` whose top group is reported, and their gaps."""
    own_slot = slots.width - 2
    slot = index % slots.width
    subject = index // slots.width
    mine = (slot == own_slot) & reported[subject, TOP]
    return gaps_of(mine, f, index[mine], f, subject[mine] * slots.width + TOP)


def _rater_tables(measures: Sequence[Measure], item_shown: Mapping[str, np.ndarray],
                  first_shown: np.ndarray, members: np.ndarray, table: ResponseTable,
                  slots: Slots) -> list[RaterTable]:
    """360°: the items x raters table of each subject's shown top and rater groups with
    two raters or more, on the rating items shown there, the most common scale's (two or
    more of them)."""
    rated = [m for m in measures if m.kind == RATING]
    if not slots.is_360 or len(rated) < 2:
        return []
    width, inner = slots.width, slots.width - 2  # slots 0 .. inner - 1: top, rater groups
    shown = np.stack([item_shown[m.id][:, :inner] for m in rated], axis=-1)
    subject, slot = np.nonzero(first_shown[:, :inner] & (members[:, :inner] >= 2)
                               & (shown.sum(axis=-1) >= 2))
    own = slots.subject * width + slots.slot  # ascending
    start = np.searchsorted(own, subject * width + np.where(slot == TOP, 1, slot), "left")
    end = np.searchsorted(own, subject * width + np.where(slot == TOP, inner - 1, slot), "right")
    chosen: dict[tuple[bool, ...], tuple[list[int], tuple[str, ...], tuple] | None] = {}
    tables = []
    for s, g, a, b, pattern in zip(subject.tolist(), slot.tolist(), start.tolist(), end.tolist(),
                                   shown[subject, slot].tolist(), strict=True):
        key = tuple(pattern)
        if key not in chosen:
            here = [m for m, p in zip(rated, pattern, strict=True) if p]
            scale, _ = Counter((m.scale_min, m.scale_max) for m in here).most_common(1)[0]
            items = [m for m in here if (m.scale_min, m.scale_max) == scale]
            chosen[key] = None if len(items) < 2 else (
                [table.columns[m.id] for m in items], tuple(m.id for m in items), scale)
        if (choice := chosen[key]) is not None:
            columns, ids, scale = choice
            tables.append(RaterTable(str(slots.subjects[s]), slots.names[g], ids,
                                     np.ascontiguousarray(table.values[a:b, columns].T), *scale))
    return tables


def _campaign_cells(done: Sequence[tuple[Measure, Figures, np.ndarray]], table: ResponseTable,
                    slots: Slots, campaign_code: str) -> CellColumns:
    """Whole-campaign cells: the pooled reported top groups (and, for 360s, self-ratings).

    A scale's mean is the mean of its items' pooled means; its sd and alpha are pooled only
    if every subject's top cell had them (else the pool would hold answers to items that
    were hidden in some subject).
    """
    top = slots.names[TOP]
    own = slots.slot == slots.width - 2 if slots.is_360 else np.zeros(len(table), dtype=bool)
    selves = np.flatnonzero(own)
    found: list[CellColumns] = []
    item_means: dict[str, float] = {}
    code, tops, own_group = objects([campaign_code]), objects([top]), objects([GROUP_SELF])
    for measure, f, reported in done:
        pooled = np.flatnonzero(reported[slots.subject] & ~own)
        one = np.zeros(len(pooled), dtype=np.int64)
        if measure.is_scale:
            means = np.array([[item_means.get(i, np.nan) for i in measure.items]])
            complete = f.scale.complete.reshape(-1, slots.width)[reported, TOP]  # type: ignore
            pool = figures(measure, table, pooled, one, 1,
                           included=np.array([[i in item_means for i in measure.items]]),
                           allowed=np.array([bool(complete.all())]), item_means=means)
        else:
            pool = figures(measure, table, pooled, one, 1)
        index = np.flatnonzero(pool.n > 0)
        cell = cell_columns(pool, index, SUBJECT_CAMPAIGN, code[:len(index)], tops[:len(index)])
        if len(cell) and not measure.is_scale:
            item_means[measure.id] = pool.mean[0]
        found.append(cell)
        if slots.is_360:
            mine = figures(measure, table, selves, np.zeros(len(selves), dtype=np.int64), 1)
            index = np.flatnonzero(mine.n > 0)
            gaps = gaps_of(np.ones(1, dtype=bool), mine, np.array([0]), pool, np.array([0])) \
                if len(index) and len(cell) else None
            found.append(cell_columns(mine, index, SUBJECT_CAMPAIGN, code[:len(index)],
                                      own_group[:len(index)], gaps))
    return CellColumns.concat(found)


def _subject_groups(slots: Slots, members: np.ndarray, first: np.ndarray
                    ) -> dict[str, SubjectGroups]:
    d = slots.decided
    found = {}
    for subject, counts, verdicts in zip(slots.subjects.tolist(), members[:, :d].tolist(),
                                         first.tolist(), strict=True):
        keep = [s for s in range(d) if counts[s] or s == TOP or (slots.is_360 and s == d - 1)]
        found[subject] = SubjectGroups(
            responses={slots.names[s]: counts[s] for s in keep},
            verdicts={slots.names[s]: VERDICT_CODES[verdicts[s]] for s in keep})
    return found


def top_group(is_360: bool) -> str:
    """The group a subject's headline figures are about: "others" in a 360°, else "all"."""
    return GROUP_OTHERS if is_360 else GROUP_ALL


def subject_tree(count: Mapping[str, int], rater_groups: Sequence[str], *,
                 is_360: bool) -> list[Group]:
    """The groups of one subject for ``disclose``: the top group, the rater groups inside
    it and, in a 360°, the self-rating apart (exempt). ``count`` has the top's total."""
    top = top_group(is_360)
    nodes = [Group(top, count[top], priority=TOP_PRIORITY)]
    nodes += [Group(g, count[g], top, priority=GROUP_PRIORITY) for g in rater_groups]
    if is_360:
        nodes.append(Group(GROUP_SELF, count.get(GROUP_SELF, 0), exempt=True))
    return nodes


def group_verdicts(responses: Mapping[str, int], *, is_360: bool, minimum: int
                   ) -> dict[str, Verdict]:
    """Which rater groups of one subject may be reported, from their response counts
    (``responses`` by rater group, self included, top group not needed)."""
    groups = sorted(g for g in responses if g not in (GROUP_SELF, top_group(is_360)))
    counts = dict(responses)
    counts[top_group(is_360)] = sum(responses[g] for g in groups)
    return {str(k): v for k, v in disclose(subject_tree(counts, groups, is_360=is_360),
                                           minimum).items()}
