"""A run over many files: read, prefilter, then analyse the few that survive.

Reading and the byte prefilter happen here, in the parent process, without importing LibCST
or the rules; only when a file survives is the engine imported. Surviving files are analysed in
worker processes when there are enough of them for that to pay off, and results come back in
the order of the files.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

from .findings import FileResult
from .noqa import skips_file
from .prefilter import Prefilter

# Below this many surviving files, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 8


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class Progress:
    """``files done / total, findings, files/s`` on one standard-error line, redrawn in place."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.done = 0
        self.findings = 0
        self.started = time.monotonic()
        self._last = 0.0

    def advance(self, result: FileResult) -> None:
        self.done += 1
        self.findings += len(result.findings) + len(result.fixed)
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.1 or self.done == self.total):
            self._last = now
            rate = self.done / max(now - self.started, 1e-6)
            sys.stderr.write(f"\r{self.done}/{self.total} files, {self.findings} findings, {rate:.0f} files/s ")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def run(
    files: Sequence[str],
    settings,
    selection,
    fix: bool,
    write: bool,
    display: Callable[[str], str],
    jobs: Optional[int] = None,
    progress: bool = False,
) -> List[FileResult]:
    prefilter = Prefilter(settings.catalog)
    results: List[Optional[FileResult]] = [None] * len(files)
    survivors: List[Tuple[int, Path, bytes]] = []
    meter = Progress(len(files), progress)
    gc.disable()  # the scan makes no cycles: nothing for the collector but time spent looking
    try:
        _scan(files, prefilter, results, survivors, meter)
    finally:
        gc.enable()

    jobs = jobs or default_jobs()
    job = (settings, selection, fix, write)
    tasks = [(Path(path), data, display(path)) for _, path, data in survivors]
    if jobs > 1 and len(survivors) >= PARALLEL_MIN_FILES:
        from concurrent.futures import ProcessPoolExecutor  # only when it pays

        # The settings (with the catalogue) go to each worker once, not with every file.
        with ProcessPoolExecutor(max_workers=min(jobs, len(survivors)), initializer=_start_worker, initargs=job) as pool:
            done = pool.map(_process, tasks, chunksize=max(1, len(tasks) // (jobs * 4)))
            for (index, _, _), result in zip(survivors, done):
                results[index] = result
                meter.advance(result)
    elif survivors:  # no survivor, no LibCST import at all
        _start_worker(*job)
        for (index, _, _), task in zip(survivors, tasks):
            results[index] = _process(task)
            meter.advance(results[index])  # type: ignore[arg-type]
    meter.close()
    return [r for r in results if r is not None]


def _scan(files: Sequence[str], prefilter: Prefilter, results: list, survivors: list, meter: Progress) -> None:
    """Read every file; the ones that cannot have a finding are done (skipped) here."""
    may_have_findings = prefilter.may_have_findings
    for index, path in enumerate(files):
        try:
            data = read_file(path)
        except OSError as exc:
            results[index] = FileResult(Path(path), error=f"cannot read: {exc.strerror or exc}")
        else:
            if may_have_findings(data) and not skips_file(data):
                survivors.append((index, path, data))
                continue
            results[index] = FileResult(path, skipped=True)  # type: ignore[arg-type]  # a str: never used as a Path
        meter.advance(results[index])


def read_file(path) -> bytes:
    """The whole file, with plain system calls: for thousands of files this is several times
    faster than ``open().read()``, which sets up a buffered reader for each. Chunks of 64 KiB:
    most source files fit in one, and a larger buffer is a fresh mapping of memory each time."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


_JOB: tuple = ()  # (settings, selection, fix, write) of the run this process works for


def _start_worker(settings, selection, fix: bool, write: bool) -> None:
    global _JOB
    _JOB = (settings, selection, fix, write)
    from . import engine  # noqa: F401  LibCST and the rules, before the freeze below

    # Everything imported so far lives as long as the process: the collector need not look at it.
    gc.freeze()


def _process(task) -> FileResult:
    from .engine import process_data  # LibCST and the rules: only for files that survived

    path, data, display = task
    settings, selection, fix, write = _JOB
    # A parse makes tens of thousands of objects that live until the file is done: collecting
    # while they are built costs a third of the time (measured), collecting once after is cheap.
    gc.disable()
    try:
        return process_data(path, data, settings, selection, fix=fix, write=write, display=display)
    except Exception as exc:  # a bug of ours must not lose the other files' results
        return FileResult(path, error=f"internal error: {type(exc).__name__}: {exc}")
    finally:
        gc.enable()
        gc.collect()
