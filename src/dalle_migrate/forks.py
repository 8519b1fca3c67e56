"""Work handed to a forked process, whose answer comes back through a pipe.

Where the run has a second CPU with nothing to do (the scan's other half, the project's index
while a pre-commit run's files are analysed), a child forked from this process does part of the
work with everything this process has loaded, and sends back bytes (``marshal`` or ``pickle``)."""

from __future__ import annotations

import os
import sys
from typing import Callable, Optional, Tuple


def can_fork() -> bool:
    """A fork is safe in a process with one thread (a lock held by another thread would stay
    held in the child); Linux only, where forking is cheap and no system library objects.
    Threads Python does not know of count too (a host process's, started by ``_thread`` or
    native code): the kernel's list of the process's tasks says."""
    if not sys.platform.startswith("linux"):
        return False
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return True  # (no /proc: Python's count is all there is)


def forked(answer: Callable[[], bytes]) -> Optional[Tuple[int, int]]:
    """Forks a process that writes ``answer()`` to a pipe and exits without running this
    process's exit handlers; (its pid, the pipe's end to read with ``child_answer``), or None
    when no process could be made."""
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        status = 1
        try:
            os.close(read_end)
            _send(write_end, answer())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def child_answer(pid: int, read_end: int) -> Optional[bytes]:
    """All a forked process wrote to its pipe, once it has exited; None if it failed."""
    chunks = []
    try:
        while True:
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    return b"".join(chunks) if status == 0 else None


def _send(write_end: int, payload: bytes) -> None:
    """Writes all of ``payload`` to a pipe (a forked process's answer)."""
    view = memoryview(payload)
    while view:
        view = view[os.write(write_end, view) :]
