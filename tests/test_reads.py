"""reads.py: a neighbour's analysis is skipped in a later run of a few files when everything it
read of the project is as it was and it parsed no file of the run; never wrong when a file
changes (the same findings as a run without the cache, edit after edit)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from click.testing import CliRunner

from dalle_migrate import engine, index
from dalle_migrate.cli import main

TODAY = ["--today", "2026-11-25"]

PROJECT = {
    "pyproject.toml": "",
    "settings.py": 'MODEL = "dall-e-3"\n',
    "config.py": "from settings import MODEL\n",
    "save.py": "import requests\n\n\ndef save(resp):\n    return requests.get(resp.data[0].url).content\n",
    "images.py": (
        "from openai import OpenAI\nfrom config import MODEL\nfrom save import save\nimport utils\n\n\n"
        'def draw(prompt, quality="hd"):\n'
        "    resp = OpenAI().images.generate(model=MODEL, prompt=prompt, quality=quality)\n"
        "    return save(resp)\n"
    ),
    "app.py": 'from images import draw\n\ndraw("a cat", quality="standard")\n',
    "wrapper.py": 'from openai import OpenAI\nimport utils\n\n\ndef poster(prompt, model="gpt-image-2"):\n    return OpenAI().images.generate(model=model, prompt=prompt)\n',
    "views.py": 'import settings\nfrom wrapper import poster\n\nposter("x", model=settings.MODEL)\n',
    # Imported by both callers, and reads a `url` (of anything): its importers are analysed.
    "utils.py": "def link(page):\n    return page.url\n\n\n" + "".join(f"def helper_{i}(x):\n    return x + {i}\n\n\n" for i in range(40)),
}

# Each step edits the project (None removes a file); after each, every file below is checked
# alone, with the cache and without.
STEPS: List[Dict[str, Optional[str]]] = [
    {},
    {"settings.py": 'MODEL = "dall-e-2"\n'},  # a value the callers read
    {"config.py": 'MODEL = "gpt-image-1"\n'},  # re-exports no more: defines its own
    {"config.py": "from settings import MODEL\n"},
    {"save.py": "import base64\n\n\ndef save(resp):\n    return base64.b64decode(resp.data[0].b64_json)\n"},
    {"late.py": 'from wrapper import poster\n\nposter("y", model="dall-e-3")\n'},  # a new caller of the wrapper
    {"images.py": PROJECT["images.py"].replace('quality="hd"', 'quality="standard"')},  # the neighbour itself
    {"utils.py": PROJECT["utils.py"] + "def helper_last(x):\n    return x\n"},  # read by nobody
    {"views.py": None},
    {"config.py": None, "config/__init__.py": 'MODEL = "dall-e-3"\n'},  # the import resolves elsewhere
    {"save.py": PROJECT["save.py"]},
]
RUN_FILES = ["settings.py", "config.py", "save.py", "utils.py", "images.py", "wrapper.py", "app.py", "views.py", "late.py"]


class _Analysed:
    """The files analysed, as written by every process of the runs (a hop's neighbours are
    analysed in forked processes): a list's questions, answered from a file."""

    def __init__(self, at: Path) -> None:
        self.at = at
        at.write_text("")

    def add(self, name: str) -> None:
        with open(self.at, "a") as out:
            out.write(name + "\n")

    def names(self) -> List[str]:
        return self.at.read_text().split()

    def clear(self) -> None:
        self.at.write_text("")

    def __len__(self) -> int:
        return len(self.names())

    def __contains__(self, name: object) -> bool:
        return name in self.names()

    def __iter__(self):
        return iter(self.names())

    def __eq__(self, other: object) -> bool:
        return self.names() == other

    def __repr__(self) -> str:
        return repr(self.names())


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> _Analysed:
    """The files analysed (parsed or proven empty) in the runs of the test."""
    analysed = _Analysed(tmp_path_factory.mktemp("counted") / "analysed")
    original = engine.process_data

    def counting(path, *args, **kwargs):
        analysed.add(os.path.basename(str(path)))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(engine, "process_data", counting)
    return analysed


