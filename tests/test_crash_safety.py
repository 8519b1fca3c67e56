"""Crash safety and safety of the scanned code (issue 7, parts 3 and 4).

- ``fix`` killed with SIGKILL at random moments over a tree of a few hundred files leaves every
  file either as it was or fully migrated, never partial; the next run completes the migration.
- Temporary files: what a kill inside ``atomic_write`` leaves behind, and whether the next run
  removes it.
- File mode, owner (as root) and modification times: kept, and changed only for fixed files.
- Symbolic links are never followed out of the tree nor written through; nothing is written
  outside the paths given.
- The scanned code is never imported or executed (top-level code, shadowing module names, git
  configuration of a scanned repository).
- The Images API stand-in binds to loopback by default.

Every run goes through the real command line in a subprocess; the date is fixed
(``--today 2026-11-25``) and ``--isolated`` keeps this repository's configuration out.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import pytest

TODAY = "2026-11-25"
TMP_SUFFIX = ".dalle-migrate.tmp"
OLD_MTIME_NS = 1_000_000_000 * 1_000_000_000  # 2001-09-09: any write shows

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals, modes and owners")


# -- helpers ---------------------------------------------------------------------------------
def _env() -> Dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def command(*args: str) -> List[str]:
    """``python -m dalle_migrate ARGS`` (run from a folder that holds no scanned code)."""
    return [sys.executable, "-m", "dalle_migrate", *args]


def run_tool(args: List[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        command(*args), cwd=str(cwd), capture_output=True, text=True, timeout=timeout, env=_env()
    )


def fix_args(*paths: Path, jobs: Optional[int] = None) -> List[str]:
    # --no-cache: the kills are aimed by counting the run's writes, the cache's are not counted
    # (test_index.py tests it; its one write is atomic the same way).
    args = ["fix", "--isolated", "--today", TODAY, "--no-progress", "--no-cache"]
    if jobs:
        args += ["-j", str(jobs)]
    return args + [str(p) for p in paths]


def snapshot(root: Path) -> Dict[str, bytes]:
    """Every regular file under ``root`` (symlinks not followed) by relative path."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            if not path.is_symlink():
                out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def temp_files(root: Path) -> List[Path]:
    return sorted(p for p in root.rglob("*") if p.name.endswith(TMP_SUFFIX))


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr


# -- a tree of a few hundred files ----------------------------------------------------------
# Small files, each different (the index is in the prompt), covering the fixes that rewrite
# the most: model ids, sizes, qualities, deleted keywords, URL reads, added imports.
TEMPLATES = {
    "retired": '''\
        from openai import OpenAI

        client = OpenAI()


        def banner_{i}():
            image = client.images.generate(model="dall-e-3", prompt="banner {i}", quality="hd", style="vivid")
            return image.data[0].url
        ''',
    "small": '''\
        import openai

        client = openai.OpenAI()
        thumb = client.images.generate(model="dall-e-2", prompt="thumb {i}", size="256x256", response_format="url")
        ''',
    "download": '''\
        import requests
        from openai import OpenAI

        client = OpenAI()
        result = client.images.generate(model="gpt-image-1", prompt="photo {i}", size="1792x1024")
        data = requests.get(result.data[0].url).content
        ''',
    # Already migrated: parsed, never written.
    "clean": '''\
        from openai import OpenAI

        client = OpenAI()
        image = client.images.generate(model="gpt-image-2", prompt="clean {i}")
        ''',
    # No image API at all: never parsed.
    "unrelated": '''\
        def add_{i}(a, b):
            return a + b
        ''',
}
UNCHANGED_KINDS = ("clean", "unrelated")


