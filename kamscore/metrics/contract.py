"""The metric contract: what a metric plugin declares and what ``compute`` returns.

A metric is a class. Its class attributes describe it (name, title, kind, unit, direction,
the marshmallow schema of the parameters a ruleset may set, description, version) and its
``compute(ctx, params)`` method computes the values of the *whole population* of a period in
one call, from a :class:`~kamscore.metrics.context.MetricContext` that the framework has
loaded (plain data: the metric never touches the database).

``compute`` returns a :class:`MetricResult`: a mapping from subject code (a KAM's person code,
or a team code for team-level results) to a :class:`MetricValue`. A value of ``None`` is an
explicit "no data" with a reason, which the rulesets treat as their missing-data rule says;
it is never confused with zero.

This module is pure (numpy and marshmallow only) so plugins and their tests need no database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import marshmallow
import numpy as np

from kamscore.metrics.needs import FactNeeds
from kamscore.metrics.record_lists import RecordLists

if TYPE_CHECKING:
    from kamscore.metrics.context import MetricContext

#: What a metric measures. Quantitative metrics come from facts, qualitative ones from survey
#: results and ratings, team metrics from 360° surveys and goals shared by an account team.
KINDS = ("quantitative", "qualitative", "team")

#: Whether a higher or a lower value is better (rulesets check their curves against it).
DIRECTIONS = ("higher", "lower")

#: The units a metric value may have (the engine's vocabulary, ``kamscore.engine.units``):
#: rulesets refuse to compare values of different units and check bounds where there are.
UNITS: Mapping[str, str] = MappingProxyType(
    {
        "ratio": "a plain ratio: 1.0 means 100 % (attainment 1.05, growth 0.08, ROI 4.2)",
        "share": "a share between 0 and 1 (CSAT top-two box, coverage, market share)",
        "percent": "a percentage on a 0..100 scale",
        "points": "points on a scale the metric defines (formulary points)",
        "score": "a mean rating on a survey or rating scale (e.g. 1..5)",
        "index": "an index where 100 means parity (penetration index)",
        "nps": "a net promoter score, -100..100",
        "count": "a number of things",
        "currency": "an amount of money in the settings' CURRENCY",
    }
)

#: Subjects a metric result can be about. Team results are attributed to each KAM of the team.
SUBJECT_KAM = "kam"
SUBJECT_TEAM = "team"
SUBJECT_TYPES = (SUBJECT_KAM, SUBJECT_TEAM)

#: ``n`` for a value that has no "number of responses" behind it (quantitative metrics).
N_NOT_APPLICABLE = -1

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


class NoParams(marshmallow.Schema):
    """The parameters of a metric that takes none: any key is an error."""


class Metric:
    """Base class of every metric plugin's metrics.

    Subclasses set the class attributes below and implement :meth:`compute`. They are
    registered by returning the class from a ``kamscore_register_metrics`` hook
    implementation; the framework instantiates it (without arguments) for each computation.
    """

    #: Unique identifier used in rulesets: lowercase letters, digits and ``_``.
    name: ClassVar[str]
    #: Human title for statements and lists.
    title: ClassVar[str]
    #: One of :data:`KINDS`.
    kind: ClassVar[str]
    #: One of :data:`UNITS`.
    unit: ClassVar[str]
    #: ``"higher"`` or ``"lower"``: which way is better.
    direction: ClassVar[str] = "higher"
    #: Marshmallow schema of the parameters a ruleset may set (defaults with
    #: ``load_default=``). The engine validates ruleset components with it and ``compute``
    #: receives the loaded dict.
    Params: ClassVar[type[marshmallow.Schema]] = NoParams
    #: What the metric measures and from which data; the first line is its summary.
    description: ClassVar[str] = ""
    #: Version of the metric's definition; change it whenever a value could change.
    version: ClassVar[str] = "1"
    #: The names of the facts ``compute`` reads from ``ctx.facts`` (e.g. ``("net_sales",
    #: "sales_target")``; ``()`` when it reads none). A score run then loads only the facts
    #: its ruleset's metrics read, and the metric sees only these. ``None`` (the default):
    #: not declared — every fact of the period is loaded and visible.
    facts: ClassVar[Collection[str] | None] = None
    #: Likewise for ``ctx.previous_facts`` (the same period a year earlier).
    previous_facts: ClassVar[Collection[str] | None] = None
    #: Likewise for the survey measures read from ``ctx.survey_results`` (e.g.
    #: ``("overall_satisfaction",)``; ``()`` for a metric that reads no survey result).
    survey_measures: ClassVar[Collection[str] | None] = None

    @classmethod
    def fact_needs(cls, params: Mapping[str, Any]) -> FactNeeds:
        """The facts and survey measures ``compute(ctx, params)`` reads (``params`` as
        loaded by ``Params``).

        By default the class's :attr:`facts`, :attr:`previous_facts` and
        :attr:`survey_measures`; override it when the names depend on the parameters.
        """
        return FactNeeds.of(cls.facts, cls.previous_facts, cls.survey_measures)

    def compute(self, ctx: MetricContext, params: Mapping[str, Any]) -> MetricResult:
        """Values for the whole population of ``ctx`` (one call per period and parameters)."""
        raise NotImplementedError(f"metric {self.name!r} does not implement compute()")


def check_metric_class(cls: object) -> list[str]:
    """Problems with a metric class's declaration, as messages (empty when it is fine)."""
    if not isinstance(cls, type) or not issubclass(cls, Metric):
        return [f"{cls!r} is not a subclass of kamscore.Metric"]
    problems = []
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not _NAME_RE.match(name):
        problems.append(
            f"name {name!r} must be lowercase letters, digits and '_' (at most 60 characters)"
        )
    for attr in ("title", "version"):
        if not isinstance(getattr(cls, attr, None), str) or not getattr(cls, attr):
            problems.append(f"{attr} must be a non-empty string")
    if getattr(cls, "kind", None) not in KINDS:
        problems.append(f"kind {getattr(cls, 'kind', None)!r} must be one of {KINDS}")
    if getattr(cls, "unit", None) not in UNITS:
        problems.append(f"unit {getattr(cls, 'unit', None)!r} must be one of {tuple(UNITS)}")
    if cls.direction not in DIRECTIONS:
        problems.append(f"direction {cls.direction!r} must be one of {DIRECTIONS}")
    if not isinstance(cls.Params, type) or not issubclass(cls.Params, marshmallow.Schema):
        problems.append("Params must be a marshmallow Schema class")
    if not isinstance(cls.description, str):
        problems.append("description must be a string")
    for attr in ("facts", "previous_facts", "survey_measures"):
        declared = getattr(cls, attr, None)
        if declared is not None and (isinstance(declared, str) or not isinstance(
                declared, Collection) or not all(isinstance(n, str) and n for n in declared)):
            problems.append(f"{attr} must be None or a collection of names, "
                            f"not {declared!r}")
    if cls.compute is Metric.compute:
        problems.append("compute() is not implemented")
    return problems