@pytest.fixture
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stamps are trusted however recent (the test gives every write its own modification time)."""
    monkeypatch.setattr(index, "RACY_NS", 0)


_CLOCK = [1_600_000_000]


def write(root: Path, files: Dict[str, Optional[str]]) -> None:
    for relative, text in files.items():
        path = root / relative
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        _CLOCK[0] += 1  # a modification time no earlier write had
        os.utime(path, (_CLOCK[0], _CLOCK[0]))


def check(root: Path, *args: str) -> List[str]:
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["check", *args, *TODAY, "--format", "json", "--no-progress"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output
    return sorted(f"{f['filename']}:{f['location']['row']}:{f['location']['column']} {f['code']} {f['message']}" for f in json.loads(result.stdout))


def test_edit_after_edit_the_findings_are_those_of_a_run_without_the_cache(tmp_path: Path, counted: _Analysed, settled_at_once: None) -> None:
    write(tmp_path, PROJECT)
    skipped = 0
    for step in STEPS:
        write(tmp_path, step)
        for name in RUN_FILES:
            if not (tmp_path / name).exists():
                continue
            counted.clear()
            cached = check(tmp_path, name)
            with_cache = len(counted)
            counted.clear()
            assert cached == check(tmp_path, "--no-cache", name), (step, name)
            skipped += len(counted) - with_cache
    assert skipped > 0  # the cache did skip analyses: the comparison above was not of two fresh runs


def test_an_unchanged_neighbour_is_not_analysed_again(tmp_path: Path, counted: _Analysed, settled_at_once: None) -> None:
    write(tmp_path, PROJECT)
    first = check(tmp_path, "utils.py")
    assert "images.py" in counted and "wrapper.py" in counted  # its importers make image requests
    counted.clear()
    assert check(tmp_path, "utils.py") == first
    assert counted == []  # nothing it read changed, and none parsed utils.py
    write(tmp_path, {"utils.py": PROJECT["utils.py"] + "# edited\n"})
    assert check(tmp_path, "utils.py") == first
    assert counted == []  # utils.py is read by none of them
    write(tmp_path, {"wrapper.py": PROJECT["wrapper.py"] + "# edited\n"})
    assert check(tmp_path, "utils.py") == first
    assert counted == ["wrapper.py"]


def test_a_neighbour_that_parsed_a_file_of_the_run_is_analysed_again(tmp_path: Path, counted: _Analysed, settled_at_once: None) -> None:
    write(tmp_path, PROJECT)
    first = check(tmp_path, "settings.py")
    assert any("DM101" in f for f in first)
    counted.clear()
    assert check(tmp_path, "settings.py") == first
    # wrapper.py's call takes settings.MODEL from views.py: its analysis parsed settings.py,
    # where its finding is.
    assert "wrapper.py" in counted


def test_a_stamp_taken_within_a_tick_of_a_write_is_not_trusted(tmp_path: Path, counted: _Analysed) -> None:
    """Without the test's own modification times, every file was just written: its stamp may
    be the next write's too, so no record is taken as it is."""
    for relative, text in PROJECT.items():
        (tmp_path / relative).write_text(text, encoding="utf-8")
    first = check(tmp_path, "utils.py")
    counted.clear()
    assert check(tmp_path, "utils.py") == first
    assert "wrapper.py" in counted


def test_a_module_added_where_an_import_now_resolves_is_found(tmp_path: Path, settled_at_once: None) -> None:
    """Where imports resolved is kept between runs while the folders they were looked up in
    hold the same names: a module added beside the importer takes its import from then on."""
    write(tmp_path, {
        "pyproject.toml": "",
        "settings.py": 'MODEL = "dall-e-3"\n',
        "app/run.py": 'import settings\nfrom openai import OpenAI\n\nOpenAI().images.generate(model=settings.MODEL, prompt="x")\n',
    })
    assert [f.split(" ")[1] for f in check(tmp_path, "settings.py")] == ["DM101"]
    assert list(Path(os.environ["DALLE_MIGRATE_CACHE_DIR"]).glob("resolved-*.json"))
    write(tmp_path, {"app/settings.py": 'MODEL = "gpt-image-2"\n'})  # the script's own folder comes first
    assert [f.split(" ")[1] for f in check(tmp_path, "settings.py")] == ["DM105"]
    assert check(tmp_path, "settings.py") == check(tmp_path, "--no-cache", "settings.py")
    (tmp_path / "app/settings.py").unlink()
    assert [f.split(" ")[1] for f in check(tmp_path, "settings.py")] == ["DM101"]


