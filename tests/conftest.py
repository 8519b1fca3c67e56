"""Shared pytest fixtures."""

from __future__ import annotations

import datetime
import os
import tempfile
from typing import Iterator, List

import pytest

from dalle_migrate.catalog import default_catalog
from dalle_migrate.emulator import EmulatorServer, LoggedRequest, serve

# The index cache of the tests' projects goes here, not into the projects (whose files tests
# compare before and after a run); tests of the cache's own place unset it.
os.environ.setdefault("DALLE_MIGRATE_CACHE_DIR", tempfile.mkdtemp(prefix="dalle-migrate-cache-"))


@pytest.fixture(scope="session")
def images_api() -> Iterator[EmulatorServer]:
    """The Images API stand-in on loopback, as it stands on 2026-11-25 (``.base_url``, ``.api``)."""
    server = serve(default_catalog(), today=datetime.date(2026, 11, 25))
    yield server
    server.shutdown()


@pytest.fixture
def api_log(images_api: EmulatorServer) -> List[LoggedRequest]:
    """The stand-in's request log, emptied for this test."""
    images_api.api.log.clear()
    return images_api.api.log