@dataclass(frozen=True)
class MetricValue:
    """The value of a metric for one subject.

    ``value`` is ``None`` for "no data" (``reason`` then says why), never NaN. ``inputs`` are
    the figures it came from, shown in statements (JSON-serialisable: numbers, strings,
    booleans, None, lists and dicts of them). ``n`` is the number of responses behind a
    survey-based value (``None`` where that does not apply).
    """

    value: float | None
    inputs: Mapping[str, Any] = field(default_factory=dict)
    n: int | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.value is not None:
            if isinstance(self.value, bool) or not isinstance(self.value, int | float | np.number):
                raise TypeError(f"a metric value must be a number or None, not {self.value!r}")
            if not math.isfinite(self.value):
                raise ValueError(
                    f"a metric value must be finite, not {self.value!r}: use value=None "
                    "with a reason for no data"
                )
        if self.n is not None and (
            isinstance(self.n, bool) or not isinstance(self.n, int | np.integer) or self.n < 0
        ):
            raise ValueError(f"n must be a whole number >= 0 or None, not {self.n!r}")

    @classmethod
    def no_data(cls, reason: str, inputs: Mapping[str, Any] | None = None,
                n: int | None = None) -> MetricValue:
        """An explicit "no data" value, with the reason shown to the KAM."""
        return cls(None, inputs or {}, n, reason)