def test_a_check_of_the_tree_takes_the_results_of_files_whose_reads_are_the_same(tmp_path: Path, counted: _Analysed, settled_at_once: None) -> None:
    """`check .` step after step: the same findings as without the cache, and only the files
    whose analysis read something that changed are analysed again (eight more modules with
    calls: enough for worker processes)."""
    extra = {f"extra_{i}.py": f'from openai import OpenAI\nfrom config import MODEL\n\nOpenAI().images.generate(model=MODEL, prompt="{i}")\n' for i in range(8)}
    write(tmp_path, {**PROJECT, **extra})
    skipped = 0
    for step in STEPS:
        write(tmp_path, step)
        counted.clear()
        cached = check(tmp_path, ".", "--jobs", "1")
        with_cache = len(counted)
        counted.clear()
        assert cached == check(tmp_path, "--no-cache", ".", "--jobs", "1"), step
        skipped += len(counted) - with_cache
        assert cached == check(tmp_path, ".", "--jobs", "2"), step  # results from worker processes kept alike
    assert skipped > len(STEPS)
    counted.clear()
    check(tmp_path, ".", "--jobs", "1")
    assert counted == []  # nothing changed: nothing analysed
    write(tmp_path, {name: text + "\n" for name, text in extra.items()})
    parallel = check(tmp_path, ".", "--jobs", "2")  # eight files to analyse: worker processes
    assert set(extra) <= set(counted)  # (counted in the workers)
    counted.clear()
    assert check(tmp_path, ".", "--jobs", "1") == parallel
    assert counted == []  # the workers' results were kept


def test_where_imports_resolved_is_kept_when_a_folder_beside_the_project_changes(tmp_path: Path, settled_at_once: None) -> None:
    """The kept resolutions depend on the folders they looked in (the project's), not on the
    folder above its root: another project created beside it leaves them as they are."""
    from dalle_migrate import project as project_module
    from dalle_migrate.settings import Settings

    root = tmp_path / "app"
    write(root, PROJECT)
    check(root, "utils.py")  # resolves the callers' imports and keeps them
    (tmp_path / "another-project").mkdir()
    project = project_module.Project(Settings())
    kept = project._resolved_in(str(root))
    assert kept is not None and os.path.join(str(root), "config.py") in kept.imports


@pytest.mark.parametrize("damage", [
    b"", b"{not json", b"[]", b'{"root": 1}', json.dumps({"root": "/", "files": {}}).encode(),
    json.dumps({"root": "ROOT", "files": {"x": {"reads": {"files": 3}}}, "records": {"y": [1]}, "listings": [], "imports": 5}).encode(),
    json.dumps({"root": "ROOT", "files": {"x": {"reads": {"files": {}, "answers": [[["what?"], 1]], "parsed": []},
                "findings": [["DM101", "m", 0, 1, "nonsense"]], "foreign": [], "imports": []}}}).encode(),
], ids=["empty", "not-json", "list", "bad-root", "other-root", "wrong-shapes", "wrong-values"])
def test_a_damaged_cache_file_of_any_kind_leaves_the_findings_as_they_are(tmp_path: Path, settled_at_once: None, damage: bytes) -> None:
    write(tmp_path, PROJECT)
    expected = {name: check(tmp_path, "--no-cache", name) for name in ("settings.py", "utils.py", ".")}
    for name in expected:
        check(tmp_path, name)  # every kind of cache file written
    where = Path(index.cache_file(str(tmp_path), "key")).name.split("-")[1]  # this project's files only
    cached = sorted(Path(os.environ["DALLE_MIGRATE_CACHE_DIR"]).glob(f"*-{where}-*.json"))
    assert {p.name.split("-")[0] for p in cached} >= {"imports", "reads", "resolved", "results"}
    for path in cached:
        path.write_bytes(damage.replace(b"ROOT", str(tmp_path).encode()))
    for name, findings in expected.items():
        assert check(tmp_path, name) == findings


