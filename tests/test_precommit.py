"""The pre-commit hooks, run by the real pre-commit against a real temporary git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = 'from openai import OpenAI\nOpenAI().images.generate(model="dall-e-3", prompt="x", quality="hd")\n'

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")


def pre_commit() -> list:
    exe = Path(sys.executable).parent / "pre-commit"
    if not exe.exists():
        pytest.skip("pre-commit is not installed (it is in the test extras)")
    return [str(exe)]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    """A committed copy of this project: what pre-commit installs the hooks from."""
    repo = tmp_path_factory.mktemp("hook-repo")
    for item in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "src"):
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, repo / item, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy(source, repo / item)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "hooks")
    return repo


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "notes.md").write_text("We used dall-e-3 before.\n")  # not a file kind the hooks take
    (tmp_path / ".env").write_text("IMAGE_MODEL=dall-e-2\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    return tmp_path


def try_repo(hook_repo: Path, project: Path, hook: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t")
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [*pre_commit(), "try-repo", str(hook_repo), hook, "--all-files", "--verbose"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_check_hook_fails_on_retired_models(hook_repo, project, tmp_path_factory):
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    out = try_repo(hook_repo, project, "dalle-migrate", home)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "app.py:2:" in out.stdout and "DM101" in out.stdout
    assert "notes.md" not in out.stdout
    assert (project / "app.py").read_text() == APP


def test_fix_hook_rewrites_and_fails_once(hook_repo, project, tmp_path_factory):
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    first = try_repo(hook_repo, project, "dalle-migrate-fix", home)
    assert first.returncode == 1, first.stdout + first.stderr  # files were modified
    assert 'model="gpt-image-2"' in (project / "app.py").read_text()
    assert 'quality="high"' in (project / "app.py").read_text()
    git(project, "add", ".")
    second = try_repo(hook_repo, project, "dalle-migrate-fix", home)
    assert second.returncode == 0, second.stdout + second.stderr


def test_env_hook_reports_dot_env(hook_repo, project, tmp_path_factory):
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    out = try_repo(hook_repo, project, "dalle-migrate-env", home)
    assert out.returncode == 1, out.stdout + out.stderr
    assert ".env:1:" in out.stdout and "DM106" in out.stdout
