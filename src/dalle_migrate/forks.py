"""Work handed to a forked process, whose answer comes back through a pipe.

Where the run has a second CPU with nothing to do (the scan's other half, the project's index
while a pre-commit run's files are analysed), a child forked from this process does part of the
work with everything this process has loaded, and sends back bytes (``marshal`` or ``pickle``)."""

from __future__ import annotations

import marshal
import os
import sys
from typing import Any, Callable, Iterator, List, Optional, Tuple


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


def decoded(answer: Optional[bytes], loads: Callable[[bytes], Any] = marshal.loads) -> Any:
    """A forked process's answer decoded by ``loads``; None when the process failed or what it
    sent cannot be decoded (a damaged answer is no answer: the work is done here then)."""
    if answer is None:
        return None
    try:
        return loads(answer)
    except Exception:  # noqa: BLE001
        return None


def _send(write_end: int, payload: bytes) -> None:
    """Writes all of ``payload`` to a pipe (a forked process's answer)."""
    view = memoryview(payload)
    while view:
        view = view[os.write(write_end, view) :]


class RunQueue:
    """Runs of consecutive items (files), shared by this process and a forked one: their numbers
    are written to a pipe before the fork, and each process reads the next (a read of four
    bytes from a pipe is atomic), until none is left. Either may stop for other work meanwhile:
    the other takes more. ``OSError`` when no pipe can hold them (work in one process then)."""

    RUN = 64  # files a run: small enough for either process to take up the slack at the end
    MOST_RUNS = 1024  # (4 KiB of numbers: what the smallest pipe Linux makes holds unread)

    def __init__(self, count: int) -> None:
        self.count = count
        self.size = max(self.RUN, -(-count // self.MOST_RUNS))
        self.read_end, write_end = os.pipe()
        try:
            os.set_blocking(write_end, False)  # (a pipe smaller than that fails here, never hangs)
            numbers = b"".join(n.to_bytes(4, "little") for n in range(-(-count // self.size)))
            if os.write(write_end, numbers) != len(numbers):
                raise OSError("the pipe took only part of the runs")
        except OSError:
            os.close(self.read_end)
            raise
        finally:
            os.close(write_end)

    def __iter__(self):
        while True:
            try:
                number = os.read(self.read_end, 4)
            except OSError:
                return
            if len(number) != 4:
                return
            start = int.from_bytes(number, "little") * self.size
            yield range(start, min(start + self.size, self.count))

    def close(self) -> None:
        try:
            os.close(self.read_end)
        except OSError:
            pass


class SharedRuns:
    """A forked helper and this process taking the runs of ``count`` items from one
    ``RunQueue``: iterate it for this process's runs, then ``finish`` for the helper's answer
    and ``untaken`` for the items this process did not take (the helper's; to be done here
    when it failed). Made by ``share_runs``."""

    def __init__(self, count: int, queue: RunQueue, helper: Tuple[int, int]) -> None:
        self.count = count
        self._queue = queue
        self._helper: Optional[Tuple[int, int]] = helper
        self._taken: List[range] = []

    def __iter__(self) -> Iterator[range]:
        for run in self._queue:
            self._taken.append(run)
            yield run

    def finish(self) -> Optional[bytes]:
        """The helper's answer once it has exited; None if it failed."""
        self._queue.close()
        helper, self._helper = self._helper, None
        return child_answer(*helper) if helper is not None else None

    def untaken(self) -> List[int]:
        taken = set()
        for run in self._taken:
            taken.update(run)
        return [i for i in range(self.count) if i not in taken]


def share_runs(count: int, helper_answer: Callable[[RunQueue], bytes]) -> Optional[SharedRuns]:
    """Forks a helper that answers ``helper_answer(queue)`` over the runs it takes; None when no
    queue or process could be made (this process does every item then)."""
    try:
        queue = RunQueue(count)
    except OSError:
        return None
    helper = forked(lambda: helper_answer(queue))
    if helper is None:
        queue.close()
        return None
    return SharedRuns(count, queue, helper)