def test_a_hops_neighbours_analysed_side_by_side_find_what_one_process_finds(tmp_path: Path, counted: _Analysed, monkeypatch: pytest.MonkeyPatch) -> None:
    """The neighbours of one hop are analysed in forked processes when there are several: the
    same findings as in one process (--jobs 1), every neighbour analysed once."""
    from dalle_migrate import runner

    write(tmp_path, PROJECT)
    forks = []
    real = runner._neighbour_analyses

    def watching(analyse, settings, selection, jobs):
        forks.append((len(analyse), jobs))
        return real(analyse, settings, selection, jobs)

    monkeypatch.setattr(runner, "_neighbour_analyses", watching)
    for name in RUN_FILES:
        if not (tmp_path / name).exists():
            continue
        counted.clear()
        alone = check(tmp_path, "--no-cache", "--jobs", "1", name)
        in_one = sorted(counted)
        counted.clear()
        assert check(tmp_path, "--no-cache", "--jobs", "2", name) == alone, name
        assert sorted(counted) == in_one, name
    assert any(size >= runner.NEIGHBOURS_IN_PARALLEL and jobs == 2 for size, jobs in forks)  # side by side at least once


def test_without_the_cache_workers_share_the_index_in_a_folder_removed_after_the_run(tmp_path: Path) -> None:
    """--no-cache: the first worker to read the project's index leaves it for the others in a
    folder of the run, which the run removes; the findings are one process's."""
    extra = {f"extra_{i}.py": f'from openai import OpenAI\nfrom config import MODEL\n\nOpenAI().images.generate(model=MODEL, prompt="{i}")\n' for i in range(8)}
    project = tmp_path / "project"
    write(project, {**PROJECT, **extra})
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = dict(os.environ, TMPDIR=str(temporary))
    env.pop("DALLE_MIGRATE_CACHE_DIR", None)
    outputs = []
    for jobs in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "dalle_migrate", "check", ".", "--no-cache", "--jobs", jobs, *TODAY, "--format", "json", "--no-progress"],
            cwd=project, env=env, capture_output=True, text=True,
        )
        assert done.returncode in (0, 1), done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert list(temporary.iterdir()) == []
    assert not (project / ".dalle_migrate_cache").exists()


def test_a_value_moved_out_of_a_comment_is_seen_by_the_next_hook_run(tmp_path: Path, settled_at_once: None) -> None:
    """Whether a given file may hold a value its importers take is kept by its stamp: the id
    in a comment (the bytes say maybe, the compiled code no), then in code, is found at once."""
    caller = 'from openai import OpenAI\nimport settings\n\nOpenAI().images.generate(model=settings.MODEL, prompt="x")\n'
    write(tmp_path, {"pyproject.toml": "", "images.py": caller, "settings.py": 'MODEL = None  # was "dall-e-3"\n'})
    assert "DM101" not in " ".join(check(tmp_path, "settings.py"))
    write(tmp_path, {"settings.py": 'MODEL = "dall-e-3"  # was None\n'})
    assert [f.split(" ")[1] for f in check(tmp_path, "settings.py")] == ["DM101"]
    assert check(tmp_path, "settings.py") == check(tmp_path, "--no-cache", "settings.py")


