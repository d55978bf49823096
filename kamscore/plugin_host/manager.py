"""Builds the pluggy plugin manager: discovery, validation, and the metric registry.

``build_plugin_manager`` registers, in this order:

1. kamscore's own default plugins (:data:`DEFAULT_PLUGINS`, e.g. the survey results served
   from facts);
2. every module (``name.py``) and package (``name/__init__.py``) of the bundled ``plugins/``
   folder — the built-in metrics — and of the folder named by the ``PLUGINS_DIR`` setting;
   names starting with ``_`` are skipped; the plugin's name is the module's name;
3. every entry point of the group ``kamscore`` of the installed distributions; the plugin's
   name is the entry point's name.

Plugins named in ``DISABLED_PLUGINS`` are neither imported nor registered. Any of these stops
the start-up with a :class:`PluginError` naming the plugin and the cause: a plugin that fails
to import (a syntax error names the file and line), two plugins with the same name, a hook
implementation that matches no hook specification or has arguments the specification does
not offer, a metric class that breaks the contract, two plugins providing the same metric or
expression function name, and a disabled name that no plugin has.

Nothing happens at import time: the work is done by :func:`build_plugin_manager`, called by
``create_app`` (``init_app``) and by anything else that needs metrics without Flask.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import importlib.metadata
import importlib.util
import re
import sys
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from flask import Flask, current_app

from kamscore import __version__ as kamscore_version
from kamscore import hookspecs
from kamscore.hookspecs import PROJECT
from kamscore.metrics.contract import check_metric_class
from kamscore.metrics.registry import ExpressionFunction, MetricRegistry, RegisteredMetric

EXTENSION_KEY = "kamscore.plugins"
ENTRY_POINT_GROUP = "kamscore"
#: kamscore's own hook implementations, registered before any other plugin.
DEFAULT_PLUGINS = (
    "kamscore.facts.survey_results_from_facts",
    "kamscore.surveys.survey_results_from_campaigns",
)
#: Module name under which folder plugins are imported (``kamscore_plugins.<name>``).
FOLDER_MODULE_PREFIX = "kamscore_plugins"

SOURCE_DEFAULT = "default"
SOURCE_BUNDLED = "bundled"
SOURCE_DIRECTORY = "plugins_dir"
SOURCE_ENTRY_POINT = "entry_point"

_FUNCTION_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class PluginError(Exception):
    """A plugin that cannot be used; stops the start-up. Names the plugin and the cause."""

    def __init__(self, plugin: str, cause: str, location: str | None = None) -> None:
        self.plugin = plugin
        self.cause = cause
        self.location = location
        where = f" ({location})" if location else ""
        super().__init__(f"plugin {plugin!r}{where}: {cause}")


@dataclass(frozen=True)
class PluginInfo:
    """What ``kamscore plugins`` lists, and what a score run records of each plugin."""

    name: str
    version: str | None
    source: str  # default, bundled, plugins_dir or entry_point
    location: str  # file, folder or "distribution x.y"
    metrics: tuple[str, ...] = ()
    expression_functions: tuple[str, ...] = ()
    disabled: bool = False


class KamscorePluginManager(pluggy.PluginManager):
    """A pluggy manager with kamscore's hook specs and what the plugins registered.

    ``metrics`` is the :class:`MetricRegistry`; ``expression_functions`` maps a name to the
    :class:`ExpressionFunction` a plugin contributed; ``infos`` describes every plugin found
    (disabled ones included, flagged).
    """

    def __init__(self) -> None:
        super().__init__(PROJECT)
        self.add_hookspecs(hookspecs)
        self.metrics = MetricRegistry()
        self.expression_functions: dict[str, ExpressionFunction] = {}
        self.infos: dict[str, PluginInfo] = {}

    def plugin_versions(self) -> dict[str, str | None]:
        """Name → version of every registered plugin (what a score run records)."""
        return {name: info.version for name, info in sorted(self.infos.items())
                if not info.disabled}


@dataclass
class _Found:
    name: str
    source: str
    location: str
    load: Any  # () -> plugin object
    version: Any  # (plugin object) -> str | None
    extra: dict[str, Any] = field(default_factory=dict)


def build_plugin_manager(
    *,
    plugins_dir: str | Path | None = None,
    disabled: Iterable[str] = (),
    bundled: bool = True,
    entry_points: bool = True,
    default_plugins: Iterable[str] = DEFAULT_PLUGINS,
) -> KamscorePluginManager:
    """Discover, register and validate every plugin; raise :class:`PluginError` on a problem.

    ``bundled=False`` leaves out the bundled ``plugins/`` folder and ``entry_points=False``
    the installed distributions (tests use them to look at one plugin alone).
    """
    disabled_names = set(disabled)
    pm = KamscorePluginManager()
    found = [*_default_plugins(default_plugins)]
    if bundled:
        from kamscore.content.bundled import bundled_dir

        found += _folder_plugins(bundled_dir("plugins"), SOURCE_BUNDLED)
    if plugins_dir:
        folder = Path(plugins_dir)
        if not folder.is_dir():
            raise PluginError("PLUGINS_DIR", f"{folder} is not a folder", str(folder))
        found += _folder_plugins(folder, SOURCE_DIRECTORY)
    if entry_points:
        found += _entry_point_plugins()

    seen: dict[str, _Found] = {}
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
                                             disabled=True)
            continue
        plugin = item.load()
        try:
            pm.register(plugin, name=item.name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(item.name, _one_line(str(exc)), item.location) from exc
        except ValueError as exc:  # the same object registered twice
            raise PluginError(item.name, str(exc).splitlines()[0], item.location) from exc
        pm.infos[item.name] = PluginInfo(item.name, item.version(plugin), item.source,
                                         item.location)
    _check_unknown_hooks(pm)
    _register_metrics(pm)
    _register_expression_functions(pm)
    return pm


def _default_plugins(names: Iterable[str]) -> list[_Found]:
    return [
        _Found(name, SOURCE_DEFAULT, f"module {name}", load=lambda n=name: _import(n),
               version=lambda _plugin: kamscore_version)
        for name in names
    ]


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except Exception as exc:
        raise PluginError(name, _import_cause(exc, None), f"module {name}") from exc


def _folder_plugins(folder: Path, source: str) -> list[_Found]:
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(("_", ".")):
            continue
        if path.is_file() and path.suffix == ".py":
            file = path
        elif path.is_dir() and (path / "__init__.py").is_file():
            file = path / "__init__.py"
        else:
            continue
        name = path.stem if path.is_file() else path.name
        found.append(_Found(
            name, source, str(path),
            load=lambda n=name, f=file, p=path: _load_file(n, f, p.is_dir()),
            version=lambda plugin, f=file, s=source: _folder_version(plugin, f, s),
        ))
    return found


def _load_file(name: str, file: Path, package: bool) -> ModuleType:
    """Import a plugin file as ``kamscore_plugins.<name>`` (re-executed at every build)."""
    module_name = f"{FOLDER_MODULE_PREFIX}.{name}"
    spec = importlib.util.spec_from_file_location(
        module_name, file, submodule_search_locations=[str(file.parent)] if package else None)
    if spec is None or spec.loader is None:
        raise PluginError(name, "cannot be imported", str(file))
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up there
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise PluginError(name, _import_cause(exc, file), str(file)) from exc
    return module


def _folder_version(plugin: object, file: Path, source: str) -> str:
    """``__version__`` of the module; else kamscore's version for a bundled plugin, else a
    hash of the file so that a score run records exactly which code computed it."""
    version = getattr(plugin, "__version__", None)
    if isinstance(version, str) and version:
        return version
    if source == SOURCE_BUNDLED:
        return kamscore_version
    return "sha256:" + hashlib.sha256(file.read_bytes()).hexdigest()[:12]


def _entry_point_plugins() -> list[_Found]:
    found = []
    for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP),
                     key=lambda ep: ep.name):
        dist = getattr(ep, "dist", None)
        dist_label = f"distribution {dist.name} {dist.version}" if dist else "entry point"
        location = f"{dist_label}, entry point {ep.value}"
        found.append(_Found(
            ep.name, SOURCE_ENTRY_POINT, location,
            load=lambda ep=ep, loc=location: _load_entry_point(ep, loc),
            version=lambda plugin, d=dist: (d.version if d else None)
            or getattr(plugin, "__version__", None),
        ))
    return found


def _load_entry_point(ep: importlib.metadata.EntryPoint, location: str) -> Any:
    try:
        return ep.load()
    except Exception as exc:
        raise PluginError(ep.name, _import_cause(exc, None), location) from exc


def _import_cause(exc: Exception, file: Path | None) -> str:
    if isinstance(exc, SyntaxError):
        return f"syntax error in {exc.filename}, line {exc.lineno}: {exc.msg}"
    where = ""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if file is not None and Path(f.filename) == file] or frames[-1:]
    if own:
        where = f" ({own[-1].filename}, line {own[-1].lineno})"
    return f"import failed: {type(exc).__name__}: {exc}{where}"


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


def disabled_from_setting(value: Any) -> list[str]:
    """``DISABLED_PLUGINS`` as a list: a list, or a comma-separated string (environment)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(v) for v in value]


