"""``kamscore plugins``: the plugins found at start-up, their versions and metrics."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from kamscore.plugin_host.manager import describe_plugins, get_plugin_manager

#: Plugins are loaded once per process: said after every listing (docs/plugins.md).
RESTART = ("Plugins are loaded when kamscore starts: after adding, changing or removing a "
           "plugin, restart the web server, `kamscore worker` and `kamscore scheduler`.")


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def plugins_command(as_json: bool) -> None:
    """List plugins, their versions and the metrics they provide (name, kind, unit, better).

    Plugins are loaded when kamscore starts: restart it after adding or changing one."""
    plugins = describe_plugins(get_plugin_manager())
    if as_json:
        click.echo(json.dumps(plugins, indent=2))
        return
    for plugin in plugins:
        state = "  [disabled]" if plugin["disabled"] else ""
        click.echo(f"{plugin['name']} {plugin['version'] or '-'}  "
                   f"({plugin['source']}: {plugin['location']}){state}")
        for m in plugin["metrics"]:
            click.echo(f"    {m['name']:<22} {m['kind']:<13} {m['unit']:<8} "
                       f"{m['direction']:<7} {m['title']}")
        for name in plugin["expression_functions"]:
            click.echo(f"    {name}()  expression function")
    metrics = sum(len(p["metrics"]) for p in plugins)
    click.echo(f"{len(plugins)} plugins, {metrics} metrics")
    click.echo(RESTART)