def test_neighbours_looked_for_beside_the_files_analysis_are_those_found_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of a few files forks a process that finds the neighbour findings while the files
    are analysed, from the imports the project's index gives them; its answer is taken only if
    the analysis gave those imports. Taken or not (a wrong guess forced), the findings are those
    of one process (--jobs 1: no fork)."""
    from dalle_migrate import runner

    write(tmp_path, PROJECT)
    taken: List[bool] = []
    real_finish = runner._finish_speculation

    def finishing(speculation, results):
        answer = real_finish(speculation, results)
        taken.append(answer is not None)
        return answer

    monkeypatch.setattr(runner, "_finish_speculation", finishing)
    # (A fixture of another test module may leave a thread running in this process, which
    # makes the runner fork nothing: the fork is what this test is about.)
    monkeypatch.setattr(runner, "_can_fork", lambda: True)
    names = [name for name in RUN_FILES if (tmp_path / name).exists()]
    alone = {name: check(tmp_path, "--no-cache", "--jobs", "1", name) for name in names}
    assert taken == []  # (one process: nothing forked)
    for name in names:
        assert check(tmp_path, "--no-cache", "--jobs", "2", name) == alone[name], name
    assert any(taken)
    real_guess = runner._guessed_imports
    monkeypatch.setattr(runner, "_guessed_imports", lambda project, path: real_guess(project, path)[1:])
    taken.clear()
    for name in names:
        assert check(tmp_path, "--no-cache", "--jobs", "2", name) == alone[name], name
    assert taken and not all(taken)  # a wrong guess: looked for again after the analysis


def test_what_the_given_files_analysis_read_of_re_imports_is_kept_beside_the_neighbour_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled_at_once: None
) -> None:
    """A run of a few files analyses them in this process while a forked one looks for their
    neighbours: what the analysis read of a module that only re-imports (CPython's parse of
    ``utils.py``) is kept for the next run as the search's is, neither overwriting the other."""
    from dalle_migrate import project, runner

    write(tmp_path, {
        "pyproject.toml": "",
        "settings.py": 'MODEL = "dall-e-3"\n',
        "utils.py": "from settings import MODEL\n",
        "images.py": 'from openai import OpenAI\nfrom utils import MODEL\n\nOpenAI().images.generate(model=MODEL, prompt="x")\n',
    })
    monkeypatch.setattr(runner, "_can_fork", lambda: True)  # (the search forked beside the analysis)
    read: List[str] = []
    real = project._only_bindings
    monkeypatch.setattr(project, "_only_bindings", lambda path, size: read.append(os.path.basename(path)) or real(path, size))
    first = check(tmp_path, "--jobs", "2", "images.py")
    assert read.count("utils.py") == 1 and any("settings.py:1:9 DM101" in f for f in first), (read, first)
    read.clear()
    write(tmp_path, {"images.py": (tmp_path / "images.py").read_text() + "# edited\n"})
    assert check(tmp_path, "--jobs", "2", "images.py") == first
    assert "utils.py" not in read


@pytest.mark.parametrize("helper_fails", [False, True], ids=["helper", "helper-fails"])
def test_an_edited_module_others_re_import_from_is_read_by_the_proofs_helper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled_at_once: None, helper_fails: bool
) -> None:
    """A module whose re-imports a former run read (``utils.py``, which an image caller imports
    its model from), given edited: the helper that makes its compiled proof reads what it
    re-imports too, so this process does not parse it again for the kept analyses' questions.
    The same findings as a run without the cache, whatever the helper does."""
    from dalle_migrate import forks, project, runner

    write(tmp_path, {
        "pyproject.toml": "",
        "settings.py": 'MODEL = "dall-e-3"\n',
        "utils.py": 'from settings import MODEL\nQUALITY = "hd"\n',
        "images.py": 'from openai import OpenAI\nfrom utils import MODEL, QUALITY\n\nOpenAI().images.generate(model=MODEL, quality=QUALITY, prompt="x")\n',
    })
    monkeypatch.setattr(runner, "_can_fork", lambda: True)
    first = check(tmp_path, "--jobs", "2", "utils.py")
    assert any(f.startswith("utils.py:2:11 DM202") for f in first), first
    read: List[str] = []
    real = project._only_bindings
    monkeypatch.setattr(project, "_only_bindings", lambda path, size: read.append(os.path.basename(path)) or real(path, size))
    if helper_fails:
        monkeypatch.setattr(runner, "child_answer", lambda pid, end: (os.waitpid(pid, 0), os.close(end), None)[-1])
    for round_ in range(2):
        write(tmp_path, {"utils.py": (tmp_path / "utils.py").read_text() + f"# edited {round_}\n"})
        read.clear()
        found = check(tmp_path, "--jobs", "2", "utils.py")
        assert read.count("utils.py") == (1 if helper_fails else 0), read
        assert found == check(tmp_path, "--no-cache", "--jobs", "1", "utils.py") == first


