"""The error that stops the start-up when a plugin cannot be used."""

from __future__ import annotations


class PluginError(Exception):
    """A plugin that cannot be used; stops the start-up. Names the plugin and the cause."""

    def __init__(self, plugin: str, cause: str, location: str | None = None) -> None:
        self.plugin = plugin
        self.cause = cause
        self.location = location
        where = f" ({location})" if location else ""
        super().__init__(f"plugin {plugin!r}{where}: {cause}")
