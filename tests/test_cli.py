"""The command line contract: exit codes, --diff, --target, --today, --catalog, formats, rules."""

from __future__ import annotations

import errno
import json
import os
import time
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dalle_migrate import __version__
from dalle_migrate.catalog import DATA_FILE
from dalle_migrate.cli import main
from dalle_migrate.rules import ALL_RULES

TODAY = ["--today", "2026-11-25"]
APP = '''\
from openai import OpenAI

client = OpenAI()
image = client.images.generate(
    model="dall-e-3",
    prompt="a lighthouse",
    size="1792x1024",
    quality="hd",
)
'''
CLEAN = 'from openai import OpenAI\nOpenAI().images.generate(model="gpt-image-2", prompt="x")\n'


def run(*args, cwd: Path):
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "clean.py").write_text(CLEAN)
    (tmp_path / "notes.txt").write_text('model="dall-e-3"')
    return tmp_path


def test_check_reports_and_exits_1(project):
    result = run("check", *TODAY, cwd=project)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("app.py:5:11: DM101 [*] Model 'dall-e-3' was shut down on 2026-05-12")
    assert lines[1].startswith("app.py:8:13: DM202 [*] Quality 'hd'")
    assert "Found 2 findings in 2 files scanned." in result.output
    assert (project / "app.py").read_text() == APP  # check writes nothing


def test_check_clean_exits_0(project):
    result = run("check", "clean.py", *TODAY, cwd=project)
    assert result.exit_code == 0
    assert result.output == "All checks passed (1 file scanned).\n"
    assert run("check", "clean.py", "-q", *TODAY, cwd=project).output == ""


def test_fix_then_nothing_left(project):
    result = run("fix", *TODAY, cwd=project)
    assert result.exit_code == 0, result.output
    assert "Found 2 findings (2 fixed, 0 remaining) in 2 files scanned." in result.output
    assert 'model="gpt-image-2"' in (project / "app.py").read_text()
    assert 'size="1792x1024"' in (project / "app.py").read_text()  # valid on gpt-image-2
    again = run("fix", *TODAY, cwd=project)
    assert again.exit_code == 0 and "(0 fixed, 0 remaining)" in again.output


def test_fix_exits_1_when_findings_remain(tmp_path):
    (tmp_path / "v.py").write_text('from openai import OpenAI\nOpenAI().images.create_variation(image=b"")\n')
    result = run("fix", *TODAY, cwd=tmp_path)
    assert result.exit_code == 1
    assert "DM402" in result.output


def test_diff_prints_and_writes_nothing(project):
    result = run("fix", "--diff", *TODAY, cwd=project)
    assert result.exit_code == 1
    assert '-    model="dall-e-3",\n+    model="gpt-image-2",' in result.output
    assert "--- app.py\n+++ app.py" in result.output
    assert (project / "app.py").read_text() == APP
    assert run("fix", "--diff", "clean.py", *TODAY, cwd=project).exit_code == 0


def test_target_changes_the_size_rules(project):
    result = run("check", "--target", "gpt-image-1.5", "--today", "2026-11-01", cwd=project)
    assert "DM201" in result.output and "'1536x1024'" in result.output
    assert "DM201" not in run("check", *TODAY, cwd=project).output


def test_today_turns_deprecated_into_retired(tmp_path):
    (tmp_path / "a.py").write_text('from openai import OpenAI\nOpenAI().images.generate(model="gpt-image-1.5", prompt="x")\n')
    before = run("check", "--today", "2026-11-30", cwd=tmp_path).output
    after = run("check", "--today", "2026-12-01", cwd=tmp_path).output
    assert "DM102 [-] Model 'gpt-image-1.5' shuts down on 2026-12-01" in before
    assert "DM101 [*] Model 'gpt-image-1.5' was shut down on 2026-12-01" in after


