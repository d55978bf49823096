"""Registering the plugins found: validation, the metric registry, the expression functions.

:func:`register_plugins` is the one path every plugin takes — kamscore's defaults, the
built-in metrics, folder modules and pip-installed distributions alike. Any of these stops
the start-up with a :class:`PluginError` naming the plugin and the cause: two plugins with the
same name, a disabled name that no plugin has, a plugin that fails to import (a syntax error
names the file and line), a hook implementation that matches no hook specification or has
arguments the specification does not offer, a start-up hook that raises, a metric class
that breaks the contract, and two plugins providing the same metric or expression function
name. Plugins named in ``disabled`` are neither imported nor registered.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pluggy

from kamscore import hookspecs
from kamscore.hookspecs import PROJECT
from kamscore.metrics.contract import check_metric_class
from kamscore.metrics.registry import ExpressionFunction, MetricRegistry, RegisteredMetric
from kamscore.plugin_host.discovery import FoundPlugin
from kamscore.plugin_host.errors import PluginError

if TYPE_CHECKING:
    from kamscore.plugin_host.manager import KamscorePluginManager

_FUNCTION_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class PluginInfo:
    """What ``kamscore plugins`` lists, and what a score run records of each plugin."""

    name: str
    version: str | None
    source: str  # default, bundled, plugins_dir or entry_point
    location: str  # file, module or "distribution x y, entry point z"
    metrics: tuple[str, ...] = ()
    expression_functions: tuple[str, ...] = ()
    disabled: bool = False
    entry_point: str | None = None  # the entry point's value, when found through one


def register_plugins(pm: KamscorePluginManager, found: Sequence[FoundPlugin],
                     disabled: Iterable[str] = ()) -> None:
    """Load, register and validate the plugins found, in their order, into ``pm``; raise
    :class:`PluginError` on the first problem."""
    disabled_names = set(disabled)
    seen: dict[str, FoundPlugin] = {}
    for item in found:
        if item.name in seen:
            raise PluginError(item.name, f"two plugins have this name: {seen[item.name].location}"
                              f" and {item.location}", item.location)
        seen[item.name] = item
    unknown = disabled_names - set(seen)
    if unknown:
        raise PluginError(sorted(unknown)[0], "DISABLED_PLUGINS names a plugin that does not "
                          f"exist; the plugins are: {', '.join(sorted(seen))}")

    for item in found:
        if item.name in disabled_names:
            pm.set_blocked(item.name)
            pm.infos[item.name] = PluginInfo(item.name, None, item.source, item.location,
                                             disabled=True, entry_point=item.entry_point)
            continue
        plugin = item.load()
        try:
            pm.register(plugin, name=item.name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(item.name, _one_line(str(exc)), item.location) from exc
        except ValueError as exc:  # the same object registered twice
            raise PluginError(item.name, str(exc).splitlines()[0], item.location) from exc
        pm.infos[item.name] = PluginInfo(item.name, item.version(plugin), item.source,
                                         item.location, entry_point=item.entry_point)
    _check_unknown_hooks(pm)
    _register_metrics(pm)
    _register_expression_functions(pm)


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _check_unknown_hooks(pm: KamscorePluginManager) -> None:
    """Like pluggy's ``check_pending``, but the error names the plugin and suggests a hook."""
    known = sorted(name for name in vars(hookspecs) if name.startswith(f"{PROJECT}_"))
    for name, hook in sorted(vars(pm.hook).items()):
        if name.startswith("_") or hook.has_spec():
            continue
        for impl in hook.get_hookimpls():
            if impl.optionalhook:
                continue
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise PluginError(
                impl.plugin_name,
                f"hook implementation {name!r} matches no hook specification{hint} "
                f"(kamscore's hooks: {', '.join(known)})",
                pm.infos[impl.plugin_name].location,
            )


def _call_each(pm: KamscorePluginManager, hook_name: str) -> list[tuple[str, Any]]:
    """Call every implementation of a start-up hook on its own: (plugin name, result)."""
    results = []
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        try:
            result = impl.function()
        except Exception as exc:
            raise PluginError(impl.plugin_name, f"{hook_name}() raised {type(exc).__name__}: "
                              f"{exc}", pm.infos[impl.plugin_name].location) from exc
        if result is not None:
            results.append((impl.plugin_name, result))
    return sorted(results, key=lambda item: item[0])


def _register_metrics(pm: KamscorePluginManager) -> None:
    metrics: dict[str, RegisteredMetric] = {}
    for plugin, classes in _call_each(pm, "kamscore_register_metrics"):
        location = pm.infos[plugin].location
        if not isinstance(classes, list | tuple):
            raise PluginError(plugin, "kamscore_register_metrics() must return a list of "
                              f"metric classes, not {type(classes).__name__}", location)
        for cls in classes:
            problems = check_metric_class(cls)
            if problems:
                label = getattr(cls, "__name__", repr(cls))
                raise PluginError(plugin, f"metric class {label}: {'; '.join(problems)}",
                                  location)
            if cls.name in metrics:
                raise PluginError(plugin, f"metric {cls.name!r} is already provided by plugin "
                                  f"{metrics[cls.name].plugin!r}", location)
            metrics[cls.name] = RegisteredMetric(cls, plugin, pm.infos[plugin].version)
    pm.metrics = MetricRegistry(metrics)
    for plugin, info in pm.infos.items():
        names = tuple(m.name for m in pm.metrics.of_plugin(plugin))
        pm.infos[plugin] = replace(info, metrics=names)


def _register_expression_functions(pm: KamscorePluginManager) -> None:
    from kamscore.engine.expressions.compiler import BUILTINS as builtins

    functions: dict[str, ExpressionFunction] = {}
    for plugin, provided in _call_each(pm, "kamscore_expression_functions"):
        location = pm.infos[plugin].location
        if not isinstance(provided, Mapping):
            raise PluginError(plugin, "kamscore_expression_functions() must return a dict "
                              f"of name: function, not {type(provided).__name__}", location)
        for name, function in provided.items():
            if not isinstance(name, str) or not _FUNCTION_NAME_RE.match(name):
                raise PluginError(plugin, f"expression function name {name!r} must be a "
                                  "lowercase identifier", location)
            if not callable(function):
                raise PluginError(plugin, f"expression function {name!r} is not callable",
                                  location)
            if name in builtins:
                raise PluginError(plugin, f"expression function {name!r} is a built-in of the "
                                  "ruleset expression language", location)
            if name in functions:
                raise PluginError(plugin, f"expression function {name!r} is already provided "
                                  f"by plugin {functions[name].plugin!r}", location)
            functions[name] = ExpressionFunction(name, function, plugin)
    pm.expression_functions = dict(sorted(functions.items()))
    for plugin, info in pm.infos.items():
        names = tuple(f.name for f in functions.values() if f.plugin == plugin)
        pm.infos[plugin] = replace(info, expression_functions=names)
