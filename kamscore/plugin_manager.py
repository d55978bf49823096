"""Builds the pluggy plugin manager (filled in by the metrics capability)."""

from __future__ import annotations

import pluggy
from flask import Flask

from .hookspecs import PROJECT

EXTENSION_KEY = "kamscore.plugins"


def build_plugin_manager() -> pluggy.PluginManager:
    return pluggy.PluginManager(PROJECT)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = build_plugin_manager()
