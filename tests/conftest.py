"""Shared pytest fixtures."""

from __future__ import annotations

import datetime
import os
import tempfile
from typing import Iterator, List

import pytest

from dalle_migrate.catalog import default_catalog
from dalle_migrate.emulator import EmulatorServer, LoggedRequest, serve

# Click before 8.2 (the one Python 3.9 gets) mixes standard error into `result.output` unless
# told not to, and then has no `result.stderr`: tests read both as 8.2 gives them.
import inspect  # noqa: E402

import click.testing  # noqa: E402

if "mix_stderr" in inspect.signature(click.testing.CliRunner.__init__).parameters:
    _runner_init = click.testing.CliRunner.__init__

    def _separate_stderr(self, *args, mix_stderr=False, **kwargs):
        _runner_init(self, *args, mix_stderr=mix_stderr, **kwargs)

    click.testing.CliRunner.__init__ = _separate_stderr  # type: ignore[method-assign]
    _output = click.testing.Result.output

    @property  # type: ignore[misc]
    def _both(self) -> str:  # 8.2's `output`: what the terminal shows, both streams
        return self.stdout + (self.stderr if self.stderr_bytes is not None else "")

    click.testing.Result.output = _both  # type: ignore[assignment]

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