def make_tree(root: Path, count: int) -> Dict[str, str]:
    """``count`` files in nested folders, with a mix of modes; returns relative path -> kind."""
    kinds = list(TEMPLATES)
    layout = {}
    for i in range(count):
        kind = kinds[i % len(kinds)]
        folder = root / f"pkg{i % 7}" / f"sub{i % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{kind}_{i}.py"
        path.write_text(textwrap.dedent(TEMPLATES[kind]).format(i=i))
        path.chmod((0o644, 0o640, 0o755, 0o600)[i % 4])
        os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
        layout[path.relative_to(root).as_posix()] = kind
    return layout


def modes(root: Path) -> Dict[str, Tuple[int, int, int]]:
    """Mode and owner of every file, a killed run's temporary files left out (checked apart)."""
    out = {}
    for rel in snapshot(root):
        if rel.endswith(TMP_SUFFIX):
            continue
        info = (root / rel).stat()
        out[rel] = (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)
    return out


# -- 3. crash safety -------------------------------------------------------------------------
KILL_SEED = 20261125
KILLS = 4
MAX_KILLS = 30
TREE_FILES = 120  # 24 of each kind: enough for a kill to land among the writes (see below)


def test_sigkill_at_random_moments_leaves_every_file_whole(tmp_path):
    """SIGKILL the whole process group of `fix` (the parent and its worker processes) at seeded
    random moments; after every kill each file is byte for byte the original or the fully
    fixed version, with its mode and owner; a last complete run finishes the migration."""
    tree = tmp_path / "tree"
    layout = make_tree(tree, TREE_FILES)
    if IS_ROOT:  # a few files owned by someone else: the owner must survive the rewrite
        for rel in list(layout)[::9]:
            os.chown(tree / rel, 4321, 8765)
    original = snapshot(tree)
    original_modes = modes(tree)

    # The fully fixed version, from one clean run on a copy.
    reference = tmp_path / "reference"
    shutil.copytree(tree, reference, symlinks=True)
    started = time.monotonic()
    clean = run_tool(fix_args(reference), cwd=tmp_path)
    full_run = time.monotonic() - started
    no_traceback(clean)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    fixed = snapshot(reference)
    assert set(fixed) == set(original)
    changed = {rel for rel in original if fixed[rel] != original[rel]}
    assert changed == {rel for rel, kind in layout.items() if kind not in UNCHANGED_KINDS}
    assert not temp_files(reference)

    rng = random.Random(KILL_SEED)
    history = []
    leftovers_seen: set = set()
    # KILLS kills at chosen moments, then more (up to MAX_KILLS) until one lands in the middle of
    # the writing, each timed by watching for the run's first write: how long a run takes varies
    # with the machine's load, so a kill at a chosen moment may come after a run is over.
    # The writing is the last part of a run, a tenth of it or so; where it starts varies with
    # the machine's load. Kills are aimed between the latest delay that came before any write
    # (``early``) and the earliest that came after the last one (``late``), which close in.
    early, late = 0.0, full_run
    for attempt in range(MAX_KILLS):
        if attempt >= KILLS and any(0 < done < len(changed) for _, _, done in history):
            break
        # The first half of a run is mostly start-up (imports, worker processes); the writing
        # comes after it, and the faster the analysis, the later in the run it starts.
        # Between the bounds, nearer their middle once both are known from kills: they close in
        # on the writing even when the machine's load moves it between runs.
        low = max(early, 0.5 * late)
        delay = low + (late - low) * (rng.uniform(0.3, 0.7) if early > 0 else rng.random())
        proc = subprocess.Popen(
            command(*fix_args(tree)),
            cwd=str(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_env(),
            start_new_session=True,  # its own process group: the workers die with it
        )
        if attempt < KILLS:
            time.sleep(delay)
        else:  # none of the kills at a chosen moment landed in the writing: watch for it
            delay = _wait_for_first_write(proc, tree, changed, rng, limit=10 * full_run)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # it finished first
            pass
        proc.wait(timeout=30)
        now = snapshot(tree)
        tmp_names = {rel for rel in now if rel.endswith(TMP_SUFFIX)}
        leftovers_seen |= tmp_names
        for rel in original:
            assert now[rel] in (original[rel], fixed[rel]), f"after a kill at {delay:.2f}s {rel} is partial"
        assert set(now) - tmp_names == set(original), "a file appeared or disappeared"
        assert modes(tree) == original_modes
        done = sum(1 for rel in changed if now[rel] == fixed[rel])
        history.append((round(delay, 2), proc.returncode, done))
        if done == 0:
            early = max(early, delay)  # killed before the writing: aim later
            if early >= 0.9 * late:
                # Runs take longer now than the reference run did (another test's load on the
                # CPUs, a parallel worker): the writing may come after `late`.
                late *= 1.5
        if done == len(changed):
            # The run was over before the kill: put the original contents back (the files keep
            # their modes and owners) and aim the next kills earlier.
            for rel in changed:
                (tree / rel).write_bytes(original[rel])
            late = min(late, delay)
            early = min(early, late * 0.9)

    final = run_tool(fix_args(tree), cwd=tmp_path)
    no_traceback(final)
    assert final.returncode == 0, final.stdout + final.stderr
    # A left-over temporary file is never taken for source: the file count is the tree's.
    assert f"in {len(original)} files scanned" in final.stdout
    now = snapshot(tree)
    for rel in original:
        assert now[rel] == fixed[rel], rel
    assert modes(tree) == original_modes
    for rel, kind in layout.items():
        if kind in UNCHANGED_KINDS:  # never rewritten by any of the runs
            assert (tree / rel).stat().st_mtime_ns == OLD_MTIME_NS, rel
        else:
            assert (tree / rel).stat().st_mtime_ns != OLD_MTIME_NS, rel
    # Whatever temporary files the kills left, the complete run removed them.
    assert temp_files(tree) == []
    print(f"full run {full_run:.1f}s; kills (delay s, returncode, files fixed so far): {history}; "
          f"temporary files left by kills: {sorted(leftovers_seen)}")
    # At least one kill landed in the middle of the writing (some files fixed, some not yet).
    assert any(0 < done < len(changed) for _, _, done in history), history


def _wait_for_first_write(proc: subprocess.Popen, tree: Path, changed: Set[str], rng: random.Random, limit: float) -> float:
    """Wait until the run has replaced one of the files it fixes, then a random moment more (up
    to a hundredth of a second: the writing of the tree takes several); returns how long
    after its start. The kills at chosen moments come first: this one is for machines whose load
    moves the writing about faster than they can close in on it."""
    started = time.monotonic()
    paths = [tree / rel for rel in sorted(changed)]
    before = {path: path.stat().st_mtime_ns for path in paths}
    while time.monotonic() - started < limit and proc.poll() is None:
        try:
            written = any(path.stat().st_mtime_ns != before[path] for path in paths)
        except OSError:  # (never, with an atomic rename: a file is always there)
            written = True
        if written:
            time.sleep(rng.uniform(0, 0.01))
            break
        time.sleep(0.001)
    return time.monotonic() - started


# A kill inside atomic_write, at a chosen step: a small program replaces one os function with
# one that SIGKILLs its own process on the N-th call, then runs the command line in-process
# (-j 1: no worker processes).
KILLER = textwrap.dedent(
    """
    import os, signal, stat, sys
    step, nth = sys.argv[1], int(sys.argv[2])
    real = getattr(os, step)
    calls = [0]
    def killer(*args, **kwargs):
        if step == "fsync" and not stat.S_ISREG(os.fstat(args[0]).st_mode):
            return real(*args, **kwargs)  # the folder's sync after the rename: the file is whole
        calls[0] += 1
        if calls[0] == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(os, step, killer)
    from dalle_migrate.cli import main
    sys.argv = ["dalle-migrate"] + sys.argv[3:]
    main()
    """
)


def _kill_inside_write(tmp_path: Path, step: str, nth: int) -> subprocess.CompletedProcess:
    script = tmp_path / "killer_script.py"
    script.write_text(KILLER)
    return subprocess.run(
        [sys.executable, str(script), step, str(nth), *fix_args(tmp_path / "tree", jobs=1)],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )


@pytest.mark.parametrize("step", ["fsync", "chmod", "replace"])
def test_kill_inside_atomic_write_keeps_the_original_and_the_next_run_completes(tmp_path, step):
    """Killed after the temporary file is created (while syncing it, setting its mode, or just
    before the rename): the file being written is still the original, the files before it are
    fully fixed, and the next run fixes the rest, never takes the left-over for source, and
    removes it."""
    tree = tmp_path / "tree"
    layout = make_tree(tree, 6)
    original = snapshot(tree)
    killed = _kill_inside_write(tmp_path, step, 3)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    now = snapshot(tree)
    leftovers = [rel for rel in now if rel.endswith(TMP_SUFFIX)]
    # The kill left exactly one temporary file, hidden, next to the file being fixed.
    assert len(leftovers) == 1, leftovers
    target = re.sub(r"^(.*/)?\.(.+\.py)\.[^/]+" + re.escape(TMP_SUFFIX) + "$", r"\1\2", leftovers[0])
    assert target in original and now[target] == original[target]
    fixed_so_far = [rel for rel in original if now[rel] != original[rel]]
    assert len(fixed_so_far) == 2  # the two files written before the kill

    final = run_tool(fix_args(tree), cwd=tmp_path)
    no_traceback(final)
    assert final.returncode == 0, final.stdout
    assert f"in {len(original)} files scanned" in final.stdout
    after = snapshot(tree)
    for rel, kind in layout.items():
        if kind not in UNCHANGED_KINDS:
            assert b"gpt-image-2" in after[rel] and b"dall-e" not in after[rel], rel
        else:
            assert after[rel] == original[rel]
    assert temp_files(tree) == []


def test_next_run_removes_temporary_files_left_by_a_killed_run(tmp_path):
    """`fix` over a folder deletes the temporary files a killed run left in it; `check`, which
    writes nothing, leaves them."""
    tree = tmp_path / "tree"
    make_tree(tree, 6)
    killed = _kill_inside_write(tmp_path, "replace", 2)
    assert killed.returncode == -signal.SIGKILL
    assert len(temp_files(tree)) == 1
    check = run_tool(["check", "--isolated", "--today", TODAY, "--no-progress", str(tree)], cwd=tmp_path)
    assert check.returncode == 1 and len(temp_files(tree)) == 1
    final = run_tool(fix_args(tree), cwd=tmp_path)
    no_traceback(final)
    assert final.returncode == 0, final.stdout
    assert temp_files(tree) == []


def test_fix_of_an_explicit_file_removes_its_stale_temporary_file(tmp_path):
    tree = tmp_path / "tree"
    layout = make_tree(tree, 6)
    killed = _kill_inside_write(tmp_path, "replace", 1)
    assert killed.returncode == -signal.SIGKILL
    (leftover,) = temp_files(tree)
    target = leftover.parent / leftover.name[1:].split(".py.", 1)[0]
    target = target.with_name(target.name + ".py")
    assert target.relative_to(tree).as_posix() in layout
    final = run_tool(fix_args(target), cwd=tmp_path)
    assert final.returncode == 0, final.stdout
    assert temp_files(tree) == []


def _fixable(prompt: str = "x") -> str:
    return f'import openai\nopenai.images.generate(model="dall-e-3", prompt="{prompt}", quality="hd")\n'


def test_mode_owner_and_mtime_are_kept_and_only_fixed_files_change(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    files = {
        "group.py": (0o640, True),
        "script.py": (0o755, True),
        "private.py": (0o600, True),
        "readonly.py": (0o444, True),
        "clean.py": (0o644, False),
        "plain.py": (0o755, False),
    }
    for name, (mode, fixable) in files.items():
        path = tree / name
        path.write_text(_fixable(name) if fixable else ("import openai\n" if name == "clean.py" else "x = 1\n"))
        path.chmod(mode)
        os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    if IS_ROOT:
        os.chown(tree / "group.py", 4321, 8765)
    result = run_tool(fix_args(tree), cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 0, result.stdout
    for name, (mode, fixable) in files.items():
        info = (tree / name).stat()
        assert stat.S_IMODE(info.st_mode) == mode, name
        assert (info.st_mtime_ns != OLD_MTIME_NS) == fixable, name
        assert (b"gpt-image-2" in (tree / name).read_bytes()) == fixable
    if IS_ROOT:
        info = (tree / "group.py").stat()
        assert (info.st_uid, info.st_gid) == (4321, 8765)
    assert sorted(p.name for p in tree.iterdir()) == sorted(files)


def test_setuid_and_setgid_bits_are_kept(tmp_path):
    """chown() clears set-user-ID and set-group-ID: atomic_write must chown before chmod."""
    for mode in (0o4755, 0o2755):
        path = tmp_path / f"m{mode:o}.py"
        path.write_text(_fixable())
        path.chmod(mode)
    result = run_tool(fix_args(tmp_path), cwd=tmp_path)
    assert result.returncode == 0
    for mode in (0o4755, 0o2755):
        path = tmp_path / f"m{mode:o}.py"
        assert b"gpt-image-2" in path.read_bytes()
        assert stat.S_IMODE(path.stat().st_mode) == mode


# -- 4. symbolic links and writing outside the given paths ------------------------------------
def _outside_and_tree(tmp_path: Path) -> Tuple[Path, Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "real.py").write_text(_fixable("outside"))
    (outside / "nested").mkdir()
    (outside / "nested" / "deep.py").write_text(_fixable("deep"))
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "own.py").write_text(_fixable("own"))
    for path in (outside / "real.py", outside / "nested" / "deep.py", tree / "own.py"):
        os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return outside, tree, tmp_path / "sibling"


def test_symlinks_inside_the_tree_are_never_followed_or_written_through(tmp_path):
    outside, tree, _ = _outside_and_tree(tmp_path)
    os.symlink(outside / "real.py", tree / "link_out.py")  # a file outside
    os.symlink(outside, tree / "linkdir")  # a folder outside
    os.symlink("own.py", tree / "link_in.py")  # a file inside the tree
    os.symlink(tree / "missing.py", tree / "dangling.py")
    before = snapshot(outside)
    result = run_tool(fix_args(tree), cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 0, result.stdout
    assert "in 1 file scanned" in result.stdout  # own.py only: no link is listed
    assert snapshot(outside) == before
    assert (outside / "real.py").stat().st_mtime_ns == OLD_MTIME_NS
    assert (outside / "nested" / "deep.py").stat().st_mtime_ns == OLD_MTIME_NS
    for name, target in [
        ("link_out.py", str(outside / "real.py")),
        ("linkdir", str(outside)),
        ("link_in.py", "own.py"),
        ("dangling.py", str(tree / "missing.py")),
    ]:
        assert (tree / name).is_symlink() and os.readlink(tree / name) == target, name
    assert b"gpt-image-2" in (tree / "own.py").read_bytes()
    assert not (tree / "missing.py").exists()


def test_a_symlinked_file_given_explicitly_is_reported_not_replaced(tmp_path):
    """Decided behaviour: a symlink named on the command line is read through (it is what the
    user asked for) and checked; `fix` does not write: replacing the link would turn it into
    a diverging copy, and writing through it could leave the given paths. It says which file
    to fix instead (exit 2). The link, and the file it points to, are unchanged."""
    outside, tree, _ = _outside_and_tree(tmp_path)
    os.symlink(outside / "real.py", tree / "link.py")
    before = (outside / "real.py").read_bytes()
    check = run_tool(["check", "--isolated", "--today", TODAY, "--no-progress", str(tree / "link.py")], cwd=tmp_path)
    no_traceback(check)
    assert check.returncode == 1 and "DM101" in check.stdout
    result = run_tool(fix_args(tree / "link.py"), cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 2, result.stdout
    assert "symbolic link" in result.stdout and str(outside / "real.py") in result.stdout
    assert (tree / "link.py").is_symlink() and os.readlink(tree / "link.py") == str(outside / "real.py")
    assert (outside / "real.py").read_bytes() == before
    assert (outside / "real.py").stat().st_mtime_ns == OLD_MTIME_NS
    assert sorted(p.name for p in outside.iterdir()) == ["nested", "real.py"]
    assert sorted(p.name for p in tree.iterdir()) == ["link.py", "own.py"]


def test_never_writes_outside_the_given_paths(tmp_path):
    """Fixing one folder, or one file, leaves its siblings alone (bytes and timestamps), and
    creates nothing anywhere else."""
    outside, tree, sibling = _outside_and_tree(tmp_path)
    sibling.mkdir()
    (sibling / "other.py").write_text(_fixable("sibling"))
    (tree / "neighbour.py").write_text(_fixable("neighbour"))
    (tree / "sub").mkdir()
    (tree / "sub" / "inner.py").write_text(_fixable("inner"))
    for path in tmp_path.rglob("*.py"):
        os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    before = snapshot(tmp_path)

    # One file: only it changes.
    result = run_tool(fix_args(tree / "own.py"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    after = snapshot(tmp_path)
    assert {rel for rel in after if after[rel] != before.get(rel)} == {"tree/own.py"}
    assert set(after) == set(before)

    # One sub-folder: only the files in it.
    result = run_tool(fix_args(tree / "sub"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    after = snapshot(tmp_path)
    assert {rel for rel in after if after[rel] != before.get(rel)} == {"tree/own.py", "tree/sub/inner.py"}
    assert set(after) == set(before)
    for rel in ("sibling/other.py", "outside/real.py", "outside/nested/deep.py", "tree/neighbour.py"):
        assert (tmp_path / rel).stat().st_mtime_ns == OLD_MTIME_NS, rel


# -- 4. the scanned code is never imported or executed ---------------------------------------
MARKER_CODE = """\
import pathlib, sys
pathlib.Path({marker!r}).write_text("executed: " + __name__)
sys.exit(3)
"""


def _hostile_tree(tmp_path: Path) -> Tuple[Path, Path]:
    """A tree whose every Python file creates a marker and exits 3 if it is ever run or
    imported: a script, conftest.py, setup.py, a package __init__/__main__, modules named like
    the tool's own dependencies, and a notebook cell."""
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    marker = tmp_path / "EXECUTED"
    body = MARKER_CODE.format(marker=str(marker))
    image_call = 'openai.images.generate(model="dall-e-3", prompt="x", style="vivid")\n'
    for rel in ["evil.py", "conftest.py", "setup.py", "pkg/__init__.py", "pkg/__main__.py", "sitecustomize.py"]:
        (tree / rel).write_text("import openai\n" + body + image_call)
    # Modules named like what the tool imports: executed only if something imports them.
    for name in ["openai", "click", "libcst", "tomllib", "json", "dataclasses", "typing_extensions"]:
        (tree / f"{name}.py").write_text(body + "# openai dall-e-3\n")
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": ("import openai\n" + body + image_call).splitlines(True)}
    (tree / "nb.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return tree, marker


def _console_script() -> Optional[str]:
    candidate = Path(sys.executable).parent / "dalle-migrate"
    return str(candidate) if candidate.exists() else shutil.which("dalle-migrate")


def test_scanned_code_is_never_imported_or_executed(tmp_path):
    """check and fix over the tree, run from inside it as the installed command (the way the
    README and the pre-commit hooks run it): no marker, normal exit codes, no bytecode."""
    tree, marker = _hostile_tree(tmp_path)
    script = _console_script()
    if script is None:
        pytest.skip("the dalle-migrate console script is not installed")
    base = ["--isolated", "--today", TODAY, "--no-progress", "."]
    check = subprocess.run([script, "check", *base], cwd=str(tree), capture_output=True, text=True, env=_env(), timeout=120)
    no_traceback(check)
    assert not marker.exists(), marker.read_text()
    assert check.returncode == 1, check.stdout + check.stderr
    assert "evil.py" in check.stdout and "nb.ipynb:cell 1" in check.stdout
    fix = subprocess.run([script, "fix", *base], cwd=str(tree), capture_output=True, text=True, env=_env(), timeout=120)
    no_traceback(fix)
    assert not marker.exists(), marker.read_text()
    assert fix.returncode == 0, fix.stdout + fix.stderr
    assert 'model="gpt-image-2"' in (tree / "evil.py").read_text()
    assert "sys.exit(3)" in (tree / "evil.py").read_text()
    assert not list(tree.rglob("__pycache__")) and not list(tree.rglob("*.pyc"))


def test_python_m_from_inside_the_scanned_tree_imports_nothing_from_it(tmp_path):
    """`python -m` puts the working folder first on sys.path; run from the root of the scanned
    tree, its click.py / libcst.py / json.py must still not be imported."""
    tree, marker = _hostile_tree(tmp_path)
    for command_name in ("check", "fix"):
        result = run_tool([command_name, "--isolated", "--today", TODAY, "--no-progress", "."], cwd=tree)
        no_traceback(result)
        assert not marker.exists(), marker.read_text()
        assert result.returncode == (1 if command_name == "check" else 0), result.stdout + result.stderr


def test_git_configuration_of_a_scanned_repository_runs_nothing(tmp_path):
    """Discovery asks git which files are ignored; git honours the scanned repository's own
    .git/config, where `core.fsmonitor = <command>` would run a command (an untrusted clone
    must be safe to check): the tool turns it off for its git call."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(_fixable())
    marker = tmp_path / "FSMONITOR_RAN"
    env = {**_env(), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for args in (["init", "-q"], ["add", "app.py"], ["commit", "-qm", "x"], ["config", "core.fsmonitor", f"touch {marker}; true"]):
        subprocess.run([git, *args], cwd=str(repo), check=True, env=env, capture_output=True)
    result = run_tool(["check", "--isolated", "--today", TODAY, "--no-progress", str(repo)], cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert not marker.exists(), "git ran the scanned repository's core.fsmonitor command"


# -- 4. the stand-in binds to loopback -------------------------------------------------------
def test_serve_binds_to_loopback_by_default():
    import datetime

    from dalle_migrate.catalog import default_catalog
    from dalle_migrate.emulator import serve

    server = serve(default_catalog(), datetime.date(2026, 11, 25))
    try:
        assert server.server_address[0] == "127.0.0.1"
        assert server.base_url.startswith("http://127.0.0.1:")
    finally:
        server.shutdown()


def _listening_addresses(port: int) -> List[str]:
    """Local addresses of the TCP sockets listening on ``port`` (Linux /proc/net/tcp{,6})."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # LISTEN
                if len(address) == 8:
                    found.append(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
                else:
                    found.append("ipv6:" + address)
    return found


def test_emulate_command_binds_to_loopback_by_default(tmp_path):
    proc = subprocess.Popen(
        command("emulate", "--port", "0", "--today", TODAY),
        cwd=str(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        lines = []
        match = None
        while match is None and len(lines) < 20:
            lines.append(proc.stderr.readline())
            match = re.search(r"http://([\d.]+):(\d+)/v1", lines[-1])
        assert match, lines
        host, port = match.group(1), int(match.group(2))
        assert host == "127.0.0.1"
        if Path("/proc/net/tcp").exists():
            assert _listening_addresses(port) == ["127.0.0.1"]
    finally:
        proc.kill()
        proc.wait(timeout=10)
