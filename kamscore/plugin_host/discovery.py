"""Finding plugins: kamscore's defaults, entry points, and the modules of plugin folders.

:func:`discover_plugins` lists, without importing any plugin, in this order:

1. kamscore's own default plugins (:data:`DEFAULT_PLUGINS`, e.g. the survey results served
   from facts);
2. every module (``name.py``) and package (``name/__init__.py``) of the bundled ``plugins/``
   folder and of the folder named by the ``PLUGINS_DIR`` setting, imported by file path as
   ``kamscore_plugins.<name>``; names starting with ``_`` are skipped; the plugin's name is
   the module's name. A module that an entry point already names (the same file) is left
   to its entry point, so nothing is registered twice;
3. every entry point of the group ``kamscore`` of the installed distributions; the plugin's
   name is the entry point's name.

The built-in metrics are entry points of kamscore's own distribution (``[project.entry-points
.kamscore]`` in pyproject.toml: ``csat = "kamscore._bundled.plugins.csat"``), so in an
editable or a regular install they are found in step 3, exactly like a pip-installed
plugin, and registered by the same function. Their ``source`` is still ``bundled``, which
says where they come from; ``entry_point`` is kept for third-party distributions. The folder
scan of step 2 then only adds what has no entry point: a module just dropped into
``plugins/``, the modules of ``PLUGINS_DIR``, and, in a checkout that was never installed
(no distribution metadata, so no entry points), the built-ins themselves.

To know which file an entry point names without importing the plugin, its module is looked
up with :func:`importlib.util.find_spec`, which imports the parent packages only (for the
built-ins: ``kamscore._bundled``). A disabled plugin is therefore never imported itself.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import re
import sys
import traceback
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from kamscore.config import __version__ as kamscore_version
from kamscore.plugin_host.errors import PluginError

ENTRY_POINT_GROUP = "kamscore"
#: The distribution whose entry points are kamscore's built-in metrics.
KAMSCORE_DISTRIBUTION = "kamscore"
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


@dataclass(frozen=True)
class FoundPlugin:
    """A plugin found, not yet imported: how to load it and what to say about it."""

    name: str
    source: str  # default, bundled, plugins_dir or entry_point
    location: str  # file, module, or "distribution x y, entry point z"
    load: Callable[[], Any]  # imports the plugin; raises PluginError
    version: Callable[[Any], str | None]  # the loaded plugin's version
    entry_point: str | None = None  # the entry point's value, when found through one
    file: Path | None = None  # the module's file (real path), when known before importing


def discover_plugins(
    *,
    plugins_dir: str | Path | None = None,
    bundled: bool = True,
    entry_points: bool = True,
    default_plugins: Iterable[str] = DEFAULT_PLUGINS,
) -> list[FoundPlugin]:
    """Every plugin to register, in registration order; raises :class:`PluginError` when
    ``PLUGINS_DIR`` is not a folder.

    ``bundled=False`` leaves out the built-in metrics, whichever way they are found (the
    bundled ``plugins/`` folder, or kamscore's own entry points); ``entry_points=False``
    leaves out every entry point (the built-ins are then found in the folder).
    """
    found = [*_default_plugins(default_plugins)]
    by_entry_point = entry_point_plugins(builtins=bundled) if entry_points else []
    named = {item.file for item in by_entry_point if item.file is not None}
    if bundled:
        from kamscore.content.bundled import bundled_dir

        found += folder_plugins(bundled_dir("plugins"), SOURCE_BUNDLED, skip=named)
    if plugins_dir:
        folder = Path(plugins_dir)
        if not folder.is_dir():
            raise PluginError("PLUGINS_DIR", f"{folder} is not a folder", str(folder))
        found += folder_plugins(folder, SOURCE_DIRECTORY, skip=named)
    return found + by_entry_point


#: Hex digits of a code hash kept in a plugin's version.
CODE_HASH_DIGITS = 12


def code_hash(file: Path | None, record: str | None = None) -> str | None:
    """SHA-256 (first ``CODE_HASH_DIGITS`` hex digits) of a plugin's code: its module file,
    or every ``.py`` file of its package folder (names and contents), and the ``RECORD`` of
    its installed distribution (which lists every installed file with its own hash). None
    when there is neither."""
    if file is None and not record:
        return None
    digest = hashlib.sha256()
    if file is not None:
        files = sorted(file.parent.rglob("*.py")) if file.name == "__init__.py" else [file]
        for path in files:
            digest.update(path.relative_to(file.parent).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    if record:
        digest.update(b"RECORD\0" + record.encode())
    return digest.hexdigest()[:CODE_HASH_DIGITS]


def versioned(version: str | None, code: str | None) -> str | None:
    """A plugin's recorded version: its declared version and the hash of its code
    (``1.0.0+sha256:…``), so that a changed plugin changes a run's input hash even when
    nobody raised its version number."""
    if code is None:
        return version
    return f"{version}+sha256:{code}" if version else f"sha256:{code}"


def _record(dist: Any) -> str | None:
    try:
        return dist.read_text("RECORD") if dist is not None else None
    except Exception:
        return None


def _default_plugins(names: Iterable[str]) -> list[FoundPlugin]:
    return [
        FoundPlugin(name, SOURCE_DEFAULT, f"module {name}", load=lambda n=name: _import(n),
                    version=lambda plugin: versioned(
                        kamscore_version, code_hash(_file_of(plugin))))
        for name in names
    ]


def _file_of(plugin: object) -> Path | None:
    file = getattr(plugin, "__file__", None)
    return Path(file).resolve() if file else None


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except Exception as exc:
        raise PluginError(name, _import_cause(exc, None), f"module {name}") from exc


def folder_plugins(folder: Path, source: str, skip: Collection[Path] = ()) -> list[FoundPlugin]:
    """The modules and packages of a plugin folder, except those whose file (real path) is
    in ``skip``: the files that entry points name."""
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
        if file.resolve() in skip:
            continue
        name = path.stem if path.is_file() else path.name
        found.append(FoundPlugin(
            name, source, str(path),
            load=lambda n=name, f=file, p=path: _load_file(n, f, p.is_dir()),
            version=lambda plugin, f=file, s=source: _folder_version(plugin, f, s),
            file=file.resolve(),
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


def _folder_version(plugin: object, file: Path, source: str) -> str | None:
    """``__version__`` of the module (else kamscore's version for a bundled plugin) with the
    hash of its code, so that a score run records exactly which code computed it."""
    version = getattr(plugin, "__version__", None)
    if not (isinstance(version, str) and version):
        version = kamscore_version if source == SOURCE_BUNDLED else None
    return versioned(version, code_hash(file))


def entry_point_plugins(*, builtins: bool = True) -> list[FoundPlugin]:
    """Every entry point of the group ``kamscore``, sorted by name; ``builtins=False`` leaves
    out those of kamscore's own distribution."""
    found = []
    for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP),
                     key=lambda ep: ep.name):
        dist = getattr(ep, "dist", None)
        own = dist is not None and _normalise(dist.name) == KAMSCORE_DISTRIBUTION
        if own and not builtins:
            continue
        dist_label = f"distribution {dist.name} {dist.version}" if dist else "entry point"
        location = f"{dist_label}, entry point {ep.value}"
        file = _module_file(ep.module)
        found.append(FoundPlugin(
            ep.name, SOURCE_BUNDLED if own else SOURCE_ENTRY_POINT, location,
            load=lambda ep=ep, loc=location: _load_entry_point(ep, loc),
            version=lambda plugin, d=dist, f=file: versioned(
                (d.version if d else None) or getattr(plugin, "__version__", None),
                code_hash(_file_of(plugin) or f, _record(d))),
            entry_point=ep.value,
            file=file,
        ))
    return found


def _normalise(distribution: str) -> str:
    """A distribution name as PyPI compares them (``Kamscore_X`` is ``kamscore-x``)."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def _module_file(module: str) -> Path | None:
    """The file (real path) of a module, found without importing it (its parent packages
    are imported); None when it has none or cannot be found — the load then says why."""
    try:
        spec = importlib.util.find_spec(module)
    except Exception:
        return None
    if spec is None or not spec.has_location or not spec.origin:
        return None
    return Path(spec.origin).resolve()


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
