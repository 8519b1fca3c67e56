"""The warm interpreter the end-to-end programs run in sets each up as a fresh one would.

Each probe runs twice, in a fresh ``python`` and in a child of the warm server, and must give the
same exit code, the same standard output and the same last line of standard error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, Sequence, Tuple

import pytest

import warm_python

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the warm server forks")

PROBE = '''
import atexit, json, os, sys, threading, time
import helper

def late():
    time.sleep(0.2)
    print("thread done", flush=True)

threading.Thread(target=late).start()
atexit.register(lambda: print("atexit ran"))
PROBE_MARK = "set"
print(json.dumps({
    "argv": sys.argv,
    "path": sys.path,
    "cwd": os.getcwd(),
    "env": {k: os.environ.get(k) for k in ("PROBE_SETTING", "PYTHONPATH", "OPENAI_BASE_URL")},
    "name": __name__,
    "file": __file__,
    "helper": helper.__file__,
    "bytecode": sys.dont_write_bytecode,
    "encoding": [sys.stdout.encoding, sys.stderr.encoding],
    "stdin": sys.stdin.read(),
    "main": sys.modules["__main__"].__dict__.get("PROBE_MARK"),
    "spec": __spec__ and [__spec__.name, __spec__.origin],
    "loader": type(__loader__).__name__,
}, sort_keys=True))
print("é ✓")
exit_with = os.environ.get("PROBE_EXIT", "")
if exit_with == "exception":
    raise ValueError("probe failed")
if exit_with == "message":
    sys.exit("a message")
if exit_with:
    sys.exit(int(exit_with))
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("probe")
    (root / "app").mkdir()
    (root / "app" / "probe.py").write_text(PROBE, encoding="utf-8")
    (root / "app" / "helper.py").write_text("", encoding="utf-8")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pkg" / "__main__.py").write_text("import sys\nsys.path.insert(0, 'app')\n" + PROBE, encoding="utf-8")
    (root / "site").mkdir()
    (root / "site" / "helper.py").write_text("# shadowed by the script's folder\n", encoding="utf-8")
    return root


def _env(root: Path, **extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PROBE_SETTING="yes", PYTHONIOENCODING="utf-8", PYTHONPATH=str(root / "site"), **extra)
    return env


def _cold(args: Sequence[str], cwd: Path, env: Dict[str, str]) -> Tuple[int, str, str]:
    proc = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, timeout=60)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


CASES = [
    pytest.param(["app/probe.py", "--flag", "é"], {}, id="script"),
    pytest.param(["-m", "pkg", "arg"], {}, id="module"),
    pytest.param(["app/probe.py"], {"PROBE_EXIT": "3"}, id="sys.exit(3)"),
    pytest.param(["app/probe.py"], {"PROBE_EXIT": "message"}, id="sys.exit(message)"),
    pytest.param(["app/probe.py"], {"PROBE_EXIT": "exception"}, id="exception"),
    pytest.param(["app/probe.py"], {"PYTHONDONTWRITEBYTECODE": "1"}, id="no-bytecode"),
]


@pytest.mark.parametrize("args, extra", CASES)
def test_a_program_runs_in_the_warm_interpreter_as_in_a_fresh_one(project: Path, args, extra) -> None:
    env = _env(project, **extra)
    cold = _cold(args, project, env)
    warm = warm_python.server(_env(project)).run(args, project, env, timeout=60)
    assert warm[0] == cold[0]
    assert json.loads(warm[1].splitlines()[0]) == json.loads(cold[1].splitlines()[0])
    assert warm[1] == cold[1]
    assert warm[2].strip().splitlines()[-1:] == cold[2].strip().splitlines()[-1:]
    assert "thread done" in warm[1] and "atexit ran" in warm[1]


def test_a_program_past_its_time_is_killed(project: Path, tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text("import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    code, out, _ = warm_python.server(_env(project)).run(["slow.py"], tmp_path, _env(project), timeout=1)
    assert code == -9 and out == "started\n"


def test_programs_run_at_once(project: Path, tmp_path: Path) -> None:
    """Two programs that each wait for the other finish only when they run side by side."""
    script = textwrap.dedent(
        """
        import os, sys, time
        mine, theirs = sys.argv[1], sys.argv[2]
        open(mine, "w").close()
        deadline = time.time() + 20
        while not os.path.exists(theirs):
            if time.time() > deadline:
                sys.exit("alone")
            time.sleep(0.01)
        """
    )
    (tmp_path / "meet.py").write_text(script)
    warm = warm_python.server(_env(project))
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(warm.run, ["meet.py", a, b], tmp_path, _env(project), 30) for a, b in (("a", "b"), ("b", "a"))]
        assert [r.result()[0] for r in runs] == [0, 0]


def test_code_given_with_c_runs_as_in_a_fresh_interpreter(project: Path) -> None:
    code = "import json, os, sys; print(json.dumps([sys.argv, sys.path[0], os.getcwd(), __name__, '__file__' in globals()]))"
    args = ["-c", code, "one", "two"]
    env = _env(project)
    cold = _cold(args, project / "app", env)
    warm = warm_python.server(_env(project)).run(args, project / "app", env, timeout=60)
    assert warm[:2] == cold[:2] and cold[0] == 0
