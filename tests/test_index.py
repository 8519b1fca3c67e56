"""index.py: who imports whom, which files may make an image request, and the cache that keeps
those readings between runs (never wrong when a file changes, safe to share, ignored by git,
off with --no-cache)."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import pytest

import warm_python

from dalle_migrate.index import CACHE_FOLDER, import_lines, import_statements, imported_names

TODAY = ["--today", "2026-11-25"]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

SETTINGS = 'MODEL = "dall-e-3"\n'
CALLER = 'from openai import OpenAI\nimport settings\n\nOpenAI().images.generate(model=settings.MODEL, prompt="x")\n'
NOT_A_CALLER = 'import settings\n\nprint(settings.MODEL)\n'


def write(root: Path, files: Dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def run(root: Path, *args: str, cache_dir: "Path | None" = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("DALLE_MIGRATE_CACHE_DIR", None)
    if cache_dir is not None:
        env["DALLE_MIGRATE_CACHE_DIR"] = str(cache_dir)
    return warm_python.cli([*args, *TODAY, "--format", "json", "--no-progress"], root, env)


def codes(result: subprocess.CompletedProcess) -> List[str]:
    assert result.returncode in (0, 1), result.stderr
    return sorted(f"{f['filename']}:{f['location']['row']} {f['code']}" for f in json.loads(result.stdout))


# -- reading import statements from bytes -----------------------------------------------------------
def sources() -> List[Path]:
    return sorted(FIXTURES.rglob("*.py")) + sorted((Path(__file__).parent / "e2e").rglob("*.py"))


@pytest.mark.parametrize("path", sources(), ids=lambda p: p.relative_to(p.parents[1]).as_posix())
def test_import_lines_keep_every_name_and_statement(path: Path) -> None:
    """The cache keeps only the lines around each `import`: what is read of them is what was
    read of the whole file."""
    data = path.read_bytes()
    lines = import_lines(data)
    assert imported_names(lines) == imported_names(data)
    assert import_statements(lines) == import_statements(data)


def _notebook(*cells) -> bytes:
    return json.dumps({
        "cells": [{"cell_type": kind, "metadata": {}, "source": source} for kind, source in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }).encode()


@pytest.mark.parametrize("document", [
    _notebook(("code", ["%matplotlib inline\n", "import settings\n", "from helpers import draw\n"])),
    _notebook(("code", "!pip install openai\nfrom openai import OpenAI\n"), ("markdown", "import not_code\n")),
    _notebook(("code", "%%capture\nfrom helpers import draw as d\n"), ("code", "%%bash\nimport nothing\n")),
    _notebook(("code", "pip install x\nfrom . import local\n"), ("code", ["%time import numpy\n", "x = 1\n"])),
    _notebook(("code", ["from x \\\n", "import y\n"])),
    _notebook(("code", ["from a import (\n", "    b,\n", "    c)\n"])),
    _notebook(("code", "import a\nfrom b import c\n"), ("code", ['print("import")\n', "import d\n"])),
], ids=["magics", "shell-and-markdown", "cell-magics", "automagic", "continued", "parenthesised", "one-string"])
def test_a_notebooks_import_lines_name_all_its_analysed_code_imports(document: bytes, tmp_path: Path) -> None:
    """A notebook's import lines are read from its strings that hold `import` (decoded one by
    one), or from its code cells as written when a statement may go on in another string: every
    import of the module the analysis reads is among them."""
    from dalle_migrate.cells import decoded_code_module
    from dalle_migrate.index import _notebook_code, read_entry

    analysed = decoded_code_module(json.loads(document)).encode()
    path = tmp_path / "lesson.ipynb"
    path.write_bytes(document)
    read = read_entry(str(path), (0, 0, len(document), 0), lambda data, notebook: False).imports.encode("latin-1")
    assert set(import_statements(analysed)) <= set(import_statements(read))
    assert imported_names(analysed) <= imported_names(read)
    code = _notebook_code(document)  # (the whole decode leaves markdown out)
    assert b"not_code" not in code and set(import_statements(analysed)) <= set(import_statements(code))


@pytest.mark.parametrize(
    "code, statements",
    [
        ("import a.b as c, d\n", ((-1, "a.b", ()), (-1, "d", ()))),
        ("from ..pkg.mod import (x,\n    y as z)\n", ((2, "pkg.mod", ("x", "y")),)),
        ("from . import settings  # noqa\n", ((1, "", ("settings",)),)),
        ("if TYPE_CHECKING:\n    from a import *\n", ((0, "a", ()),)),
        ('text = "no import here"\n', ()),
    ],
)
def test_import_statements(code: str, statements) -> None:
    assert import_statements(code.encode()) == statements


# -- the cache: in the project, ignored by git ------------------------------------------------------
def test_cache_is_written_in_the_project_and_ignored_by_git(tmp_path: Path) -> None:
    write(tmp_path, {"settings.py": SETTINGS, "images.py": CALLER})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM101"]
    folder = tmp_path / CACHE_FOLDER
    assert sorted(p.name for p in folder.iterdir())[:2] == [".gitignore", "CACHEDIR.TAG"]
    assert [p.name for p in folder.glob("imports-*.json")]
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert sorted(status.stdout.split()) == ["??", "??", "images.py", "settings.py"]
    # A run on the whole tree does not read it (nor would a file there be a module of the project).
    assert codes(run(tmp_path, "check", ".")) == ["settings.py:1 DM101"]


def test_no_cache_reads_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"settings.py": SETTINGS, "images.py": CALLER, "pyproject.toml": ""})
    assert codes(run(tmp_path, "check", "--no-cache", "settings.py")) == ["settings.py:1 DM101"]
    assert not (tmp_path / CACHE_FOLDER).exists()


# -- never wrong when a file changes -----------------------------------------------------------------
def test_a_file_changed_between_runs_is_read_again(tmp_path: Path) -> None:
    """settings.py staged alone, run after run, while the module with the call changes."""
    write(tmp_path, {"pyproject.toml": "", "settings.py": SETTINGS, "views.py": NOT_A_CALLER})
    assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM105"]
    write(tmp_path, {"images.py": CALLER})  # a new module calls with it
    assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM101"]
    write(tmp_path, {"images.py": CALLER.replace("import settings", "import views as settings")})
    assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM105"]  # imports another module now
    (tmp_path / "images.py").unlink()
    write(tmp_path, {"views.py": CALLER})  # the one that only printed it now calls
    assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM101"]


def test_a_change_that_keeps_size_and_modification_time_is_read_again(tmp_path: Path) -> None:
    """An edit of the same length, its modification time put back (`touch -r`, a copy keeping
    times): the change time still differs, so the cached reading is not taken."""
    write(tmp_path, {"pyproject.toml": "", "settings.py": SETTINGS, "images.py": CALLER.replace("import settings", "import settingz")})
    assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM105"]
    images = tmp_path / "images.py"
    before = images.stat()
    images.write_text(CALLER, encoding="utf-8")
    os.utime(images, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = images.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM101"]


def test_a_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "", "settings.py": SETTINGS, "images.py": CALLER})
    assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM101"]
    [cache] = (tmp_path / CACHE_FOLDER).glob("imports-*.json")
    for damage in (b"", b"{not json", json.dumps({"root": str(tmp_path), "files": {"images.py": [1, 2]}}).encode(), b"[]"):
        cache.write_bytes(damage)
        assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM101"]
        json.loads(cache.read_text())  # written whole again


def test_a_cache_that_cannot_be_written_leaves_the_run_as_it_is(tmp_path: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root writes into a read-only folder")
    write(tmp_path, {"pyproject.toml": "", "settings.py": SETTINGS, "images.py": CALLER})
    folder = tmp_path / CACHE_FOLDER
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM101"]
    finally:
        folder.chmod(0o700)


def test_a_cache_folder_that_is_a_file_leaves_the_run_as_it_is(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "", "settings.py": SETTINGS, "images.py": CALLER})
    (tmp_path / CACHE_FOLDER).write_text("not a folder")
    assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM101"]


def test_runs_sharing_the_cache_at_once_each_read_a_whole_one(tmp_path: Path) -> None:
    """Eight runs at once on one project, each on another staged module, while a ninth edits
    the caller: every run answers as a run alone would, and the cache left is whole."""
    files = {"pyproject.toml": "", "settings.py": SETTINGS, "images.py": CALLER}
    files.update({f"m{i}.py": f"import settings\nVALUE_{i} = settings.MODEL\n" for i in range(8)})
    write(tmp_path, files)
    env = dict(os.environ)
    env.pop("DALLE_MIGRATE_CACHE_DIR", None)
    for _ in range(3):
        with ThreadPoolExecutor(8) as pool:  # eight processes at once
            runs = [
                pool.submit(warm_python.cli, ["check", "settings.py", f"m{i}.py", *TODAY, "--format", "json", "--no-progress"], tmp_path, env)
                for i in range(8)
            ]
            for done in runs:
                process = done.result()
                assert process.returncode == 1, process.stderr
                assert sorted(f"{f['filename']}:{f['code']}" for f in json.loads(process.stdout)) == ["settings.py:DM101"]
        [cache] = (tmp_path / CACHE_FOLDER).glob("imports-*.json")
        assert set(json.loads(cache.read_text())["files"]) >= {"settings.py", "images.py", "m0.py"}


def test_a_killed_runs_temporary_cache_file_is_removed_by_a_later_write(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "", "settings.py": SETTINGS, "images.py": CALLER})
    folder = tmp_path / CACHE_FOLDER
    folder.mkdir()
    old, young = folder / ".imports-killed.tmp", folder / ".imports-writing.tmp"
    for leftover in (old, young):
        leftover.write_text("{")
    os.utime(old, (0, 0))
    assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM101"]
    assert not old.exists() and young.exists()  # another run may still be writing that one


def test_a_write_removes_the_files_another_version_wrote_for_the_same_root(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "", "settings.py": SETTINGS, "images.py": CALLER})
    assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM101"]
    folder = tmp_path / CACHE_FOLDER
    [current] = folder.glob("imports-*.json")
    root = current.name.rsplit("-", 1)[0]
    older, elsewhere = folder / f"{root}-0123456789abcdef0123.json", folder / "imports-000000000000-0123456789abcdef0123.json"
    for other in (older, elsewhere):
        other.write_text("{}")
    write(tmp_path, {"images.py": CALLER + "\n"})  # the index changes: written again
    assert codes(run(tmp_path, "check", "settings.py")) == ["settings.py:1 DM101"]
    assert current.exists() and not older.exists() and elsewhere.exists()  # another root's is its own


def test_the_files_mentioning_a_word_are_the_same_scanned_or_looked_up() -> None:
    """After a few questions the index reads every file's words once and looks them up: the
    answers are the scan's, word for word (ASCII runs; other words are still scanned)."""
    from dalle_migrate.index import Entry, ProjectIndex, import_lines

    texts = {
        "a.py": "from settings import MODEL\nimport utils.images as im\n",
        "b.py": "from .utils import helper_2, helper\nimport my_utils\n",
        "c.py": "from réglages import modèle\nimport utils2\n",
        "d.py": "from pkg.sub import (x,\n    y as settings_)\n",
        "e.py": "x = 1\n",
    }
    entries = {name: Entry((0, 0, 0, 0), import_lines(text.encode()).decode("latin-1"), False) for name, text in texts.items()}
    words = ["settings", "MODEL", "utils", "images", "im", "helper", "helper_2", "my_utils", "utils2",
             "réglages", "modèle", "pkg", "sub", "y", "settings_", "x", "from", "import", "nothing"]
    scanned = {w: [p for p, e in entries.items() if e.mentions(w)] for w in words}
    index = ProjectIndex("/", entries)
    for _ in range(6):  # past the scans: looked up
        assert {w: index.mentioning(w) for w in words} == scanned
    assert index._by_word is not None


