"""Fixtures of the access tests: the world (``world.py``)."""

from __future__ import annotations

import pytest
from world import build_world

from kamscore.plugin_host.manager import get_plugin_manager


@pytest.fixture
def world(app, session):
    return build_world(session, get_plugin_manager(app))
