"""The plugin contract (hook specifications). Filled in by the metrics capability."""

import pluggy

PROJECT = "kamscore"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