# -- what the run's scan proved, taken by the index --------------------------------------------------
def everything() -> List[Path]:
    return sources() + sorted(FIXTURES.rglob("*.ipynb"))


@pytest.mark.parametrize("path", everything(), ids=lambda p: p.relative_to(p.parents[1]).as_posix())
def test_a_file_the_scan_proves_quiet_makes_no_image_request(path: Path) -> None:
    """The index takes the scan's proof for a file it skipped for its bytes (``scanned_quiet``):
    sound only if such a file's entry would say it makes no image request anyway. Checked on
    every fixture, and on each with its image-call words removed one by one (so the proof is
    met, not only the conclusion)."""
    from dalle_migrate.prefilter import prefilter_for
    from dalle_migrate.settings import Settings

    prefilter = prefilter_for(Settings().catalog)
    notebook = path.suffix == ".ipynb"
    data = path.read_bytes()
    variants = [data] + [data.replace(word, b"x") for word in (b"images", b"Image", b"generate", b"openai", b"image_generation", b"litellm")]
    met = 0
    for variant in variants:
        if not prefilter.may_have_findings(variant):
            met += 1
            assert not prefilter.may_make_image_request(variant, notebook)
    assert met or prefilter.may_have_findings(data)


def test_the_scans_proof_is_taken_only_for_bytes_written_before_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file written after the scan began may not be the one it read: searched again."""
    import time

    from dalle_migrate import index

    monkeypatch.setattr(index, "RACY_NS", 0)  # (no clock-tick margin: the test would wait 2 s)
    quiet, written_later = tmp_path / "quiet.py", tmp_path / "later.py"
    quiet.write_text("import os\n")
    time.sleep(0.02)
    scan_began = time.time_ns()
    time.sleep(0.02)
    written_later.write_text("import os\n")
    searched: List[str] = []

    def calls_images(data: bytes, notebook: bool) -> bool:
        searched.append(data.decode())
        return False

    index.scanned_quiet([str(quiet), str(written_later)], scan_began)
    try:
        built = index.build_index(str(tmp_path), [str(quiet), str(written_later)], calls_images, None)
    finally:
        index.scanned_quiet((), 0)
    assert set(built.entries) == {str(quiet), str(written_later)}
    assert len(searched) == 1  # only the file written after the scan began


def test_an_index_read_by_two_processes_is_the_one_read_by_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``SPLIT_READS`` (a pre-commit run's neighbour search): a forked helper and this process
    take runs of files from one queue. The index is the same, in the same order, whether the
    helper answers or fails, and whatever this process does beside (``BESIDE_READS``, once); an
    unreadable file has no entry either way."""
    import time

    from dalle_migrate import forks, index
    from dalle_migrate.prefilter import prefilter_for
    from dalle_migrate.settings import Settings

    files = {"pyproject.toml": "", "settings.py": SETTINGS, "images.py": CALLER, "other.py": NOT_A_CALLER}
    files.update({f"pkg/m{i}.py": f"import settings\nfrom pkg import m{i + 1}\n" + (CALLER if i % 3 == 0 else "") for i in range(20)})
    write(tmp_path, files)
    (tmp_path / "unreadable.py").mkdir()  # (a folder: reading it fails, as for a file removed meanwhile)
    paths = sorted(str(p) for p in tmp_path.rglob("*.py"))
    calls_images = prefilter_for(Settings().catalog).may_make_image_request

    def built() -> List[tuple]:
        entries = index.build_index(str(tmp_path), paths, calls_images, None).entries
        return [(path, entry.stamp, entry.imports, entry.calls_images) for path, entry in entries.items()]

    alone = built()
    assert len(alone) == len(paths) - 1 and sum(entry[3] for entry in alone) == 8
    monkeypatch.setattr(index, "SPLIT_READS", True)
    monkeypatch.setattr(index, "SPLIT_READS_MIN_FILES", 2)
    monkeypatch.setattr(index, "can_fork", lambda: True)  # (a pytest-xdist worker has threads)
    monkeypatch.setattr(forks.RunQueue, "RUN", 3)
    assert built() == alone
    read_here: List[str] = []
    real_read = index._read
    monkeypatch.setattr(index, "_read", lambda path, stamp, calls: (read_here.append(path), real_read(path, stamp, calls))[1])
    beside: List[int] = []
    monkeypatch.setattr(index, "BESIDE_READS", lambda: (beside.append(os.getpid()), time.sleep(0.3)))
    assert built() == alone
    assert beside == [os.getpid()] and index.BESIDE_READS is None  # run here, once
    assert len(read_here) < len(paths) // 2  # the helper read on meanwhile
    read_here.clear()
    monkeypatch.setattr(forks, "child_answer", lambda pid, end: (os.waitpid(pid, 0), os.close(end), None)[-1])
    assert built() == alone  # the runs the helper took read again here
    assert sorted(read_here) == sorted(p for p in paths)


