"""docs/architecture.md names every package and root module of kamscore, and the root holds
nothing but the factory, settings, the plugin contract, the WSGI entry and packages."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROOT_MODULES = {"__init__.py", "factory.py", "config.py", "hookspecs.py", "sentences.py",
                "wsgi.py"}


def test_the_root_holds_only_the_entry_modules_and_packages():
    package = REPO / "kamscore"
    modules = {p.name for p in package.glob("*.py")}
    assert modules == ROOT_MODULES
    for folder in package.iterdir():
        if folder.is_dir() and folder.name != "__pycache__":
            assert (folder / "__init__.py").is_file(), f"{folder.name} is not a package"


def test_every_package_and_root_module_is_in_the_architecture_doc():
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = REPO / "kamscore"
    names = [f"kamscore/{p.name}" for p in package.glob("*.py")]
    names += [f"kamscore/{p.name}/" for p in package.iterdir()
              if p.is_dir() and p.name != "__pycache__"]
    missing = sorted(name for name in names if f"`{name}`" not in text)
    assert missing == [], f"docs/architecture.md does not name: {missing}"