class MetricResult(Mapping[str, MetricValue]):
    """What ``compute`` returns: subject code → :class:`MetricValue`.

    ``subject_type`` is ``"kam"`` (keys are KAM person codes of the context's population) or
    ``"team"`` (keys are team codes; the framework gives each KAM his team's value, see
    ``MetricContext.kams.team``). Subjects left out get "no data".

    Two ways to build one: from a dict of :class:`MetricValue` (clear, fine for small
    populations), or column-wise with :meth:`from_arrays` (fast for 10,000 KAMs: numpy arrays
    of values with NaN for no data, and inputs as columns).
    """

    def __init__(
        self, values: Mapping[str, MetricValue] | None = None, *, subject_type: str = SUBJECT_KAM
    ) -> None:
        self.subject_type = subject_type
        values = dict(values or {})
        self._subjects: tuple[str, ...] | None = tuple(values)
        self._subject_array: np.ndarray | None = None
        self._values = values
        self._columns: _Columns | None = None

    @property
    def subjects(self) -> tuple[str, ...]:
        """The subject codes, in the order of the values."""
        if self._subjects is None:
            self._subjects = tuple(str(s) for s in self._subject_array)  # type: ignore[union-attr]
        return self._subjects

    def has_subjects(self, codes: np.ndarray) -> bool:
        """Whether the subjects are the very array ``codes`` (``from_arrays(ctx.kams.codes,
        ...)``, the usual case): then they need no lookup, one code at a time."""
        return self._subject_array is codes

    @classmethod
    def from_arrays(
        cls,
        subjects: Sequence[str] | np.ndarray,
        values: Sequence[float] | np.ndarray,
        *,
        n: Sequence[int] | np.ndarray | None = None,
        inputs: Mapping[str, Sequence[Any] | np.ndarray | RecordLists] | None = None,
        reasons: Sequence[str | None] | None = None,
        subject_type: str = SUBJECT_KAM,
        items: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> MetricResult:
        """A result from aligned columns: ``values[i]`` is the value of ``subjects[i]``.

        NaN in ``values`` means no data (its reason from ``reasons[i]``); ``n`` uses
        :data:`N_NOT_APPLICABLE` (-1) where no responses stand behind a value; each
        ``inputs`` column holds one input per subject (NaN inputs are shown as None).
        ``items``, for an amount given transaction by transaction (``unit = "currency"``,
        KAM subjects): ``(owner, value)``, two aligned arrays — the position in ``subjects``
        of the KAM credited with each transaction and its credited amount — for commissions
        that rate each transaction on its own (a value should be the sum of its items).
        """
        result = cls(subject_type=subject_type)
        if isinstance(subjects, np.ndarray):  # kept: its tuple of codes is made if read
            result._subjects, result._subject_array = None, subjects
        else:
            result._subjects = tuple(str(s) for s in subjects)
        result._values = None  # type: ignore[assignment]
        result._columns = _Columns(
            values=np.asarray(values, dtype=float),
            n=None if n is None else np.asarray(n),
            inputs={k: v if isinstance(v, np.ndarray | RecordLists) else np.asarray(v, dtype=object)
                    for k, v in (inputs or {}).items()},
            reasons=None if reasons is None else list(reasons),
            items=None if items is None else (np.asarray(items[0], dtype=np.int64),
                                              np.asarray(items[1], dtype=float)),
        )
        return result

    @property
    def columns(self) -> _Columns | None:
        """The column form when built with :meth:`from_arrays` (the framework's fast path)."""
        return self._columns

    def _index(self) -> dict[str, int]:
        if not hasattr(self, "_index_cache"):
            self._index_cache = {s: i for i, s in enumerate(self.subjects)}
        return self._index_cache

    def __getitem__(self, subject: str) -> MetricValue:
        if self._columns is None:
            return self._values[subject]
        return self._columns.value_at(self._index()[subject])

    def __iter__(self) -> Iterator[str]:
        return iter(self.subjects)

    def __len__(self) -> int:
        if self._subjects is None:
            return len(self._subject_array)  # type: ignore[arg-type]
        return len(self._subjects)

    def __repr__(self) -> str:
        return f"<MetricResult {self.subject_type}: {len(self)} subjects>"


@dataclass
class _Columns:
    values: np.ndarray
    n: np.ndarray | None
    inputs: dict[str, np.ndarray]
    reasons: list[str | None] | None
    items: tuple[np.ndarray, np.ndarray] | None = None  # (owner position, amount)

    def value_at(self, i: int) -> MetricValue:
        value = float(self.values[i])
        n = None if self.n is None or int(self.n[i]) < 0 else int(self.n[i])
        inputs = {k: json_scalar(col[i]) for k, col in self.inputs.items()}
        if math.isnan(value):
            reason = self.reasons[i] if self.reasons is not None else None
            return MetricValue(None, inputs, n, reason or "no data")
        return MetricValue(value, inputs, n, None)


def json_scalar(value: Any) -> Any:
    """A numpy scalar as a plain Python value for statements; NaN as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
