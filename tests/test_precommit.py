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


def hooks_config(hook_repo: Path, *hooks: str) -> str:
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, check=True, capture_output=True, text=True).stdout
    listed = "".join(f"      - id: {hook}\n" for hook in hooks)
    return f"repos:\n  - repo: {hook_repo.as_posix()}\n    rev: {rev.strip()}\n    hooks:\n{listed}"


def try_repo(hook_repo: Path, project: Path, hook: str, home: Path) -> subprocess.CompletedProcess:
    """What `pre-commit try-repo <hook_repo> <hook> --all-files` does, through a configuration:
    try-repo installs the hooks' environment afresh on every call (it keeps a store of its own in
    a temporary folder); `run` keeps it in PRE_COMMIT_HOME, installed once for the module."""
    (project / ".pre-commit-config.yaml").write_text(hooks_config(hook_repo, hook))
    git(project, "add", ".pre-commit-config.yaml")
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t")
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [*pre_commit(), "run", hook, "--all-files", "--verbose"],
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


# -- `pre-commit run` on the staged module of a project: its neighbours are read, not written ------
SETTINGS = 'IMAGE_MODEL = "dall-e-3"\n'
IMAGES = '''\
from openai import OpenAI

import settings

client = OpenAI()


def banner(prompt):
    return client.images.generate(model=settings.IMAGE_MODEL, prompt=prompt, size="1024x1024")


def poster(prompt, model="gpt-image-2"):
    return client.images.generate(model=model, prompt=prompt)
'''
VIEWS = '''\
from images import poster


def index():
    return poster("a lighthouse at dusk", model="dall-e-2")
'''
STAGED_IMAGES = IMAGES.replace('size="1024x1024")', 'size="1024x1024", quality="hd")')


def git_out(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def staged_project(hook_repo: Path, tmp_path: Path) -> Path:
    """A committed three-module project with the hooks configured, and only images.py changed
    and staged, as `git commit` would hand it to pre-commit."""
    config = hooks_config(hook_repo, "dalle-migrate", "dalle-migrate-fix")
    files = {".pre-commit-config.yaml": config, "settings.py": SETTINGS, "images.py": IMAGES, "views.py": VIEWS}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    (tmp_path / "images.py").write_text(STAGED_IMAGES)
    git(tmp_path, "add", "images.py")
    assert git_out(tmp_path, "diff", "--cached", "--name-only").split() == ["images.py"]
    return tmp_path


def run_hook(project: Path, hook: str, home: Path) -> subprocess.CompletedProcess:
    """`pre-commit run <hook>` without --all-files: the staged files only, as on `git commit`."""
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t")
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [*pre_commit(), "run", hook, "--verbose"], cwd=project, capture_output=True, text=True, env=env, timeout=600
    )


def test_check_hook_on_a_staged_module_reports_its_neighbours_value(staged_project, tmp_path_factory):
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    out = run_hook(staged_project, "dalle-migrate", home)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "images.py:9:104: DM202" in out.stdout, out.stdout  # the staged module's own finding
    settings_line = next(line for line in out.stdout.splitlines() if line.startswith("settings.py:"))
    assert settings_line.startswith("settings.py:1:15: DM101"), settings_line
    assert "'dall-e-3'" in settings_line and settings_line.endswith("Used by the image call at images.py:9:12."), settings_line
    # views.py calls the staged module's wrapper: its argument is reported there, too.
    assert "views.py:5:49: DM101" in out.stdout and "Used by the image call at images.py:13:12." in out.stdout, out.stdout
    # Nothing is written: only the staged change is in the tree.
    assert git_out(staged_project, "status", "--porcelain").splitlines() == ["M  images.py"]
    assert (staged_project / "images.py").read_text() == STAGED_IMAGES
    assert (staged_project / "settings.py").read_text() == SETTINGS
    assert (staged_project / "views.py").read_text() == VIEWS