def build_from_config(config: Mapping[str, Any]) -> KamscorePluginManager:
    """The plugin manager an app with these settings uses (``PLUGINS_DIR``,
    ``DISABLED_PLUGINS``)."""
    return build_plugin_manager(
        plugins_dir=config.get("PLUGINS_DIR") or None,
        disabled=disabled_from_setting(config.get("DISABLED_PLUGINS")),
    )


def init_app(app: Flask) -> None:
    """Build the app's plugin manager at start-up (a broken plugin stops the start-up)."""
    app.extensions[EXTENSION_KEY] = build_from_config(app.config)


def get_plugin_manager(app: Flask | None = None) -> KamscorePluginManager:
    return (app or current_app).extensions[EXTENSION_KEY]


def describe_plugins(pm: KamscorePluginManager) -> list[dict[str, Any]]:
    """Every plugin with its version, origin and metrics, as plain data (``kamscore plugins``)."""
    out = []
    for name, info in sorted(pm.infos.items()):
        metrics = [
            {"name": m.name, "title": m.title, "kind": m.kind, "unit": m.unit,
             "direction": m.direction, "version": m.version, "params": m.param_names()}
            for m in pm.metrics.of_plugin(name)
        ]
        out.append({"name": name, "version": info.version, "source": info.source,
                    "location": info.location, "disabled": info.disabled, "metrics": metrics,
                    "expression_functions": list(info.expression_functions)})
    return out
