"""Builds the pluggy plugin manager: the plugins found, registered and validated.

``build_plugin_manager`` puts together the two halves of the plugin host:

- :mod:`kamscore.plugin_host.discovery` finds the plugins, without importing them: kamscore's
  default plugins, the modules of the bundled ``plugins/`` folder and of ``PLUGINS_DIR``, and
  the entry points of the group ``kamscore`` — the built-in metrics among them, declared in
  pyproject.toml like those of any pip-installed plugin;
- :mod:`kamscore.plugin_host.registration` imports, registers and validates each of them
  through one function, whatever its origin, and builds the metric registry.

Nothing happens at import time: the work is done by :func:`build_plugin_manager`, called by
``create_app`` (``init_app``) and by anything else that needs metrics without Flask.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pluggy
from flask import Flask, current_app

from kamscore import hookspecs
from kamscore.config import DEFAULTS
from kamscore.hookspecs import PROJECT
from kamscore.metrics.registry import ExpressionFunction, MetricRegistry
from kamscore.plugin_host.discovery import (
    DEFAULT_PLUGINS,
    ENTRY_POINT_GROUP,
    SOURCE_BUNDLED,
    SOURCE_DEFAULT,
    SOURCE_DIRECTORY,
    SOURCE_ENTRY_POINT,
    discover_plugins,
)
from kamscore.plugin_host.errors import PluginError
from kamscore.plugin_host.registration import PluginInfo, register_plugins

__all__ = [
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "EXTENSION_KEY",
    "SOURCE_BUNDLED",
    "SOURCE_DEFAULT",
    "SOURCE_DIRECTORY",
    "SOURCE_ENTRY_POINT",
    "KamscorePluginManager",
    "PluginError",
    "PluginInfo",
    "build_from_config",
    "build_plugin_manager",
    "describe_plugins",
    "disabled_from_setting",
    "get_plugin_manager",
    "init_app",
]

EXTENSION_KEY = "kamscore.plugins"


class KamscorePluginManager(pluggy.PluginManager):
    """A pluggy manager with kamscore's hook specs and what the plugins registered.

    ``metrics`` is the :class:`MetricRegistry`; ``expression_functions`` maps a name to the
    :class:`ExpressionFunction` a plugin contributed; ``infos`` describes every plugin found
    (disabled ones included, flagged); ``settings`` are the app's settings, read-only, which
    kamscore hands to the hooks that need them (``kamscore_survey_results``: the minimum
    group sizes), so that no hook reads ``current_app``.
    """

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(PROJECT)
        self.settings: Mapping[str, Any] = MappingProxyType(dict(settings or DEFAULTS))
        self.add_hookspecs(hookspecs)
        self.metrics = MetricRegistry()
        self.expression_functions: dict[str, ExpressionFunction] = {}
        self.infos: dict[str, PluginInfo] = {}

    def plugin_versions(self) -> dict[str, str | None]:
        """Name → version of every registered plugin (what a score run records)."""
        return {name: info.version for name, info in sorted(self.infos.items())
                if not info.disabled}


def build_plugin_manager(
    *,
    plugins_dir: str | Path | None = None,
    disabled: Iterable[str] = (),
    bundled: bool = True,
    entry_points: bool = True,
    default_plugins: Iterable[str] = DEFAULT_PLUGINS,
    settings: Mapping[str, Any] | None = None,
) -> KamscorePluginManager:
    """Discover, register and validate every plugin; raise :class:`PluginError` on a problem.

    ``bundled=False`` leaves out the built-in metrics and ``entry_points=False`` the entry
    points of the installed distributions (the built-ins are then found in the bundled
    ``plugins/`` folder); tests use them to look at one plugin alone.
    """
    found = discover_plugins(plugins_dir=plugins_dir, bundled=bundled,
                             entry_points=entry_points, default_plugins=default_plugins)
    pm = KamscorePluginManager(settings)
    register_plugins(pm, found, disabled)
    return pm


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
        settings=config,
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
                    "location": info.location, "entry_point": info.entry_point,
                    "disabled": info.disabled, "metrics": metrics,
                    "expression_functions": list(info.expression_functions)})
    return out