def test_unsafe_fixes(tmp_path):
    path = tmp_path / "a.py"
    path.write_text('from openai import OpenAI\nOpenAI().images.generate(model="gpt-image-1.5", prompt="x")\n')
    assert run("fix", *TODAY, cwd=tmp_path).exit_code == 1
    assert "gpt-image-1.5" in path.read_text()
    assert run("fix", "--unsafe-fixes", *TODAY, cwd=tmp_path).exit_code == 0
    assert 'model="gpt-image-2"' in path.read_text()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--target", "dall-e-3"], "retired"),
        (["--target", "gpt-image-1.5", "--today", "2026-12-01"], "retired"),
        (["--target", "gpt-image-9"], "unknown model"),
        (["--target", "gpt-image-2.6-flare"], "not documented"),
        (["--today", "25/11/2026"], "YYYY-MM-DD"),
        (["--select", "XX1"], "no rule code"),
        (["--config", "missing.toml"], "cannot read"),
        (["--catalog", "missing.toml"], "cannot read catalogue"),
    ],
)
def test_usage_errors_exit_2(project, args, message):
    result = CliRunner().invoke(main, ["check", str(project), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_select_and_ignore(project):
    only = run("check", "--select", "DM2", *TODAY, cwd=project).output
    assert "DM202" in only and "DM101" not in only
    ignored = run("check", "--ignore", "DM101,DM202", *TODAY, cwd=project)
    assert ignored.exit_code == 0


def test_catalog_file_overrides_the_facts(project, tmp_path):
    newer = tmp_path / "newer.toml"
    text = DATA_FILE.read_text()
    newer.write_text(text.replace('shutdown = "2026-05-12"\nreplacement = "a GPT image model"\nendpoints = ["generate"]', 'shutdown = "2027-01-01"\nreplacement = "a GPT image model"\nendpoints = ["generate"]'))
    result = run("check", "--catalog", newer, *TODAY, cwd=project)
    assert "DM102" in result.output and "2027-01-01" in result.output


def test_broken_catalog_is_a_usage_error(project, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[models\n")
    result = CliRunner().invoke(main, ["check", str(project), "--catalog", str(bad)])
    assert result.exit_code == 2 and "invalid TOML" in result.output


def test_json_format_is_ruff_shaped(project):
    result = run("check", "--format", "json", *TODAY, cwd=project)
    assert result.exit_code == 1
    items = json.loads(result.output)
    assert [i["code"] for i in items] == ["DM101", "DM202"]
    first = items[0]
    assert set(first) >= {"code", "message", "filename", "location", "end_location", "fix", "url", "noqa_row", "cell"}
    assert first["filename"] == "app.py"
    assert first["location"] == {"row": 5, "column": 11}
    assert first["end_location"] == {"row": 5, "column": 21}
    assert first["fix"]["applicability"] == "safe"
    assert first["fix"]["edits"] == [
        {"content": '"gpt-image-2"', "location": {"row": 5, "column": 11}, "end_location": {"row": 5, "column": 21}}
    ]
    assert first["cell"] is None


def test_json_edits_reproduce_the_fix(project):
    """Applying the JSON edits by hand gives what `fix` writes."""
    items = json.loads(run("check", "--format", "json", *TODAY, cwd=project).output)
    lines = APP.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    edits = sorted(
        ((starts[e["location"]["row"] - 1] + e["location"]["column"] - 1, starts[e["end_location"]["row"] - 1] + e["end_location"]["column"] - 1, e["content"]) for i in items for e in i["fix"]["edits"]),
        reverse=True,
    )
    text = APP
    for start, end, content in edits:
        text = text[:start] + content + text[end:]
    run("fix", *TODAY, cwd=project)
    assert (project / "app.py").read_text() == text


def test_output_file(project):
    result = run("check", "--format", "json", "-o", "report.json", *TODAY, cwd=project)
    assert result.exit_code == 1 and result.output == ""
    assert json.loads((project / "report.json").read_text())[0]["code"] == "DM101"


def test_rules_lists_every_rule():
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    for rule in ALL_RULES:
        assert rule.code in result.output and rule.name in result.output


def test_rules_page_comes_from_the_rule():
    result = CliRunner().invoke(main, ["rules", "DM204"])
    rule = next(r for r in ALL_RULES if r.code == "DM204")
    assert result.exit_code == 0 and result.output == rule.page()
    assert CliRunner().invoke(main, ["rules", "style"]).output == rule.page()
    assert CliRunner().invoke(main, ["rules", "DM999"]).exit_code == 2


def test_docs_rules_page_is_current():
    docs = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
    from dalle_migrate.rules.base import rules_document

    assert docs.read_text() == rules_document(), "run: dalle-migrate rules --markdown > docs/rules.md"


def test_missing_path_is_an_error(tmp_path):
    result = run("check", "nope.py", *TODAY, cwd=tmp_path)
    assert result.exit_code == 2 and "cannot read" in result.output


def test_discovery_skips_virtualenvs_and_symlinks(tmp_path):
    for folder in (".venv/lib", "node_modules/x", "build", "src"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "m.py").write_text(APP)
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "o.py").write_text(APP)
    (tmp_path / "link").symlink_to(outside, target_is_directory=True)
    result = run("check", "--format", "json", *TODAY, cwd=tmp_path)
    assert {i["filename"] for i in json.loads(result.output)} == {"src/m.py"}
    explicit = run("check", "--format", "json", "build/m.py", *TODAY, cwd=tmp_path)
    assert {i["filename"] for i in json.loads(explicit.output)} == {"build/m.py"}


def test_version_and_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "dalle_migrate", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and __version__ in out.stdout


def test_stdin_fix_writes_code_to_stdout():
    source = 'from openai import OpenAI\r\nOpenAI().images.generate(model="dall-e-3", prompt="x")\r\n'
    out = subprocess.run(
        [sys.executable, "-m", "dalle_migrate", "fix", "-", "--today", "2026-11-25"], input=source.encode(), capture_output=True
    )
    assert out.returncode == 0
    assert out.stdout == source.replace("dall-e-3", "gpt-image-2").encode()
    assert b"1 fixed" in out.stderr


def test_stdin_check_with_filename():
    source = 'from openai import OpenAI\nOpenAI().images.generate(model="dall-e-3", prompt="x")\n'
    out = subprocess.run(
        [sys.executable, "-m", "dalle_migrate", "check", "-", "--stdin-filename", "src/app.py", "--today", "2026-11-25"],
        input=source, capture_output=True, text=True,
    )
    assert out.returncode == 1 and out.stdout.startswith("src/app.py:2:32: DM101")


def test_emulate_serves_and_logs_the_failing_parameter():
    openai = pytest.importorskip("openai")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dalle_migrate", "emulate", "--port", "0", "--today", "2026-11-25"],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        first = proc.stderr.readline()
        assert "Images API stand-in on http://127.0.0.1:" in first, first
        base_url = first.split(" on ", 1)[1].split(" ", 1)[0]
        proc.stderr.readline(), proc.stderr.readline()
        client = openai.OpenAI(base_url=base_url, api_key="test", max_retries=0)
        with pytest.raises(openai.BadRequestError):
            client.images.generate(model="gpt-image-2", prompt="x", response_format="url")
        log = proc.stderr.readline()
        assert "400" in log and "response_format" in log
        ok = client.images.generate(model="gpt-image-2", prompt="x")
        assert ok.data[0].b64_json and ok.data[0].url is None
        assert " 200" in proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_parallel_run_gives_the_same_results_in_the_same_order(tmp_path):
    for i in range(12):
        (tmp_path / f"m{i:02}.py").write_text(APP.replace("a lighthouse", f"picture {i}"))
    serial = run("check", "--format", "json", "--jobs", "1", *TODAY, cwd=tmp_path)
    parallel = run("check", "--format", "json", "--jobs", "2", *TODAY, cwd=tmp_path)
    assert serial.exit_code == parallel.exit_code == 1
    assert json.loads(serial.output) == json.loads(parallel.output)
    assert [i["filename"] for i in json.loads(parallel.output)][:2] == ["m00.py", "m00.py"]
    fixed = run("fix", "--jobs", "2", *TODAY, cwd=tmp_path)
    assert fixed.exit_code == 0
    assert all('model="gpt-image-2"' in p.read_text() for p in tmp_path.glob("m*.py"))


def _mixed_tree(root: Path) -> None:
    """Files of every outcome, read by both processes of a split scan: findings, clean code the
    prefilter keeps, code it skips, a file-level noqa, an unreadable file."""
    for i in range(40):
        kind = i % 5
        text = {
            0: APP.replace("a lighthouse", f"picture {i}"),
            1: CLEAN,
            2: f"def helper_{i}():\n    return {i}\n",
            3: "# dalle-migrate: noqa\n" + APP,
            4: f"VALUE = {i}\n",
        }[kind]
        (root / f"m{i:02}.py").write_text(text)
    (root / "m07.py").write_text("")
    (root / "m33.py").write_text(APP)


def _slow_here(monkeypatch) -> None:
    """This process reads each of its runs of files slowly: the scan's forked helper takes most."""
    from dalle_migrate import runner

    here, real = os.getpid(), runner._classify

    def classify(*args, **kwargs):
        if os.getpid() == here:
            time.sleep(0.01)
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "_classify", classify)


def test_split_scan_matches_a_scan_in_one_process(tmp_path, monkeypatch):
    """The forked helper that reads every other file of a large tree changes nothing in the
    results: same findings, same order, same read errors, same file count."""
    from dalle_migrate import runner

    _mixed_tree(tmp_path)
    real_read = runner.read_file

    def read(path):
        if Path(path).name in ("m03.py", "m30.py"):  # one read by each process
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_read(path)

    monkeypatch.setattr(runner, "read_file", read)
    helpers = []
    real_start = runner._start_helper
    monkeypatch.setattr(runner, "_start_helper", lambda *a: helpers.append(real_start(*a)) or helpers[-1])
    monkeypatch.setattr(runner, "SPLIT_SCAN_MIN_FILES", 4)
    monkeypatch.setattr(runner.RunQueue, "RUN", 3)  # (both processes take runs of the 40 files)
    _slow_here(monkeypatch)
    # (A pytest-xdist worker runs threads of its own, which keep the runner from forking: the
    # split itself is what is tested here.)
    monkeypatch.setattr(runner, "_can_fork", lambda: True)
    one = run("check", "--jobs", "1", *TODAY, cwd=tmp_path)
    assert helpers == []
    split = run("check", "--jobs", "2", *TODAY, cwd=tmp_path)
    assert len(helpers) == 1 and helpers[0] is not None, "the helper was not started"
    assert one.exit_code == split.exit_code == 2
    assert one.output == split.output
    assert "m03.py: error: cannot read: Permission denied" in split.output
    assert "m30.py: error: cannot read: Permission denied" in split.output
    assert "m33.py:" in split.output and "40 files scanned" in split.output
    names = [line.split(":")[0] for line in split.output.splitlines() if line.startswith("m")]
    assert names == sorted(names) and "m35.py" in names


def test_split_scan_falls_back_when_the_helper_fails(tmp_path, monkeypatch):
    """A helper that dies without an answer: this process reads its files instead."""
    from dalle_migrate import runner

    _mixed_tree(tmp_path)
    expected = run("check", "--jobs", "1", *TODAY, cwd=tmp_path)

    class BrokenMarshal:
        loads = staticmethod(runner.marshal.loads)

        @staticmethod
        def dumps(value):
            raise RuntimeError("the helper fails")

    monkeypatch.setattr(runner, "marshal", BrokenMarshal)
    monkeypatch.setattr(runner, "SPLIT_SCAN_MIN_FILES", 4)
    monkeypatch.setattr(runner.RunQueue, "RUN", 3)  # (the runs it took are read here again)
    _slow_here(monkeypatch)
    monkeypatch.setattr(runner, "_can_fork", lambda: True)  # (a pytest-xdist worker has threads)
    finished = []
    real_finish = runner._finish_helper
    monkeypatch.setattr(runner, "_finish_helper", lambda helper: finished.append(real_finish(helper)) or finished[-1])
    split = run("check", "--jobs", "2", *TODAY, cwd=tmp_path)
    assert finished == [None], "the helper should have failed"
    assert split.exit_code == expected.exit_code == 1
    assert split.output == expected.output


def _in_terminal(args, cwd: Path):
    """Run the tool with standard error on a pseudo-terminal; (exit code, stdout, stderr)."""
    import pty

    main_fd, terminal = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "dalle_migrate", *map(str, args)], cwd=cwd, stdout=subprocess.PIPE, stderr=terminal, timeout=300
        )
    finally:
        os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(main_fd, 1 << 16)
        except OSError:  # EIO: the terminal's other end is closed and everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main_fd)
    return proc.returncode, proc.stdout.decode(), b"".join(chunks).decode()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminal semantics of Linux")
