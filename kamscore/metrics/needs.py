"""Which facts a computation reads, so a score run loads only those.

A period of the 10,000-KAM demo holds about 1.5 million facts under a dozen names; a ruleset
typically reads two thirds of them. Each metric declares the fact names its ``compute`` reads
(``Metric.facts`` and ``Metric.previous_facts``, or ``Metric.fact_needs(params)`` when they
depend on the parameters); the score run loads the union over its components, plus what the
context itself needs (:data:`kamscore.metrics.assemble.FOCUS_FACT`) and the ruleset's declared
attributes.

A metric that does not declare its facts (``None``, the default) still works: every fact of
the period is then loaded. A metric that declares its facts sees *only* those: reading
another one raises :class:`UndeclaredFactError`, whatever other metrics of the run loaded, so
a missing declaration fails at once and always — never as a silent "no data".

Pure: no database, no Flask.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


class UndeclaredFactError(LookupError):
    """A fact was read that the metric (or the loaded context) does not cover."""

    def __init__(self, name: str, scope: Collection[str], *, previous: bool = False) -> None:
        where = "ctx.previous_facts" if previous else "ctx.facts"
        declared = ", ".join(sorted(scope)) or "none"
        super().__init__(
            f"fact {name!r} was read from {where} but is not among the facts declared for "
            f"it ({declared}): add it to the metric's "
            f"{'previous_facts' if previous else 'facts'} (or fact_needs) so runs load it")
        self.name = name


def _names(names: Collection[str] | None, what: str) -> frozenset[str] | None:
    if names is None:
        return None
    if isinstance(names, str):
        raise TypeError(f"{what} must be a collection of fact names, not the string {names!r}")
    bad = [n for n in names if not isinstance(n, str) or not n]
    if bad:
        raise TypeError(f"{what} must hold fact names (non-empty strings), not {bad[0]!r}")
    return frozenset(names)


@dataclass(frozen=True)
class FactNeeds:
    """Fact names read from the period (``current``) and from the same period a year earlier
    (``previous``). ``None`` means "not declared": every fact of that period."""

    current: frozenset[str] | None = frozenset()
    previous: frozenset[str] | None = frozenset()

    @classmethod
    def of(cls, current: Collection[str] | None = (),
           previous: Collection[str] | None = ()) -> FactNeeds:
        """Needs from any collections of names (checked: a bare string is an error)."""
        return cls(_names(current, "facts"), _names(previous, "previous_facts"))

    @classmethod
    def everything(cls) -> FactNeeds:
        """Every fact of both periods (what an undeclared metric needs)."""
        return cls(None, None)

    def union(self, other: FactNeeds) -> FactNeeds:
        return FactNeeds(_union(self.current, other.current),
                         _union(self.previous, other.previous))

    def covers(self, other: FactNeeds) -> bool:
        """Whether a context loaded for these needs can serve ``other``."""
        return _covers(self.current, other.current) and _covers(self.previous, other.previous)

    def describe(self) -> dict[str, list[str] | None]:
        """Plain data for logs and benchmarks: sorted names, None for "all"."""
        return {"facts": None if self.current is None else sorted(self.current),
                "previous_facts": None if self.previous is None else sorted(self.previous)}


def _union(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    return None if a is None or b is None else a | b


def _covers(have: frozenset[str] | None, want: frozenset[str] | None) -> bool:
    return have is None or (want is not None and want <= have)