def test_a_runs_walk_of_its_tree_is_the_one_its_index_takes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The run walks its tree; its project's index walks the same folder as a run without
    # configuration would (in each worker, without the cache): within a run, once.
    from dalle_migrate import discover
    from dalle_migrate.discover import Discovery

    write(tmp_path, {"a.py": SETTINGS, "pkg/b.py": CALLER, "pkg/c.ipynb": "{}", "build/d.py": SETTINGS, "notes.txt": ""})
    monkeypatch.chdir(tmp_path)
    fresh_relative, fresh_absolute = Discovery().files([Path(".")]), Discovery().files([tmp_path])
    assert fresh_absolute == [str(tmp_path / "a.py"), str(tmp_path / "pkg/b.py"), str(tmp_path / "pkg/c.ipynb")]
    listed: List[str] = []
    real_scandir = os.scandir

    def scandir(folder):
        listed.append(folder)
        return real_scandir(folder)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    discover.begin_run()
    try:
        assert Discovery().files([Path(".")]) == fresh_relative
        walked = len(listed)
        assert Discovery().files([tmp_path]) == fresh_absolute  # as given, taken from the run's walk
        assert Discovery().files([Path(".")]) == fresh_relative
        assert len(listed) == walked
        # A walk with excludes of its own neither takes the run's nor leaves its own.
        assert Discovery(excludes=("a.py",)).files([tmp_path]) == fresh_absolute[1:]
        assert Discovery(folder_excludes=()).files([Path(".")]) == ["./a.py", "./build/d.py", "./pkg/b.py", "./pkg/c.ipynb"]
        assert len(listed) > walked
        assert Discovery().files([tmp_path]) == fresh_absolute
    finally:
        discover.end_run()
    # Outside a run every walk reads the folders: a file written since is found.
    (tmp_path / "e.py").write_text(SETTINGS)
    assert Discovery().files([tmp_path]) == fresh_absolute[:1] + [str(tmp_path / "e.py")] + fresh_absolute[1:]
