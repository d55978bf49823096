"""Where the bundled content lives: ``plugins/``, ``surveys/`` and ``rulesets/``.

The three folders sit at the top of the repository, and are looked up with
:mod:`importlib.resources` as resources of the package ``kamscore._bundled``
(``files("kamscore._bundled") / "rulesets"``). In a source checkout and an editable install
``kamscore/_bundled/<name>`` is a symbolic link to the top-level folder; a wheel
(``pip install .``) holds a copy of the folder in its place (``kamscore/_bundled/__init__.py``
says why and how). So one lookup serves a checkout, an editable install and a regular
install, whatever the current directory is; code that needs the folders asks here instead of
guessing from ``__file__`` or the working directory.

The paths returned are real paths: in a checkout the link is followed, so that a path names
the file a developer edits (``<checkout>/plugins/csat.py``), not the link to it.
"""

from __future__ import annotations

import enum
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

#: The folders of content shipped with kamscore.
BUNDLED_NAMES = ("plugins", "surveys", "rulesets")
#: The package whose resources the folders are.
BUNDLED_PACKAGE = "kamscore._bundled"


class BundleLocation(enum.StrEnum):
    INSTALLED = "installed"  # copies inside the installed package: kamscore/_bundled/<name>
    CHECKOUT = "checkout"  # <repo>/<name>, reached through the link kamscore/_bundled/<name>


def _on_disk(resource: Traversable) -> Path:
    """A resource as a path on disk.

    pip always installs packages unpacked, so this is a file or folder on disk; a zipped
    kamscore (zipimport) is not supported because plugins are imported from, and rulesets
    read as, plain files.
    """
    if not isinstance(resource, Path):
        raise RuntimeError(f"kamscore must be installed as files on disk, not from {resource!r}")
    return resource


def package_dir() -> Path:
    """The directory of the imported ``kamscore`` package."""
    return _on_disk(resources.files("kamscore"))


def checkout_root() -> Path | None:
    """The repository root when kamscore runs from a source checkout, else None.

    A checkout is recognised by kamscore's own ``pyproject.toml`` next to the package.
    """
    candidate = package_dir().parent
    pyproject = candidate / "pyproject.toml"
    if pyproject.is_file() and 'name = "kamscore"' in pyproject.read_text(encoding="utf-8"):
        return candidate
    return None


def _resource(name: str) -> Path:
    """``kamscore/_bundled/<name>`` as importlib.resources finds it (in a checkout: the
    link); raises FileNotFoundError, saying what to do, when it is not a folder."""
    path = _on_disk(resources.files(BUNDLED_PACKAGE) / name)
    if not path.is_dir():
        raise FileNotFoundError(
            f"kamscore's bundled content is missing: {path} is not a folder; reinstall "
            f"kamscore (in a source checkout it is a symbolic link to {name}/ at the top of "
            "the checkout, which git creates only when core.symlinks is true)"
        )
    return path


def bundle_location() -> BundleLocation:
    """Whether the bundled folders are those of a source checkout or installed copies."""
    links = [_resource(name).is_symlink() for name in BUNDLED_NAMES]
    return BundleLocation.CHECKOUT if any(links) else BundleLocation.INSTALLED


def bundled_dir(name: str) -> Path:
    """The folder of bundled content ``name`` ("plugins", "surveys" or "rulesets").

    In a checkout (editable install or none) this is the top-level folder, reached through
    the link ``kamscore/_bundled/<name>``; in a regular install, the copy inside the package.
    """
    if name not in BUNDLED_NAMES:
        raise ValueError(f"unknown bundled folder {name!r}; expected one of {BUNDLED_NAMES}")
    path = _resource(name)
    return path.resolve() if path.is_symlink() else path


def bundled_files(name: str, pattern: str = "*") -> list[Path]:
    """Files of a bundled folder matching ``pattern`` (non-recursive), sorted by name.

    Hidden files (such as ``.keep``) and Python caches are left out.
    """
    return sorted(
        path
        for path in bundled_dir(name).glob(pattern)
        if path.is_file() and not path.name.startswith(".") and "__pycache__" not in path.parts
    )
