"""kamscore's bundled content as a package: ``plugins``, ``surveys`` and ``rulesets``.

The content itself lives in the top-level folders ``plugins/``, ``surveys/`` and ``rulesets/``
of the repository. This package makes it reachable under one name in every kind of install,
so that the built-in metrics import as ``kamscore._bundled.plugins.<name>`` (the values of
the ``kamscore`` entry points in pyproject.toml) and ``importlib.resources.files(
"kamscore._bundled") / "rulesets"`` is the folder of rulesets:

- **source checkout and editable install** (``pip install -e .``, which only puts the
  checkout on ``sys.path``): ``kamscore/_bundled/plugins``, ``surveys`` and ``rulesets`` are
  symbolic links, committed to git, to ``../../plugins`` and so on. Editing
  ``plugins/csat.py`` edits the module the entry point imports; nothing is copied.
- **wheel** (``pip install .``): hatchling leaves the links out and copies the real folders
  into the wheel at the same place (``exclude`` and ``force-include`` of
  ``[tool.hatch.build.targets.wheel]``), so the build never depends on how a tool treats
  symbolic links, and a wheel built from the sdist (which has the top-level folders, not the
  links) is the same.

``plugins`` has no ``__init__.py``: it is a namespace package inside this regular package,
which is all an import of one of its modules needs. A checkout made without symbolic links
(git's ``core.symlinks=false``, e.g. on some Windows set-ups) leaves small text files in
place of the links; kamscore then stops with a message saying so.

Why links: with force-include alone this package would not exist in a checkout or an
editable install, so the entry points could not import there; a ``__path__`` extension
pointing at the checkout's root would let imports work but not ``importlib.resources``
(which only sees the package's own folder), and would expose every top-level folder as a
submodule; letting hatchling follow the links instead of force-including would cost the
sdist its top-level folders (hatchling visits each real folder once). docs/plugins.md, "How
the built-in metrics are registered", has the details.
"""