def test_progress_line_on_a_terminal_only(tmp_path):
    """A large tree (split scan and parallel analysis both in play): the progress line counts
    every file and every finding; it is never drawn with --no-progress, in machine formats or
    when standard error is not a terminal."""
    for i in range(600):
        (tmp_path / f"m{i:03}.py").write_text(APP if i % 60 == 0 else f"VALUE = {i}\n")
    code, out, err = _in_terminal(["check", *TODAY], tmp_path)
    assert code == 1 and "Found 20 findings in 600 files scanned" in out.replace("\n", " "), out
    assert "600/600 files, 20 findings" in err, err
    assert err.endswith("\r")  # the line is cleared at the end
    for extra in (["--no-progress"], ["--format", "json"], ["--statistics"], ["-q"]):
        code, _, err = _in_terminal(["check", *TODAY, *extra], tmp_path)
        assert code == 1 and "files/s" not in err, (extra, err)
    piped = subprocess.run([sys.executable, "-m", "dalle_migrate", "check", *TODAY], cwd=tmp_path, capture_output=True, text=True)
    assert piped.returncode == 1 and "files/s" not in piped.stderr


@pytest.mark.parametrize("today", [(), TODAY, ("--today", "2030-01-01")], ids=["today", "pinned", "2030"])
def test_check_at_the_repository_root_is_clean(today):
    """The README's first command, run where a newcomer runs it, on any date (the catalogue's
    shutdown dates keep arriving): the project's own configuration leaves out its deliberate
    test data (fixtures, tests, the fuzzer's and benchmark's generators) and, in one place, the
    rules' examples."""
    root = Path(__file__).resolve().parent.parent
    result = run("check", ".", *today, cwd=root)
    assert result.exit_code == 0, result.output


