"""Where the bundled content lives: ``plugins/``, ``surveys/`` and ``rulesets/``.

The three folders sit at the top of a source checkout, next to the ``kamscore`` package. A
wheel (``pip install .``) installs them inside the package as ``kamscore/_bundled/<name>``
(see ``[tool.hatch.build.targets.wheel.force-include]`` in pyproject.toml). Code that needs
them asks here instead of guessing from ``__file__`` or the working directory, so it works
the same from a checkout, an editable install and a regular install, whatever the current
directory is.
"""

from __future__ import annotations

import enum
from importlib import resources
from pathlib import Path

#: The folders of content shipped with kamscore.
BUNDLED_NAMES = ("plugins", "surveys", "rulesets")

_INSTALLED_SUBDIR = "_bundled"


class BundleLocation(enum.StrEnum):
    INSTALLED = "installed"  # kamscore/_bundled/<name> inside the installed package
    CHECKOUT = "checkout"  # <repo>/<name> next to the kamscore package of a source checkout


def package_dir() -> Path:
    """The directory of the imported ``kamscore`` package, as a real path.

    pip always installs packages unpacked, so this is a directory on disk; a zipped kamscore
    (zipimport) is not supported because plugins are imported from, and rulesets read as,
    plain files.
    """
    root = resources.files("kamscore")
    if not isinstance(root, Path):
        raise RuntimeError(f"kamscore must be installed as files on disk, not from {root!r}")
    return root


def checkout_root() -> Path | None:
    """The repository root when kamscore runs from a source checkout, else None.

    A checkout is recognised by kamscore's own ``pyproject.toml`` next to the package.
    """
    candidate = package_dir().parent
    pyproject = candidate / "pyproject.toml"
    if pyproject.is_file() and 'name = "kamscore"' in pyproject.read_text(encoding="utf-8"):
        return candidate
    return None


def bundle_location() -> BundleLocation:
    """Whether the bundled folders come from the installed package or from a checkout."""
    if (package_dir() / _INSTALLED_SUBDIR).is_dir():
        return BundleLocation.INSTALLED
    if checkout_root() is not None:
        return BundleLocation.CHECKOUT
    raise FileNotFoundError(
        f"kamscore's bundled content is missing: neither {package_dir() / _INSTALLED_SUBDIR} "
        "nor a source checkout around the package exists; reinstall kamscore"
    )


def bundled_dir(name: str) -> Path:
    """The folder of bundled content ``name`` ("plugins", "surveys" or "rulesets").

    An installed copy wins over a checkout: in a regular install only that copy exists,
    and in a checkout (editable or not installed) the package has no ``_bundled`` folder.
    """
    if name not in BUNDLED_NAMES:
        raise ValueError(f"unknown bundled folder {name!r}; expected one of {BUNDLED_NAMES}")
    if bundle_location() is BundleLocation.INSTALLED:
        path = package_dir() / _INSTALLED_SUBDIR / name
    else:
        root = checkout_root()
        assert root is not None  # bundle_location() checked it
        path = root / name
    if not path.is_dir():
        raise FileNotFoundError(f"kamscore's bundled folder {name!r} is missing at {path}")
    return path


def bundled_files(name: str, pattern: str = "*") -> list[Path]:
    """Files of a bundled folder matching ``pattern`` (non-recursive), sorted by name.

    Hidden files (such as ``.keep``) and Python caches are left out.
    """
    return sorted(
        path
        for path in bundled_dir(name).glob(pattern)
        if path.is_file() and not path.name.startswith(".") and "__pycache__" not in path.parts
    )
