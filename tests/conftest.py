"""Shared pytest fixtures."""

from __future__ import annotations

import atexit
import datetime
import gc
import os
import shutil
import sys
import tempfile
from typing import Iterator, List

# A machine may ask Python not to write bytecode (PYTHONDONTWRITEBYTECODE=1): then each of the
# suite's interpreters (the workers, the ~200 commands and programs it runs) compiles the package
# and every test module again. The workers write it (in __pycache__, ignored by git); the
# commands read it.
sys.dont_write_bytecode = False

# The tests build LibCST trees of millions of objects; at Python's default thresholds the cyclic
# collector walks them again and again while they are built (a tenth of the in-process time).
# The command line turns it off while it analyses (runner._process); the tests collect less often.
gc.set_threshold(100_000, 50, 100)

import pytest

from dalle_migrate import context
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

# Parsed files are kept between the runs of a test process, as the language server keeps them
# between an editor's edits (each run's analysis is its own; see context.keep_parsed): the suite
# analyses the same fixtures in many tests.
context.keep_parsed(256)

# The index cache of the tests' projects goes here, not into the projects (whose files tests
# compare before and after a run); tests of the cache's own place unset it.
# Made by the first process of a run (xdist's workers inherit it) and removed when it exits.
if "DALLE_MIGRATE_CACHE_DIR" not in os.environ:
    _CACHE_DIR, _MAKER = tempfile.mkdtemp(prefix="dalle-migrate-cache-"), os.getpid()
    os.environ["DALLE_MIGRATE_CACHE_DIR"] = _CACHE_DIR
    atexit.register(lambda: os.getpid() == _MAKER and shutil.rmtree(_CACHE_DIR, ignore_errors=True))


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


# The slowest test files first: pytest-xdist hands files to its workers in collection order, so
# these start at once and the short ones fill in around them (a suite ends with its last file).
SLOWEST_FIRST = (
    "test_context.py",
    "test_e2e.py",
    "test_crash_safety.py",
    "test_action.py",
    "test_properties.py",
    "test_precommit.py",
    "test_hostile.py",
    "test_cli.py",
    "test_e2e_projects.py",
    "test_e2e_switching.py",
)


def pytest_collection_modifyitems(session, config, items) -> None:
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: each file's order kept