def test_a_module_too_large_to_analyse_re_imports_nothing_whichever_process_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled_at_once: None
) -> None:
    """A module over the size the analysis reads (``index.MAX_MODULE_BYTES``) is not followed
    through its re-imports, whether this process reads them or the proofs' helper does: the
    same findings with the cache as without."""
    from dalle_migrate import runner

    padding = "# " + "x" * 78 + "\n"
    large = 'from settings import MODEL, QUALITY\nLEGACY = "dall-e-3"\n' + padding * (index.MAX_MODULE_BYTES // len(padding) + 10)
    write(tmp_path, {
        "pyproject.toml": "",
        "settings.py": 'MODEL = "gpt-image-2"\nQUALITY = "hd"\n',
        "utils.py": large,
        "images.py": 'from openai import OpenAI\nfrom utils import MODEL, QUALITY\n\nOpenAI().images.generate(model=MODEL, quality=QUALITY, prompt="x")\n',
    })
    monkeypatch.setattr(runner, "_can_fork", lambda: True)
    check(tmp_path, "--jobs", "2", "images.py")  # its analysis asks what utils.py re-imports
    write(tmp_path, {"utils.py": large + "# edited\n"})
    expected = check(tmp_path, "--no-cache", "--jobs", "1", "utils.py", "settings.py")
    assert check(tmp_path, "--jobs", "2", "utils.py", "settings.py") == expected
    assert check(tmp_path, "--jobs", "1", "utils.py", "settings.py") == expected  # what was kept


def test_who_imports_a_given_module_is_kept_until_a_file_naming_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled_at_once: None
) -> None:
    """``Project.importers``' answer is kept with the resolutions (``Resolved.importers``): taken
    again while the files whose import lines name the module's stem are the same files with the
    same stamps; asked afresh when one of them changes or another file comes to name it (views.py,
    passing settings.MODEL to a wrapper, is found only as an importer of settings.py)."""
    from dalle_migrate import project
    from dalle_migrate.settings import Settings

    write(tmp_path, {name: text for name, text in PROJECT.items() if name != "views.py"})
    settings_py = str(tmp_path / "settings.py")
    asked: List[str] = []  # the statements looked at for the stem, by file
    real = project.names_module
    monkeypatch.setattr(project, "names_module", lambda statement, stem: asked.append(statement[1]) or real(statement, stem))

    def importers() -> List[str]:
        """A run's answer, kept for the next."""
        project.new_run()
        asked.clear()
        run = project.project_for(Settings())
        found = sorted(os.path.basename(path) for path in run.importers(settings_py))
        run.keep_resolved()
        return found

    assert importers() == ["config.py"] and asked == ["settings"]
    assert importers() == ["config.py"] and asked == []  # the same files name it: kept
    for step, expected in (
        ({"views.py": PROJECT["views.py"]}, ["config.py", "views.py"]),  # another file names it
        ({"views.py": PROJECT["views.py"].replace("import settings", "import config as settings")}, ["config.py"]),  # one changed
        ({"views.py": PROJECT["views.py"]}, ["config.py", "views.py"]),
    ):
        write(tmp_path, step)
        assert importers() == expected and asked  # asked afresh
        assert importers() == expected and asked == []
        found = check(tmp_path, "settings.py")
        assert found == check(tmp_path, "--no-cache", "settings.py")
        assert any("wrapper.py" in f for f in found) == ("views.py" in expected), found
