"""[tool.dalle-migrate] configuration, inline suppressions and file discovery."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dalle_migrate.cli import main
from dalle_migrate.config import ConfigError, parse

APP = 'from openai import OpenAI\nOpenAI().images.generate(model="dall-e-3", prompt="x", quality="hd")\n'


def run(cwd: Path, *args):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [*map(str, args), "--today", "2026-11-25", "--format", "json"], catch_exceptions=False)
    finally:
        os.chdir(old)


def codes(result):
    return sorted((i["filename"], i["code"]) for i in json.loads(result.output))


def project(tmp_path: Path, config: str, files=("app.py",)) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.dalle-migrate]\n" + config)
    for name in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(APP)
    return tmp_path


def test_select_and_ignore_from_pyproject(tmp_path):
    project(tmp_path, 'select = ["DM2"]\n')
    assert codes(run(tmp_path, "check")) == [("app.py", "DM202")]
    project(tmp_path, 'ignore = ["DM202"]\n')
    assert codes(run(tmp_path, "check")) == [("app.py", "DM101")]


def test_command_line_wins_over_the_file(tmp_path):
    project(tmp_path, 'select = ["DM2"]\n')
    assert codes(run(tmp_path, "check", "--select", "DM101")) == [("app.py", "DM101")]


def test_config_found_from_a_subfolder(tmp_path):
    project(tmp_path, 'ignore = ["DM1"]\n', files=("pkg/app.py",))
    assert codes(run(tmp_path / "pkg", "check")) == [("app.py", "DM202")]


def test_target_from_config(tmp_path):
    project(tmp_path, 'target = "gpt-image-2.5-flare"\n')
    result = run(tmp_path, "check")
    assert any("gpt-image-2.5-flare" in i["message"] for i in json.loads(result.output))


def test_exclude_and_extend_exclude(tmp_path):
    project(tmp_path, 'extend-exclude = ["legacy/**"]\n', files=("app.py", "legacy/old.py", "build/gen.py"))
    assert {f for f, _ in codes(run(tmp_path, "check"))} == {"app.py"}
    project(tmp_path, 'exclude = ["legacy"]\n', files=("app.py", "legacy/old.py", "build/gen.py"))
    # `exclude` replaces the default folder excludes: build/ is checked now.
    assert {f for f, _ in codes(run(tmp_path, "check"))} == {"app.py", "build/gen.py"}


def test_per_file_ignores(tmp_path):
    project(tmp_path, '[tool.dalle-migrate.per-file-ignores]\n"tests/**" = ["DM101"]\n', files=("app.py", "tests/test_app.py"))
    assert codes(run(tmp_path, "check")) == [("app.py", "DM101"), ("app.py", "DM202"), ("tests/test_app.py", "DM202")]


def test_unsafe_fixes_from_config(tmp_path):
    project(tmp_path, "unsafe-fixes = true\n", files=())
    (tmp_path / "a.py").write_text('from openai import OpenAI\nOpenAI().images.generate(model="gpt-image-1.5", prompt="x")\n')
    assert run(tmp_path, "fix").exit_code == 0
    assert "gpt-image-2" in (tmp_path / "a.py").read_text()


def test_explicit_config_and_isolated(tmp_path):
    project(tmp_path, 'select = ["DM2"]\n')
    other = tmp_path / "ci.toml"
    other.write_text('[tool.dalle-migrate]\nselect = ["DM101"]\n')
    assert codes(run(tmp_path, "check", "--config", other)) == [("app.py", "DM101")]
    assert codes(run(tmp_path, "check", "--isolated")) == [("app.py", "DM101"), ("app.py", "DM202")]


@pytest.mark.parametrize(
    "text,message",
    [
        ('selct = ["DM1"]\n', "unknown key `selct`"),
        ('select = "DM1"\n', "`select` must be a list"),
        ("unsafe-fixes = 1\n", "`unsafe-fixes` must be true or false"),
        ('select = ["XX9"]\n', "no rule code starts with 'XX9'"),
        ('target = "dall-e-3"\n', "retired"),
        ("per-file-ignores = 3\n", "per-file-ignores"),
    ],
)
def test_bad_configuration_is_exit_2(tmp_path, text, message):
    project(tmp_path, text)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--config", str(tmp_path / "pyproject.toml")])
    assert result.exit_code == 2
    assert message in result.output


def test_invalid_toml_is_exit_2(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.dalle-migrate\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--config", str(tmp_path / "pyproject.toml")])
    assert result.exit_code == 2 and "invalid TOML" in result.output


def test_parse_rejects_unknown_keys_directly():
    with pytest.raises(ConfigError):
        parse({"nope": 1}, None)


# -- suppressions -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "line,expected",
    [
        ('OpenAI().images.generate(model="dall-e-3", prompt="x", quality="hd")  # noqa', []),
        ('OpenAI().images.generate(model="dall-e-3", prompt="x", quality="hd")  # noqa: DM101', ["DM202"]),
        ('OpenAI().images.generate(model="dall-e-3", prompt="x", quality="hd")  # noqa:DM101,DM202', []),
        ('OpenAI().images.generate(model="dall-e-3", prompt="x", quality="hd")  # NOQA: dm2', ["DM101"]),
        ('OpenAI().images.generate(model="dall-e-3", prompt="x", quality="hd")  # noqa: E501', ["DM101", "DM202"]),
    ],
)
def test_noqa(tmp_path, line, expected):
    (tmp_path / "a.py").write_text("from openai import OpenAI\n" + line + "\n")
    assert [c for _, c in codes(run(tmp_path, "check"))] == expected


def test_noqa_on_the_first_line_of_a_multi_line_finding(tmp_path):
    (tmp_path / "a.py").write_text(
        'from openai import OpenAI\nurl = OpenAI().images.generate(model="gpt-image-2", prompt="x").data[  # noqa: DM301\n    0\n].url\nprint(url)\n'
    )
    assert codes(run(tmp_path, "check")) == []


def test_suppressed_findings_are_not_fixed(tmp_path):
    source = 'from openai import OpenAI\nOpenAI().images.generate(model="dall-e-3", prompt="x")  # noqa: DM101\n'
    (tmp_path / "a.py").write_text(source)
    assert run(tmp_path, "fix").exit_code == 0
    assert (tmp_path / "a.py").read_text() == source


def test_skip_file(tmp_path):
    (tmp_path / "a.py").write_text("# dalle-migrate: skip-file\n" + APP)
    result = run(tmp_path, "check")
    assert result.exit_code == 0 and codes(result) == []


# -- discovery ----------------------------------------------------------------------------------
def git(cwd: Path, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_gitignore_and_info_exclude_are_respected(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("generated/\n*_old.py\n")
    (tmp_path / ".git" / "info" / "exclude").write_text("scratch.py\n")
    for name in ("app.py", "generated/client.py", "app_old.py", "scratch.py", "kept/ok.py"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(APP)
    assert {f for f, _ in codes(run(tmp_path, "check"))} == {"app.py", "kept/ok.py"}
    # An explicit file is checked unless --force-exclude.
    assert {f for f, _ in codes(run(tmp_path, "check", "scratch.py"))} == {"scratch.py"}
    assert codes(run(tmp_path, "check", "scratch.py", "--force-exclude")) == []


def test_git_is_asked_early_and_never_left_running(tmp_path):
    """git is started before the catalogue loads (its answer is read by the walk); a run that
    stops in between (a usage error) ends the process it started."""
    from dalle_migrate.discover import Discovery

    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "client.py").write_text(APP)
    (tmp_path / "app.py").write_text(APP)
    discovery = Discovery()
    discovery.ask_git([tmp_path])
    (process,) = discovery._asked.values()
    assert [Path(f).name for f in discovery.files([tmp_path])] == ["app.py"]
    assert discovery._asked == {} and process.returncode == 0
    left = Discovery()
    left.ask_git([tmp_path])
    (process,) = left._asked.values()
    left.close()
    assert left._asked == {} and process.returncode is not None
    result = run(tmp_path, "check", "--select", "XX1")
    assert result.exit_code == 2 and "no rule code starts with 'XX1'" in result.output


def test_force_exclude_applies_configured_excludes_to_explicit_files(tmp_path):
    project(tmp_path, 'extend-exclude = ["vendor/**"]\n', files=("vendor/lib.py",))
    assert {f for f, _ in codes(run(tmp_path, "check", "vendor/lib.py"))} == {"vendor/lib.py"}
    assert codes(run(tmp_path, "check", "vendor/lib.py", "--force-exclude")) == []


def test_dot_env_file_is_read_but_dot_env_folder_is_skipped(tmp_path):
    (tmp_path / ".env").mkdir()
    (tmp_path / ".env" / "lib.py").write_text(APP)
    (tmp_path / "app.py").write_text(APP)
    assert {f for f, _ in codes(run(tmp_path, "check"))} == {"app.py"}


def test_a_few_files_run_asks_git_once_ahead_and_leaves_nothing_running(tmp_path, monkeypatch):
    """A run given one file walks its project for the index later: git is asked ahead, once for
    both walks (the run's and the index's), and nothing asked is left running; a forked worker
    never reads the parent's pipe."""
    import os

    from dalle_migrate import discover

    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "settings.py").write_text('MODEL = "dall-e-3"\n')
    caller = "from openai import OpenAI\nimport settings\n\nOpenAI().images.generate(model=settings.MODEL, prompt='x')\n"
    (tmp_path / "app.py").write_text(caller)
    asked = []
    real = discover._ask_git

    def counting(top):
        process = real(top)
        asked.append(process)
        return process

    from dalle_migrate import runner

    asked_before_the_analysis = []
    real_run = runner.run

    def analysing(*args, **kwargs):
        asked_before_the_analysis.append(len(asked))
        return real_run(*args, **kwargs)

    monkeypatch.setattr(discover, "_ask_git", counting)
    monkeypatch.setattr(runner, "run", analysing)
    monkeypatch.chdir(tmp_path)
    for extra in ([], ["--force-exclude"]):  # (with it, the run's own walk asks git too)
        asked.clear()
        result = run(tmp_path, "check", "settings.py", "--no-cache", *extra)
        assert "settings.py" in result.output and "DM101" in result.output, result.output
        assert len(asked) == 1 and all(p.returncode is not None for p in asked)
        assert asked_before_the_analysis[-1] == 1
        assert discover._PREFETCHED == {}
    discover.begin_run()
    discover.prefetch_git(tmp_path)
    (owner, process), = discover._PREFETCHED.values()
    monkeypatch.setattr(os, "getpid", lambda: owner + 1)  # as a forked worker sees it
    assert discover._take_prefetched(str(tmp_path)) is None
    monkeypatch.undo()
    process.communicate()
