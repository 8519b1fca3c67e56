"""Run the end-to-end programs in a warm interpreter: a fork of one that has imported the SDKs.

A fresh interpreter spends ~1 s of CPU importing the openai SDK (LiteLLM: ~5 s, and its import
waits for a network this machine lacks) before a program sends anything; the end-to-end tests run
~150 programs. ``WarmPython`` starts one server (``warm_server.py``) that has imported them, and
each program runs in a child forked from it, set up as a fresh interpreter would be (its argv, its
folder first on ``sys.path`` or the current one for ``-m``, ``PYTHONPATH``, its environment, its
streams, its exit code): the same SDK code, not a mock. ``test_warm_python.py`` holds the two ways
to the same answers. ``DALLE_MIGRATE_E2E_COLD=1`` (and platforms without ``fork``) run every
program in a fresh interpreter instead; ``.ci/run`` does so under one of its interpreters.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

SERVER = Path(__file__).with_name("warm_server.py")
# What every program imports that costs: imported by the server as it starts. What only some
# import (LiteLLM, Semantic Kernel) is imported once the first of them asks (`run(imports=...)`).
PRELOAD = ("openai", "httpx", "requests", "asyncio", "concurrent.futures", "urllib.request", "tempfile", "base64")


def cold() -> bool:
    return bool(os.environ.get("DALLE_MIGRATE_E2E_COLD")) or not hasattr(os, "fork")


def fresh_path() -> List[str]:
    """sys.path of a fresh interpreter, after its first entry (the script's folder or '')."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-c", "import json, sys; print(json.dumps(sys.path[1:]))"],
        cwd=tempfile.gettempdir(),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


class WarmPython:
    """One warm server; ``run`` is thread-safe and runs programs concurrently."""

    def __init__(self, env: Dict[str, str]) -> None:
        server_env = dict(env)
        server_env.pop("PYTHONPATH", None)
        server_env["WARM_PYTHON_FRESH_PATH"] = json.dumps(fresh_path())
        # LiteLLM's import fetches its price table and retries for ~8 s where there is no network,
        # as here; told to, it reads the copy it ships. (An import-time setting: only the server's.)
        server_env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        self._proc = subprocess.Popen(
            [sys.executable, str(SERVER), *PRELOAD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=tempfile.gettempdir(),
            env=server_env,
        )
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._pids: Dict[int, "Future[int]"] = {}
        self._codes: Dict[int, "Future[int]"] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            message = json.loads(line)
            with self._lock:
                if "pid" in message:
                    self._pids.pop(message["id"]).set_result(message["pid"])
                else:
                    self._codes.pop(message["id"]).set_result(message["returncode"])
        with self._lock:  # the server has gone: nothing more will be answered
            for future in [*self._pids.values(), *self._codes.values()]:
                future.set_exception(RuntimeError("the warm Python server ended"))

    def run(
        self, argv: Sequence[str], cwd: Path, env: Dict[str, str], timeout: float, imports: Sequence[str] = ()
    ) -> Tuple[int, str, str]:
        """Run `python *argv` in `cwd` with `env`: (exit code, stdout, stderr). `imports`: modules
        the server imports first, once, for this program and the later ones."""
        with tempfile.TemporaryDirectory(prefix="warm-run-") as streams:
            out, err = Path(streams, "stdout"), Path(streams, "stderr")
            pid_future: "Future[int]" = Future()
            code_future: "Future[int]" = Future()
            with self._lock:
                request_id = next(self._ids)
                self._pids[request_id] = pid_future
                self._codes[request_id] = code_future
                request = {"id": request_id, "argv": list(argv), "cwd": str(cwd), "env": env, "import": list(imports)}
                request.update(stdout=str(out), stderr=str(err))
                assert self._proc.stdin is not None
                self._proc.stdin.write((json.dumps(request) + "\n").encode())
                self._proc.stdin.flush()
            pid = pid_future.result(timeout=60)
            try:
                code = code_future.result(timeout=timeout)
            except FutureTimeout:
                os.kill(pid, signal.SIGKILL)
                code = code_future.result(timeout=60)
            read = lambda path: path.read_bytes().decode("utf-8", "replace")  # noqa: E731
            return code, read(out), read(err)

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self._proc.kill()


_server: Optional[WarmPython] = None
_server_lock = threading.Lock()


def server(env: Dict[str, str]) -> WarmPython:
    """The process's warm server, started on first use with `env` (a program's, without its own
    settings), ended when the process ends."""
    global _server
    with _server_lock:
        if _server is None:
            _server = WarmPython(env)
            import atexit

            atexit.register(_server.close)
        return _server


# What `python -m dalle_migrate` imports: imported by the server the first time a test runs it.
CLI_IMPORTS = ("dalle_migrate.cli", "dalle_migrate.runner", "dalle_migrate.engine")


def run(
    args: Sequence[str], cwd: Path, env: Optional[Dict[str, str]] = None, timeout: float = 120, imports: Sequence[str] = ()
) -> "subprocess.CompletedProcess[str]":
    """`python *args` in `cwd`: in a child of the warm interpreter, or a fresh one when cold."""
    env = dict(os.environ) if env is None else env
    if cold():
        return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    warm = server({k: v for k, v in os.environ.items() if not k.upper().startswith(("OPENAI_", "AZURE_OPENAI"))})
    code, out, err = warm.run(args, cwd, env, timeout, imports)
    return subprocess.CompletedProcess([sys.executable, *args], code, out, err)


def cli(args: Sequence[str], cwd: Path, env: Optional[Dict[str, str]] = None, timeout: float = 120) -> "subprocess.CompletedProcess[str]":
    """`python -m dalle_migrate *args`, as `run` runs a program."""
    return run(["-m", "dalle_migrate", *args], cwd, env, timeout, CLI_IMPORTS)
