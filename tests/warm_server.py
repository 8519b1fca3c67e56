"""A Python that has imported the SDKs once and forks a child for each program it is asked to run.

Started by ``warm_python.WarmPython``: one JSON request per line on standard input, one JSON answer
per line on standard output. A request names a program as a fresh interpreter would be given it
(``["script.py", ...]``, ``["-m", "package", ...]`` or ``["-c", code, ...]``), its folder, environment, the files its
standard streams go to, and modules to import first (in the server, once: the program's costly
imports). The child sets up what a fresh interpreter would (``sys.argv``,
``sys.path``, the folder, the environment, the streams), runs the program as ``__main__``, and
exits the way Python exits (the code of ``SystemExit``, 1 and a traceback for an exception).
Answers: ``{"id", "pid"}`` once forked, ``{"id", "returncode"}`` once it has ended.

Why: importing the openai SDK costs ~1 s of CPU; the end-to-end tests run ~150 programs.
"""

from __future__ import annotations

import atexit
import builtins
import importlib
import importlib.machinery
import io
import json
import os
import runpy
import select
import sys
import threading
import traceback
import types
from typing import Dict, List, Optional

# sys.path as a fresh interpreter has it after its first entry (given by the parent, who asked one).
FRESH_PATH: List[str] = json.loads(os.environ.pop("WARM_PYTHON_FRESH_PATH", "[]"))


def preload(names: List[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module this environment lacks: its programs are skipped
            pass


def _stream(fd: int, encoding: Optional[str], line_buffered: bool) -> io.TextIOWrapper:
    name, _, errors = (encoding or "utf-8").partition(":")
    return io.TextIOWrapper(
        io.FileIO(fd, "w", closefd=False), encoding=name, errors=errors or "strict", line_buffering=line_buffered
    )


def _exit_code(exc: SystemExit) -> int:
    """What the interpreter exits with for `sys.exit(code)`."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    print(exc.code, file=sys.stderr)
    return 1


def _run_script(path: str) -> None:
    """What `python path` does: the file's code run as a new `__main__` module."""
    main = types.ModuleType("__main__")
    main.__dict__.update(__file__=path, __cached__=None, __builtins__=builtins)
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
    sys.modules["__main__"] = main
    with open(path, "rb") as source:
        code = compile(source.read(), path, "exec", dont_inherit=True)
    exec(code, main.__dict__)


def run_child(request: Dict[str, object]) -> int:
    """In the forked child: become the program's interpreter and run it."""
    env: Dict[str, str] = request["env"]  # type: ignore[assignment]
    argv: List[str] = list(request["argv"])  # type: ignore[arg-type]
    os.chdir(str(request["cwd"]))
    os.environ.clear()
    os.environ.update(env)
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for fd, key in ((1, "stdout"), (2, "stderr")):
        out = os.open(str(request[key]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, fd)
        os.close(out)
    encoding = env.get("PYTHONIOENCODING")
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding=(encoding or "utf-8").split(":")[0])
    sys.stdout = _stream(1, encoding, line_buffered=False)
    sys.stderr = _stream(2, encoding, line_buffered=True)
    sys.stderr.reconfigure(errors="backslashreplace")  # as the interpreter's own stderr
    extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    try:
        if argv[0] == "-c":  # the code in argv, '' (the current folder) first on the path
            sys.path[:] = ["", *extra, *FRESH_PATH]
            sys.argv = ["-c", *argv[2:]]
            main = types.ModuleType("__main__")
            main.__dict__.update(__builtins__=builtins)
            main.__loader__ = importlib.machinery.BuiltinImporter  # type: ignore[assignment]
            sys.modules["__main__"] = main
            exec(compile(argv[1], "<string>", "exec", dont_inherit=True), main.__dict__)
        elif argv[0] == "-m":
            sys.path[:] = [os.getcwd(), *extra, *FRESH_PATH]
            sys.argv = argv[1:]
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            script = os.path.abspath(argv[0])
            sys.path[:] = [os.path.dirname(script), *extra, *FRESH_PATH]
            sys.argv = argv  # the script as given; its __file__ absolute, as from 3.9
            _run_script(script)
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException:  # noqa: BLE001 - as the interpreter: the traceback, then exit 1
        traceback.print_exc()
        code = 1
    # What the interpreter does on its way out: wait for non-daemon threads, run atexit functions.
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    return code


def serve() -> None:
    answers = sys.stdout
    children: Dict[int, object] = {}  # pid -> request id
    pending = b""
    stdin = sys.stdin.buffer.raw  # type: ignore[attr-defined]
    open_input = True

    def answer(message: Dict[str, object]) -> None:
        answers.write(json.dumps(message) + "\n")
        answers.flush()

    while open_input or children:
        ready, _, _ = select.select([stdin] if open_input else [], [], [], 0.02)
        if ready:
            chunk = os.read(stdin.fileno(), 1 << 16)
            if not chunk:
                open_input = False
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                preload(request.get("import", []))  # once per server: later children have it
                pid = os.fork()
                if pid == 0:
                    code = 1
                    try:
                        code = run_child(request)
                    finally:
                        os._exit(code)
                children[pid] = request["id"]
                answer({"id": request["id"], "pid": pid})
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            answer({"id": children.pop(pid), "returncode": os.waitstatus_to_exitcode(status)})
        if not open_input and children:
            pid, status = os.waitpid(-1, 0)
            answer({"id": children.pop(pid), "returncode": os.waitstatus_to_exitcode(status)})


if __name__ == "__main__":
    preload(sys.argv[1:])
    # This file's folder is not a program's: only what a fresh interpreter has stays on the path.
    sys.path[:] = FRESH_PATH
    serve()
