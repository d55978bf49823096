"""Fixtures of the scoring tests: the tiny population (``tiny_population``), the app's plugin
manager, and the tiny plan published."""

from __future__ import annotations

import pytest
from tiny_population import Tiny, build_tiny, publish

from kamscore.plugin_host.manager import get_plugin_manager


@pytest.fixture
def tiny(session) -> Tiny:
    return build_tiny(session)


@pytest.fixture
def pm(app):
    return get_plugin_manager(app)


@pytest.fixture
def published(session, pm, tiny):
    return publish(session, pm)