def test_fix_hook_on_a_staged_module_writes_only_that_module(staged_project, tmp_path_factory):
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    out = run_hook(staged_project, "dalle-migrate-fix", home)
    assert out.returncode == 1, out.stdout + out.stderr
    assert (staged_project / "images.py").read_text() == STAGED_IMAGES.replace('quality="hd"', 'quality="high"')
    settings_line = next(line for line in out.stdout.splitlines() if line.startswith("settings.py:"))
    assert settings_line.startswith("settings.py:1:15: DM101"), settings_line
    assert settings_line.endswith(
        "Used by the image call at images.py:9:12. Not fixed: settings.py was not among the files given to `fix`."
    ), settings_line
    assert "Not fixed: views.py was not among the files given to `fix`." in out.stdout, out.stdout
    assert (staged_project / "settings.py").read_text() == SETTINGS
    assert (staged_project / "views.py").read_text() == VIEWS
    assert git_out(staged_project, "status", "--porcelain").splitlines() == ["MM images.py"]


def test_git_commit_of_a_staged_module_is_refused_and_neighbours_are_kept(staged_project, tmp_path_factory):
    """The same through `git commit` itself, with the hooks installed: both hooks run on the staged file."""
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    env = dict(os.environ, PRE_COMMIT_HOME=str(home))
    env.pop("VIRTUAL_ENV", None)
    subprocess.run([*pre_commit(), "install"], cwd=staged_project, check=True, capture_output=True, env=env)
    head = git_out(staged_project, "rev-parse", "HEAD")
    commit = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-m", "quality"],
        cwd=staged_project, capture_output=True, text=True, env=env, timeout=600,
    )
    output = commit.stdout + commit.stderr
    assert commit.returncode != 0, output
    assert git_out(staged_project, "rev-parse", "HEAD") == head  # nothing committed
    assert "images.py:9:104: DM202" in output and "settings.py:1:15: DM101" in output, output
    assert "Not fixed: settings.py was not among the files given to `fix`." in output, output
    assert (staged_project / "settings.py").read_text() == SETTINGS
    assert (staged_project / "views.py").read_text() == VIEWS
    assert 'quality="high"' in (staged_project / "images.py").read_text()
    assert git_out(staged_project, "status", "--porcelain").splitlines() == ["MM images.py"]


CHAT = '''\
from openai import OpenAI

import config

client = OpenAI()


def ask_{i}(question):
    reply = client.chat.completions.create(model=config.CHAT_MODEL, messages=[{{"role": "user", "content": question}}])
    return reply.choices[0].message.content
'''


def test_check_hook_on_one_staged_file_of_a_large_project_costs_a_few_files(hook_repo: Path, tmp_path: Path, tmp_path_factory):
    """400 chat modules import the staged config.py, whose image model a caller of the image
    API uses. The hook's run on it is timed loosely (the bench times it exactly): a run on one
    file must not cost what a check of the whole project costs, let alone more."""
    import time

    files = {
        ".pre-commit-config.yaml": hooks_config(hook_repo, "dalle-migrate"),
        "pyproject.toml": "",
        "config.py": 'CHAT_MODEL = "gpt-4o"\nIMAGE_MODEL = "dall-e-3"\n',
        "images.py": "from openai import OpenAI\n\nimport config\n\n\ndef poster(prompt):\n    return OpenAI().images.generate(model=config.IMAGE_MODEL, prompt=prompt)\n",
        **{f"lessons/lesson_{i:03}.py": CHAT.format(i=i) for i in range(400)},
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    (tmp_path / "config.py").write_text('CHAT_MODEL = "gpt-4o-mini"\nIMAGE_MODEL = "dall-e-3"\n')
    git(tmp_path, "add", "config.py")
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    run_hook(tmp_path, "dalle-migrate", home)  # the hook's environment installed, the cache made
    started = time.perf_counter()
    out = run_hook(tmp_path, "dalle-migrate", home)
    hook = time.perf_counter() - started
    assert out.returncode == 1 and "config.py:2:15: DM101" in out.stdout, out.stdout + out.stderr
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dalle_migrate", "check", ".", "--no-progress", "-q"], cwd=tmp_path, capture_output=True)
    whole = time.perf_counter() - started
    # pre-commit's own start-up (about 0.2 s) on top of the tool's run; generous for slow machines.
    assert hook < max(3.0, 2 * whole), (hook, whole)