def test_a_run_with_nothing_to_analyse_never_imports_libcst(tmp_path: Path) -> None:
    """LibCST and the project layer cost a tenth of a second to import: a tree with no image
    call (chat code, a Django) is decided by the byte scan without them."""
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "chat.py").write_text('from openai import OpenAI\nOpenAI().chat.completions.create(model="gpt-4o", messages=[])\n')
    (tmp_path / "views.py").write_text("import chat\n")
    probe = (
        "import sys\nfrom dalle_migrate.cli import main\n"
        "try:\n    main(['check', '.', '--no-progress', '-q'])\nexcept SystemExit as exit:\n    code = exit.code\n"
        "print(code, 'libcst' in sys.modules, 'dalle_migrate.project' in sys.modules)\n"
    )
    for given in (".", "views.py"):
        out = subprocess.run([sys.executable, "-c", probe.replace("'.'", repr(given))], cwd=tmp_path, capture_output=True, text=True)
        assert out.stdout.split() == ["0", "False", "False"], (given, out.stdout, out.stderr)


def test_a_bug_outside_a_files_analysis_exits_2_not_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A traceback's own exit code is 1, which a CI gate reads as findings: a bug of ours in
    the run (not in one file's analysis, which is reported on that file) exits 2 and says so."""
    from dalle_migrate import runner

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(runner, "neighbour_findings", broken)
    (tmp_path / "app.py").write_text('from openai import OpenAI\nOpenAI().images.generate(model="dall-e-3", prompt="x")\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "app.py", "--no-progress", "--isolated"])
    assert result.exit_code == 2, result.output
    assert "internal error" in result.stderr and "RuntimeError: a bug" in result.stderr


def test_the_command_exits_without_teardown_and_loses_no_output(tmp_path: Path) -> None:
    """The installed command ends with ``os._exit`` (freeing a run's objects one by one at exit
    cost a tenth of a pre-commit run): its exit status and every line it printed survive, a
    long report through a pipe included."""
    for i in range(40):
        (tmp_path / f"app_{i}.py").write_text('from openai import OpenAI\nOpenAI().images.generate(model="dall-e-3", prompt="x", quality="hd")\n')
    done = subprocess.run(
        [sys.executable, "-m", "dalle_migrate", "check", str(tmp_path), "--format", "json", "--no-progress", "--today", "2026-11-25"],
        capture_output=True, text=True,
    )
    assert done.returncode == 1, done.stderr
    assert len(json.loads(done.stdout)) == 80
    usage = subprocess.run([sys.executable, "-m", "dalle_migrate", "check", "--bogus"], capture_output=True, text=True)
    assert usage.returncode == 2 and "No such option" in usage.stderr


def test_under_a_profiler_the_command_exits_normally(tmp_path: Path) -> None:
    """A profiler (or coverage) writes its report at exit: the command lets it."""
    report = tmp_path / "run.prof"
    (tmp_path / "app.py").write_text("import os\n")
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(report), "-m", "dalle_migrate", "check", str(tmp_path), "--no-progress", "--no-cache"],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    assert report.stat().st_size > 0


def test_version_is_the_changelogs_newest_release():
    """`--version`, the distribution's version and the newest release in CHANGELOG.md (Keep a
    Changelog: `## [x.y.z] - date` under `## [Unreleased]`) are one version."""
    import re

    root = Path(__file__).resolve().parent.parent
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", (root / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    assert releases, "CHANGELOG.md names no release"
    result = run("--version", cwd=root)
    assert result.exit_code == 0 and result.output.split()[-1] == releases[0], result.output
    declared = re.search(r'^version = "([^"]+)"$', (root / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    assert declared is not None and declared.group(1) == releases[0]


def test_no_fork_beside_a_thread_python_does_not_know_of():
    """A thread started by ``_thread`` (a host process's, native code's) is not in threading's
    count; the kernel's list of tasks says, and no helper is forked beside it."""
    import _thread

    from dalle_migrate.forks import can_fork

    started, release, done = _thread.allocate_lock(), _thread.allocate_lock(), _thread.allocate_lock()
    started.acquire()
    release.acquire()
    done.acquire()

    def wait() -> None:
        started.release()
        release.acquire()
        done.release()

    _thread.start_new_thread(wait, ())
    started.acquire()
    try:
        assert not can_fork()
    finally:
        release.release()
        done.acquire()


def test_a_run_that_ends_the_process_leaves_its_last_garbage_to_the_exit(tmp_path, monkeypatch):
    """The installed command ends the process with the run: its last analysis is not followed
    by a collection (the collector stays off), and what the run answers is the same."""
    import gc

    from dalle_migrate import runner
    from dalle_migrate.settings import Settings
    from dalle_migrate.selection import Selection

    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "clean.py").write_text(CLEAN)
    files = [str(tmp_path / "app.py"), str(tmp_path / "clean.py")]
    collected = []
    monkeypatch.setattr(runner, "_collect_after_file", lambda: (collected.append(1), gc.enable()))

    def findings(ends_process):
        results = runner.run(files, Settings(cache=False), Selection(), fix=False, write=False, display=str, jobs=1, ends_process=ends_process)
        return [(str(r.path), [(f.code, f.row, f.column, f.message) for f in r.findings]) for r in results]

    try:
        alone = findings(False)
        assert collected == [1, 1]  # each survivor's garbage collected after it
        collected.clear()
        assert findings(True) == alone and alone[0][1]
        assert collected == [1] and not gc.isenabled()  # all but the last's
    finally:
        gc.enable()


def test_a_files_analysis_leaves_no_cycle_holding_its_module(tmp_path, monkeypatch):
    """A file's own module, untied after its analysis (``Project.trim``), is freed as soon as
    it is dropped: the collection after each file finds no module or node of it (walking a
    whole tree in each collection was a twentieth of a course's check)."""
    import gc
    import json

    import libcst as cst

    from dalle_migrate import runner
    from dalle_migrate.context import ModuleContext
    from dalle_migrate.selection import Selection
    from dalle_migrate.settings import Settings

    (tmp_path / "app.py").write_text(APP)
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": APP.splitlines(True)}]
    (tmp_path / "lesson.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    left = []

    def collect():
        gc.enable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            left.append([type(o).__name__ for o in gc.garbage if isinstance(o, (ModuleContext, cst.CSTNode))])
        finally:
            gc.set_debug(0)
            gc.garbage.clear()

    monkeypatch.setattr(runner, "_collect_after_file", collect)
    files = [str(tmp_path / "app.py"), str(tmp_path / "lesson.ipynb")]
    results = runner.run(files, Settings(cache=False), Selection(), fix=False, write=False, display=str, jobs=1)
    assert all(r.findings for r in results)
    assert left == [[], []]


@pytest.mark.parametrize("helper_fails", [False, True], ids=["helper", "helper-fails"])
@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_the_compiled_proof_of_holding_values_is_made_beside_the_importers_search(tmp_path, monkeypatch, helper_fails, cache):
    """A few files' run: where a given module's compiled proof must be made (no answer kept for
    its stamp), a forked helper makes it while this process finds the importers of every module
    the bytes proof kept. The same modules, the same answers kept, whatever the helper does."""
    import os

    from dalle_migrate import forks, runner
    from dalle_migrate.prefilter import prefilter_for
    from dalle_migrate.settings import Settings

    (tmp_path / "pyproject.toml").write_text("")
    files = {
        "settings_mod.py": 'MODEL = "dall-e-3"\n',
        "sizes.py": 'SIZE = "1792x1024"\n',
        "comment_only.py": "# resp.data[0].url is what the old code read\nX = 1\n",
        "plain.py": "X = 2\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    paths = [str(tmp_path / name) for name in files]
    settings = Settings(cache=cache)
    prefilter = prefilter_for(settings.catalog)
    expected = [str(tmp_path / "settings_mod.py"), str(tmp_path / "sizes.py")]
    alone, nothing = runner._holding_values(paths, prefilter, settings)
    assert alone == expected and nothing is None
    for name in files:  # (written again: no answer kept for the new stamps)
        (tmp_path / name).write_text(files[name] + "\n")
    monkeypatch.setattr(runner, "_can_fork", lambda: True)  # (a pytest-xdist worker has threads)
    if helper_fails:
        monkeypatch.setattr(runner, "child_answer", lambda pid, end: (os.waitpid(pid, 0), os.close(end), None)[-1])
    asked = []
    holding, early = runner._holding_values(paths, prefilter, settings, 2, lambda candidates: asked.append(candidates) or "found")
    assert holding == expected and early == "found"
    assert asked == [[str(tmp_path / name) for name in ("settings_mod.py", "sizes.py", "comment_only.py")]]  # the bytes proof's
    # Nothing to compile (the bytes decide): nothing is done beside.
    assert runner._holding_values([str(tmp_path / "plain.py")], prefilter, settings, 2, lambda candidates: "found") == ([], None)


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_libcst_is_imported_beside_the_index_read_when_a_given_module_holds_values(tmp_path, monkeypatch, cache):
    """A few files' run whose given module may hold an importer's value: its importers are
    analysed next, so LibCST is imported while a helper reads the project's index
    (``index.BESIDE_READS``), with the cache or without (found after the compiled proof then,
    that import came after the read, before the first neighbour's analysis)."""
    import sys

    from dalle_migrate import index, runner
    from dalle_migrate.prefilter import prefilter_for
    from dalle_migrate.findings import FileResult
    from dalle_migrate.selection import Selection
    from dalle_migrate.settings import Settings

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "settings_mod.py").write_text('MODEL = "dall-e-3"\n')
    (tmp_path / "plain.py").write_text("X = 2\n")
    settings = Settings(cache=cache)
    monkeypatch.delitem(sys.modules, "dalle_migrate.engine", raising=False)  # (restored after)
    monkeypatch.setattr(index, "SPLIT_READS", index.SPLIT_READS)  # (the run sets it)
    monkeypatch.setattr(runner, "_can_fork", lambda: False)  # the proof made here: the read comes after it
    beside = []
    monkeypatch.setattr(runner, "_importer_parts", lambda path, settings: (beside.append((path, index.BESIDE_READS)), ([], []))[-1])
    for name, expected in (("settings_mod.py", [(str(tmp_path / "settings_mod.py"), runner._import_engine)]), ("plain.py", [])):
        beside.clear()
        result = FileResult(tmp_path / name)
        assert runner.neighbour_findings([result], settings, Selection(), prefilter_for(settings.catalog), jobs=2) == []
        assert beside == expected and index.BESIDE_READS is None
