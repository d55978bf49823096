"""The plugin contract: kamscore's hook specifications, in the style of pytest's ``hookspec``.

A plugin is a module (or any object) with functions decorated ``@hookimpl`` whose names are
the hooks below. ``from kamscore import hookimpl`` is all a plugin needs to take part; the
metric contract (``Metric``, ``MetricResult``, ``MetricValue``) is importable from
``kamscore`` too. kamscore always calls hooks with **keyword arguments**, so an
implementation may accept fewer arguments than the spec names (pluggy passes only those it
asks for), and new arguments can be added to a spec later without breaking plugins.

Unless a hook says ``firstresult``, every implementation is called and the results are
collected in a list (``None`` results are dropped). A ``firstresult`` hook stops at the first
implementation that returns something other than ``None``; implementations marked
``@hookimpl(tryfirst=True)`` are asked first, and the most recently registered plugin before
older ones.

The hooks are grouped by the phase in which kamscore calls them:

1. start-up (``build_plugin_manager``): :func:`kamscore_register_metrics`,
   :func:`kamscore_expression_functions`;
2. loading a period's metric context (once per score run, statement or what-if):
   :func:`kamscore_survey_results`;
3. after a score run: :func:`kamscore_score_run_finished`.

Every hook is listed in ``docs/plugins.md`` (a test checks it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kamscore.metrics.contract import Metric
    from kamscore.metrics.survey_results import SurveyResults
    from kamscore.models import Period

PROJECT = "kamscore"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --------------------------------------------------------------------------------------------
# 1. Start-up: called once by build_plugin_manager(), after every plugin is registered.
# --------------------------------------------------------------------------------------------


@hookspec
def kamscore_register_metrics() -> list[type[Metric]]:
    """Return the metric classes this plugin provides.

    Each class subclasses ``kamscore.Metric`` and declares ``name``, ``title``, ``kind``,
    ``unit``, ``direction``, ``Params`` (a marshmallow schema), ``description`` and
    ``version`` (see docs/plugins.md, "The metric contract").

    Called once at start-up, for every plugin (not ``firstresult``): kamscore calls each
    implementation on its own so that it knows which plugin provides which metric. A metric
    name provided twice, or a class that breaks the contract, stops the start-up with an
    error naming both plugins or the plugin and the problem.

    *Why a hook*: metrics are the reason plugins exist. Built-in metrics are registered
    through this same hook, from modules in ``plugins/``, so the core never names a metric.
    """


@hookspec
def kamscore_expression_functions() -> dict[str, Callable[..., Any]]:
    """Return extra functions for ruleset expressions: ``{name: function}``.

    Each function is *vectorised*: it receives numpy arrays (one element per KAM; scalars
    broadcast) as positional arguments and returns an array of the same length, without
    side effects or I/O. Names are lowercase identifiers; a name already provided by the
    expression language or by another plugin stops the start-up with an error naming the
    plugins. Called once at start-up for every plugin (not ``firstresult``).

    *Why a hook*: rulesets' expressions are deliberately small (arithmetic, comparison,
    ``min``/``max``/``clip``/``if``); a company that needs, say, a specific rounding or a
    banded lookup adds it as a reviewed Python function instead of stretching the language.
    """


# --------------------------------------------------------------------------------------------
# 2. Loading a period's metric context: called by kamscore.scoring.context_loader once per load.
# --------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def kamscore_survey_results(session: Session, period: Period,
                            measures: frozenset[str] | None,
                            settings: Mapping[str, Any]) -> SurveyResults | None:
    """Return the survey results of ``period`` for qualitative and team metrics, or None.

    ``measures`` are the survey measures the run's metrics declare (``None``: every one);
    an implementation may return only those (the default one does) or more — metrics only
    ever see what they declared. ``settings`` are the app's settings (read-only): an
    implementation must leave out every group smaller than ``SURVEY_MIN_GROUP``
    respondents, so that a metric sees "no data" for it — no survey figure of a group under
    the minimum ever reaches a score, a statement or an export.

    ``firstresult``: the first implementation returning a ``SurveyResults`` wins. kamscore's
    own ``kamscore.facts.survey_results_from_facts`` builds them from imported facts named
    ``survey.*`` (see docs/plugins.md) and is asked last (``trylast``); the surveys
    capability answers first (``tryfirst``) with the aggregates of the period's closed
    campaigns. An implementation returns None to let the next one answer (e.g. when it has
    nothing for this period). ``session`` is open for reading only; an implementation must
    not write.

    *Why a hook*: qualitative and team metrics read survey results through one interface
    (``kamscore.metrics.survey_results``) whoever collected them, so the metric plugins do not
    change when live surveys replace imported figures.
    """


# --------------------------------------------------------------------------------------------
# 3. Notifications: called after something happened; return values are ignored.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRunSummary:
    """What a ``kamscore_score_run_finished`` implementation learns about a finished run.

    Plain data (no ORM object, no open session), so a plugin can hand it to another system
    without holding anything of kamscore's. ``total_payout`` is in ``currency`` after the
    ruleset's rounding; ``corrects_run_id`` names the run that this one corrects, if any;
    ``failed_metrics`` lists the metric request keys that failed (their KAMs are held or
    treated as the ruleset says).
    """

    run_id: int
    period: str
    ruleset: str
    ruleset_version: int
    kams: int
    total_payout: float
    currency: str
    finished_at: dt.datetime
    corrects_run_id: int | None = None
    failed_metrics: tuple[str, ...] = ()


@hookspec
def kamscore_score_run_finished(run: ScoreRunSummary) -> None:
    """Called once after a score run has been stored (committed), with its summary.

    Every implementation is called; what they return is ignored. An exception in an
    implementation is logged with the plugin's name and does not undo or fail the run (it is
    already stored). Implementations should be quick: the caller waits for them.

    *Why a hook*: payroll exports, notifications to finance or a data warehouse load belong
    to each company's own integrations, not to kamscore's core.
    """
