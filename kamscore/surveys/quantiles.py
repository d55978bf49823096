"""Quantiles of Student's t and Fisher's F distributions, for the survey statistics' intervals.

They come from ``scipy.stats``, imported on first use: importing it loads most of scipy (about
60 MB of a process's memory, and a second of start-up), and only the interval computations
need it — never a score run, an import or a page that shows no interval.
"""

from __future__ import annotations

from typing import Any


def t_ppf(q: Any, df: Any) -> Any:
    """The ``q`` quantile of Student's t with ``df`` degrees of freedom (arrays broadcast)."""
    from scipy import stats

    return stats.t.ppf(q, df)


def f_ppf(q: Any, dfn: Any, dfd: Any) -> Any:
    """The ``q`` quantile of Fisher's F with ``dfn``, ``dfd`` degrees of freedom."""
    from scipy import stats

    return stats.f.ppf(q, dfn, dfd)
