"""End to end, across modules: multi-module applications whose image calls take values from other
modules of the project, migrated by the project layer and run against the Images API stand-in.

Each project under ``tests/e2e/projects/<name>/`` is a small application in one layout users
write (a package run with ``python -m``, a ``src/`` layout with ``pyproject.toml``, a folder of
scripts with no project marker), using the real openai SDK against the stand-in (``images_api``).
Projects 1-4 read ``b64_json``; projects 5-7 read the image's ``url`` (always None on GPT image
models) in another module than the call, or hand it to another module that downloads it: ``fix``
makes the URL a data URL and decodes it where it is downloaded, in whichever module that is. Such
a fix spans modules: its finding is where the URL is read, and the other modules it edits hold no
finding of their own (``Project.fix_spans``).
Each is copied to a temporary folder, then:

1. the unfixed program fails (non-zero exit, the stand-in's error in stderr, only rejected
   requests, no image written);
2. ``check . --format json`` reports exactly the expected findings, each in the file that holds
   the code to change: a model, quality or size set in a settings module, a class, a dataclass
   default or a wrapper's caller is reported *there*, at the value, saying which call uses it;
3. ``fix .`` exits 0;
4. the fixed program runs: exit 0, the PNG files it reports written and valid, every request it
   sent accepted (status 200) on gpt-image-2;
5. a second ``fix .`` changes nothing (byte-identical files), and ``check .`` then exits 0.

And ``fix`` given only one file (pre-commit passes only the staged files; ``PARTIALS``) fixes that
file, leaves the modules it imports byte-identical and reports the findings there, at their
location, as not fixed (exit 1).

A project whose migration fails because of a known dalle-migrate bug says so in ``Project.bug``
(``Partial.bug``); the tests where the bug shows are strict xfails for it.

As in test_e2e.py, starting Python with the SDK costs ~1.5 s of CPU, so the module fixture runs
everything once, in two phases of concurrent subprocesses (before the fix / after it), and the
tests check the recorded results. The stand-in's log is attributed to projects by a word every
prompt of a project holds (``Project.marker``).
"""

from __future__ import annotations

import importlib.util
import collections
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import pytest

if importlib.util.find_spec("openai") is None:  # (found, not imported: the programs import it)
    pytest.skip("the openai SDK is not installed", allow_module_level=True)

from dalle_migrate.emulator import EmulatorServer, LoggedRequest  # noqa: E402
from test_e2e import (  # noqa: E402
    DALLE2_GONE,
    DALLE3_GONE,
    GENERATE,
    GPT_IMAGE_1_GONE,
    Run,
    _clean_env,
    _in_parallel,
    _is_png,
    _log_lines,
    _program_env,
    _run_program,
)
from test_e2e import _cli as _e2e_cli  # noqa: E402

PROJECTS_DIR = Path(__file__).parent / "e2e" / "projects"
TARGET = "gpt-image-2"
# "saved <path> (<n> bytes)": how every project reports a file it wrote.
_SAVED = re.compile(r"^saved (?P<path>.+) \((?P<size>\d+) bytes\)$", re.MULTILINE)


@dataclass(frozen=True)
class Expected:
    """One finding `check` reports on the unfixed project."""

    file: str  # relative to the project's folder, with /
    code: str
    at: str  # the text the finding's location points at (the literal, or the keyword argument)
    used_by: str = ""  # for a value defined away from the call: the file of the call using it
    # for a read of an image call's result (DM301) in another module than the call: the file of
    # the call (the message does not name it; test_projects_are_listed checks the call is there)
    result_of: str = ""


@dataclass(frozen=True)
class Project:
    name: str  # folder under tests/e2e/projects
    command: Tuple[str, ...]  # arguments to python, run in the project's folder
    marker: str  # in every prompt the project sends, in no other project's files
    error: str  # the stand-in's message the unfixed program prints to stderr
    findings: Tuple[Expected, ...]  # what `check` reports on the unfixed project, exactly
    requests: int  # generations the fixed program sends (all on gpt-image-2)
    outputs: Tuple[str, ...]  # PNG files the fixed program writes to IMAGE_OUT_DIR and reports
    fixed_lines: Tuple[Tuple[str, str], ...] = ()  # (file, line) the fixed project holds exactly
    # files `fix` also edits that hold no finding: the other modules a finding's fix spans (the
    # download of a URL that another module returns or passes, decoded there)
    fix_spans: Tuple[str, ...] = ()
    bug: str = ""  # a known dalle-migrate bug that keeps the migration from working (xfail reason)
    # the tests that are strict xfails for `bug`: check, fix, runs, idempotent, check_after
    bug_shows_in: Tuple[str, ...] = ("check", "fix", "runs", "idempotent", "check_after")

    @property
    def files(self) -> List[str]:
        root = PROJECTS_DIR / self.name
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))


PROJECTS: Sequence[Project] = [
    # 1. a package run with `python -m app.main`: app/settings.py holds the model, quality and size
    #    (read as settings.X after `from . import settings`), app/clients.py the client, and
    #    app/images.py the call (style and response_format on it). The model and quality are
    #    fixed in settings.py; 1792x1024 stays (valid on gpt-image-2).
    Project(
        "poster_app",
        command=("-m", "app.main"),
        marker="spring poster",
        error=DALLE3_GONE,
        findings=(
            Expected("app/settings.py", "DM101", '"dall-e-3"', used_by="app/images.py"),
            Expected("app/settings.py", "DM202", '"hd"', used_by="app/images.py"),
            Expected("app/images.py", "DM204", "style="),
            Expected("app/images.py", "DM203", "response_format="),
        ),
        requests=1,
        outputs=("poster.png",),
        fixed_lines=(
            ("app/settings.py", 'IMAGE_MODEL = "gpt-image-2"'),
            ("app/settings.py", 'QUALITY = "high"'),
            ("app/settings.py", 'SIZE = "1792x1024"'),
            ("app/images.py", "        model=settings.IMAGE_MODEL,"),
            ("app/images.py", "        quality=settings.QUALITY,"),
        ),
    ),
    # 2. a src/ layout with pyproject.toml, run by a root run.py that puts src/ on sys.path:
    #    src/studio/config.py holds a dataclass whose defaults (gpt-image-1, "standard") are read
    #    through a module-level instance (DEFAULTS.model), and a plain class whose attributes
    #    (dall-e-2, 256x256) are read through the class (Thumbnails.MODEL); the service creates
    #    its client in __init__ (self.client).
    Project(
        "studio_src",
        command=("run.py",),
        marker="studio product shot",
        error=GPT_IMAGE_1_GONE,
        findings=(
            Expected("src/studio/config.py", "DM101", '"gpt-image-1"', used_by="src/studio/service.py"),
            Expected("src/studio/config.py", "DM202", '"standard"', used_by="src/studio/service.py"),
            Expected("src/studio/config.py", "DM101", '"dall-e-2"', used_by="src/studio/service.py"),
            Expected("src/studio/config.py", "DM201", '"256x256"', used_by="src/studio/service.py"),
            Expected("src/studio/service.py", "DM203", "response_format="),
        ),
        requests=4,
        outputs=("mug.png", "mug-thumb.png", "tote.png", "tote-thumb.png"),
        fixed_lines=(
            ("src/studio/config.py", '    model: str = "gpt-image-2"'),
            ("src/studio/config.py", '    size: str = "1024x1536"'),
            ("src/studio/config.py", '    quality: str = "medium"'),
            ("src/studio/config.py", '    MODEL = "gpt-image-2"'),
            ("src/studio/config.py", '    SIZE = "1024x1024"'),
            ("src/studio/service.py", "            model=DEFAULTS.model,"),
            ("src/studio/service.py", "            model=Thumbnails.MODEL,"),
        ),
    ),
    # 3. a folder of scripts with no project marker: make_icons.py does
    #    `from helpers import ICON_MODEL, icon, make_client` (a constant, a wrapper, a factory
    #    returning OpenAI()); the wrapper `icon(prompt, model="dall-e-2", size="256x256")` is
    #    called with model="dall-e-2", size="512x512": its defaults are fixed in helpers.py, the
    #    values its caller passes in make_icons.py.
    Project(
        "icon_scripts",
        command=("make_icons.py",),
        marker="launcher icon",
        error=DALLE2_GONE,
        findings=(
            Expected("helpers.py", "DM101", '"dall-e-2"', used_by="make_icons.py"),  # ICON_MODEL
            Expected("helpers.py", "DM101", '"dall-e-2"'),  # icon()'s default
            Expected("helpers.py", "DM201", '"256x256"'),  # icon()'s default
            Expected("helpers.py", "DM203", "response_format="),
            Expected("make_icons.py", "DM201", '"512x512"'),
            Expected("make_icons.py", "DM203", "response_format="),
            Expected("make_icons.py", "DM101", '"dall-e-2"', used_by="helpers.py"),  # icon(model=...)
            Expected("make_icons.py", "DM201", '"512x512"', used_by="helpers.py"),  # icon(size=...)
        ),
        requests=2,
        outputs=("boat-0.png", "boat-1.png", "anchor.png"),
        fixed_lines=(
            ("helpers.py", 'ICON_MODEL = "gpt-image-2"'),
            ("helpers.py", 'def icon(prompt, model="gpt-image-2", size="1024x1024"):'),
            ("make_icons.py", "    model=ICON_MODEL,"),
            ("make_icons.py", '    size="1024x1024",'),
            (
                "make_icons.py",
                'save("anchor.png", icon("launcher icon: a golden anchor, flat style", model="gpt-image-2", '
                'size="1024x1024"))',
            ),
        ),
    ),
    # 4. a package run with `python -m bot`: bot/render.py holds the client, a model constant and
    #    a wrapper `draw(prompt, size="256x256")`; bot/commands.py imports both, makes its own
    #    call (dall-e-3, response_format) and calls draw(..., size="512x512") after it. The size
    #    the caller passes is fixed in commands.py, the constant and the default in render.py.
    Project(
        "sticker_bot",
        command=("-m", "bot"),
        marker="sticker bot",
        error=DALLE3_GONE,
        findings=(
            Expected("bot/commands.py", "DM101", '"dall-e-3"'),
            Expected("bot/commands.py", "DM203", "response_format="),
            Expected("bot/commands.py", "DM201", '"512x512"', used_by="bot/render.py"),  # draw(size=...)
            Expected("bot/render.py", "DM101", '"dall-e-2"'),
            Expected("bot/render.py", "DM201", '"256x256"'),
            Expected("bot/render.py", "DM203", "response_format="),
        ),
        requests=2,
        outputs=("avatar.png", "sticker.png"),
        fixed_lines=(
            ("bot/commands.py", '        model="gpt-image-2",'),
            (
                "bot/commands.py",
                '    return draw(f"sticker bot sticker: {text}, die-cut, white border", size="1024x1024")',
            ),
            ("bot/render.py", 'STICKER_MODEL = "gpt-image-2"'),
            ("bot/render.py", 'def draw(prompt, size="1024x1024"):'),
        ),
    ),
    # 5. a package run with `python -m gallery.main`: gallery/images.py's make_url(prompt) calls
    #    the client of gallery/clients.py (dall-e-3) and returns response.data[0].url;
    #    gallery/pages.py downloads it with requests.get(url).content and writes the PNG. One fix
    #    in two files: make_url returns a data URL, pages.py decodes it (no finding there).
    Project(
        "gallery_web",
        command=("-m", "gallery.main"),
        marker="gallery web",
        error=DALLE3_GONE,  # before requests.get(None) could fail
        findings=(
            Expected("gallery/images.py", "DM101", '"dall-e-3"'),
            Expected("gallery/images.py", "DM301", "response.data[0].url"),
        ),
        requests=1,
        outputs=("front.png",),
        fixed_lines=(
            ("gallery/images.py", '        model="gpt-image-2",'),
            ("gallery/images.py", '    return f"data:image/png;base64,{response.data[0].b64_json}"'),
            ("gallery/pages.py", "import base64"),
            ("gallery/pages.py", '    png = base64.b64decode(url.partition(",")[2])'),
        ),
        fix_spans=("gallery/pages.py",),
    ),
    # 6. scripts with no project marker: storage.py's download_image(url, path) does
    #    requests.get(url, timeout=30), raise_for_status(), a status_code check, and writes
    #    response.content; art.py's two functions (dall-e-2 256x256, dall-e-3 "hd") pass it
    #    result.data[0].url, directly and through a local. Every call site passes a data URL and
    #    the helper decodes it.
    Project(
        "download_helper",
        command=("art.py",),
        marker="art pack",
        error=DALLE2_GONE,  # the first function's request, before requests.get(None) could fail
        findings=(
            Expected("art.py", "DM101", '"dall-e-2"'),
            Expected("art.py", "DM201", '"256x256"'),
            Expected("art.py", "DM301", "result.data[0].url, os.path"),
            Expected("art.py", "DM101", '"dall-e-3"'),
            Expected("art.py", "DM202", '"hd"'),
            Expected("art.py", "DM301", "result.data[0].url"),  # image_url = ...
        ),
        requests=2,
        outputs=("knight.png", "castle-backdrop.png"),
        fixed_lines=(
            (
                "art.py",
                '    download_image(f"data:image/png;base64,{result.data[0].b64_json}", '
                'os.path.join(OUT_DIR, f"{name}.png"))',
            ),
            ("art.py", '    image_url = f"data:image/png;base64,{result.data[0].b64_json}"'),
            ("art.py", '        quality="high",'),
            ("storage.py", "import base64"),
            ("storage.py", '        fh.write(base64.b64decode(url.partition(",")[2]))'),
        ),
        fix_spans=("storage.py",),
    ),
    # 7. scripts: service.py's create(prompt) returns the whole response of a gpt-image-1 call;
    #    cli.py reads result.data[0].url and downloads it (r = requests.get(u);
    #    r.raise_for_status(); data = r.content). The read is reported in cli.py, and decoded there.
    Project(
        "response_passthrough",
        command=("cli.py",),
        marker="passthrough demo",
        error=GPT_IMAGE_1_GONE,  # before requests.get(None) could fail
        findings=(
            Expected("service.py", "DM101", '"gpt-image-1"'),
            Expected("service.py", "DM202", '"standard"'),
            Expected("cli.py", "DM301", "result.data[0].url", result_of="service.py"),
        ),
        requests=1,
        outputs=("kite.png",),
        fixed_lines=(
            (
                "service.py",
                '    return client.images.generate(model="gpt-image-2", prompt=prompt, size="1024x1024", '
                'quality="medium")',
            ),
            ("cli.py", '    u = f"data:image/png;base64,{result.data[0].b64_json}"'),
            ("cli.py", '    data = base64.b64decode(u.partition(",")[2])'),
        ),
    ),
]


@dataclass(frozen=True)
class Partial:
    """`fix` given only one file of a project (pre-commit passes the staged files): the modules
    it imports are analysed, read-only, never written; findings there are reported, not fixed."""

    project: str
    given: str  # the one file passed to `fix`
    left: Tuple[Expected, ...]  # the findings reported in files that were not given (exit 1)
    fixed_lines: Tuple[str, ...]  # lines the given file holds exactly after the fix
    gone: Tuple[str, ...]  # text no longer in the given file
    bug: str = ""

    @property
    def id(self) -> str:
        return f"{self.project}:{self.given}"


PARTIALS: Sequence[Partial] = [
    # The module with the call: its own findings are fixed; the settings module it imports is
    # left byte-identical, its model and quality reported where they are.
    Partial(
        "poster_app",
        given="app/images.py",
        left=(
            Expected("app/settings.py", "DM101", '"dall-e-3"', used_by="app/images.py"),
            Expected("app/settings.py", "DM202", '"hd"', used_by="app/images.py"),
        ),
        fixed_lines=("        model=settings.IMAGE_MODEL,", "        quality=settings.QUALITY,"),
        gone=("style=", "response_format="),
    ),
    # The script: its own call and the arguments it passes the wrapper in helpers.py (found by
    # analysing helpers.py, read-only) are fixed; ICON_MODEL, defined in helpers.py, is reported.
    Partial(
        "icon_scripts",
        given="make_icons.py",
        left=(Expected("helpers.py", "DM101", '"dall-e-2"', used_by="make_icons.py"),),
        fixed_lines=(
            "    model=ICON_MODEL,",
            '    size="1024x1024",',
            'save("anchor.png", icon("launcher icon: a golden anchor, flat style", model="gpt-image-2", '
            'size="1024x1024"))',
        ),
        gone=("response_format=", '"dall-e-2"', "512x512"),
    ),
]


def _params(test: str = "") -> List[object]:
    params = []
    for p in PROJECTS:
        marks = [pytest.mark.xfail(strict=True, reason=p.bug)] if p.bug and test in p.bug_shows_in else []
        params.append(pytest.param(p, id=p.name, marks=marks))
    return params


# -- running things ------------------------------------------------------------------------------
def _env(base_url: str, out_dir: Path) -> Dict[str, str]:
    env = _program_env(base_url, out_dir)
    env.pop("PYTHONPATH", None)  # the program finds its modules the way it would for a user
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ in the folders compared and analysed
    return env


def _cli(*args: str, cwd: Path) -> Run:
    env = _clean_env()
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return _e2e_cli(*args, cwd=cwd, env=env)


def _json(run: Run) -> List[dict]:
    try:
        return json.loads(run.stdout or "[]")
    except json.JSONDecodeError as exc:  # pragma: no cover - shown in the failure
        raise AssertionError(f"not JSON: {exc}\n{run.explain()}") from None


def _sources(folder: Path) -> Dict[str, bytes]:
    """Every file of a project copy, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _owned_by(entry: LoggedRequest, project: Project) -> bool:
    return project.marker in str(entry.params.get("prompt", ""))


@dataclass
class Projects:
    """Everything the projects and the CLI did, recorded once for the module."""

    root: Path
    before: Dict[str, Run] = field(default_factory=dict)  # project -> run of the unfixed program
    after: Dict[str, Run] = field(default_factory=dict)  # project -> run of the fixed program
    check: Dict[str, Run] = field(default_factory=dict)  # project -> `check` on the unfixed copy
    fix: Dict[str, Run] = field(default_factory=dict)
    fix_again: Dict[str, Run] = field(default_factory=dict)
    check_after: Dict[str, Run] = field(default_factory=dict)
    partial_fix: Dict[str, Run] = field(default_factory=dict)  # Partial.id -> its `fix` run
    before_log: List[LoggedRequest] = field(default_factory=list)
    after_log: List[LoggedRequest] = field(default_factory=list)

    def folder(self, phase: str, project: Project) -> Path:
        """phase: before (unfixed), after (fixed once), again (fixed twice), partial."""
        return self.root / phase / project.name

    def partial_folder(self, partial: Partial) -> Path:
        return self.root / "partial" / partial.id.replace("/", "_").replace(":", "-")

    def out_dir(self, phase: str, project: Project) -> Path:
        return self.root / "out" / phase / project.name

    def requests(self, phase: str, project: Project) -> List[LoggedRequest]:
        log = self.before_log if phase == "before" else self.after_log
        return [entry for entry in log if _owned_by(entry, project)]


@pytest.fixture(scope="module")
def projects(images_api: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Projects:
    run = Projects(tmp_path_factory.mktemp("projects"))
    for project in PROJECTS:
        for phase in ("before", "after"):
            shutil.copytree(PROJECTS_DIR / project.name, run.folder(phase, project))
        for phase in ("before", "after"):
            run.out_dir(phase, project).mkdir(parents=True)

    def program(phase: str, project: Project) -> Callable[[], Run]:
        env = _env(images_api.base_url, run.out_dir(phase, project))
        return lambda: _run_program(project.command, run.folder(phase, project), env)

    def cli(phase: str, project: Project, *args: str) -> Callable[[], Run]:
        return lambda: _cli(*args, cwd=run.folder(phase, project))

    # Phase 1: the unfixed programs, `check` on them, `fix` on other copies, all at once.
    jobs: Dict[Tuple[str, str], Callable[[], Run]] = {}
    for p in PROJECTS:
        jobs[("before", p.name)] = program("before", p)
        jobs[("check", p.name)] = cli("before", p, "check", ".", "--format", "json")
        jobs[("fix", p.name)] = cli("after", p, "fix", ".", "--format", "json")
    for partial in PARTIALS:
        folder = run.partial_folder(partial)
        shutil.copytree(PROJECTS_DIR / partial.project, folder)
        jobs[("partial_fix", partial.id)] = (
            lambda folder=folder, given=partial.given: _cli("fix", given, "--format", "json", cwd=folder)
        )
    images_api.api.log.clear()
    results = _in_parallel(jobs)  # type: ignore[arg-type]
    run.before_log = list(images_api.api.log)
    for (kind, name), result in results.items():  # type: ignore[misc]
        getattr(run, kind)[name] = result

    # Phase 2: the fixed programs, `check` on them, and a second `fix` on copies of them.
    jobs = {}
    for p in PROJECTS:
        shutil.copytree(run.folder("after", p), run.folder("again", p))
        jobs[("after", p.name)] = program("after", p)
        jobs[("check_after", p.name)] = cli("after", p, "check", ".", "--format", "json")
        jobs[("fix_again", p.name)] = cli("again", p, "fix", ".", "--format", "json")
    images_api.api.log.clear()
    results = _in_parallel(jobs)  # type: ignore[arg-type]
    run.after_log = list(images_api.api.log)
    images_api.api.log.clear()
    for (kind, name), result in results.items():  # type: ignore[misc]
        getattr(run, kind)[name] = result
    return run


def _text_at(folder: Path, item: dict) -> str:
    """The source text from a finding's location to the end of its line."""
    lines = (folder / item["filename"]).read_text(encoding="utf-8").splitlines()
    row, column = item["location"]["row"], item["location"]["column"]
    assert 1 <= row <= len(lines), item
    return lines[row - 1][column - 1:]


def _matches(item: dict, expected: Expected, folder: Path) -> bool:
    if Path(item["filename"]).as_posix() != expected.file or item["code"] != expected.code:
        return False
    if not _text_at(folder, item).startswith(expected.at):
        return False
    uses = re.findall(r"Used by the image calls? at (\S+?):\d+:\d+", item["message"])
    # A result read in another module than its call names that call the same way.
    named = expected.used_by or expected.result_of
    return uses == ([named] if named else [])


def _describe(items: Sequence[dict], folder: Path) -> str:
    return "\n".join(
        f"{item['filename']}:{item['location']['row']}:{item['location']['column']} {item['code']} "
        f"at {_text_at(folder, item)[:30]!r}: {item['message']}"
        for item in items
    ) or "(none)"


# -- the projects as written ---------------------------------------------------------------------
def test_projects_are_listed() -> None:
    """Every folder under e2e/projects is exercised, and the prompt markers tell projects apart."""
    assert sorted(p.name for p in PROJECTS) == sorted(f.name for f in PROJECTS_DIR.iterdir() if f.is_dir())
    for project in PROJECTS:
        for other in PROJECTS:
            text = "\n".join((PROJECTS_DIR / other.name / f).read_text(encoding="utf-8") for f in other.files)
            assert (project.marker in text) == (other is project), (project.marker, other.name)
        # Findings (or the other modules a fix spans) are expected in at least two modules, and
        # something crosses modules: a value used by another module's call, a result read in
        # another module than its call, or a fix editing other modules: what this file is about.
        assert len({e.file for e in project.findings} | set(project.fix_spans)) >= 2, project.name
        assert project.fix_spans or any(
            (e.used_by and e.used_by != e.file) or (e.result_of and e.result_of != e.file) for e in project.findings
        ), project.name
        assert not {e.file for e in project.findings} & set(project.fix_spans), project.name
        for e in project.findings:
            if e.result_of:
                assert "images." in (PROJECTS_DIR / project.name / e.result_of).read_text(encoding="utf-8"), e
                assert "images." not in (PROJECTS_DIR / project.name / e.file).read_text(encoding="utf-8"), e


@pytest.mark.parametrize("project", _params())
def test_unfixed_program_fails(projects: Projects, project: Project) -> None:
    result = projects.before[project.name]
    assert result.returncode != 0, result.explain()
    assert project.error in result.stderr, result.explain()
    sent = projects.requests("before", project)
    assert sent, f"{project.name} sent no request\n{result.explain()}"
    assert all(entry.status == 400 and not entry.ok for entry in sent), _log_lines(sent)
    assert sent[0].error == project.error and sent[0].param == "model", _log_lines(sent)
    assert not list(projects.out_dir("before", project).iterdir())


@pytest.mark.parametrize("project", _params("check"))
def test_check_reports_findings_where_the_values_are(projects: Projects, project: Project) -> None:
    """(file, code) of every finding, located at the value in the module that defines it, and
    saying which call (in which other module) uses it."""
    check = projects.check[project.name]
    assert check.returncode == 1, check.explain()
    folder = projects.folder("before", project)
    reported = _json(check)
    got = collections.Counter((Path(i["filename"]).as_posix(), i["code"]) for i in reported)
    want = collections.Counter((e.file, e.code) for e in project.findings)
    assert got == want, f"expected {sorted(want.elements())}\n got:\n{_describe(reported, folder)}"
    unmatched = list(reported)
    for expected in project.findings:
        match = next((item for item in unmatched if _matches(item, expected, folder)), None)
        assert match is not None, f"no finding like {expected}\n got:\n{_describe(reported, folder)}"
        unmatched.remove(match)
    for item in reported:
        assert item["fix"] is not None, f"not fixable: {_describe([item], folder)}"


# -- fix --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("project", _params("fix"))
def test_fix_fixes_every_module(projects: Projects, project: Project) -> None:
    fix = projects.fix[project.name]
    assert fix.returncode == 0, fix.explain()
    assert _json(fix) == [], fix.explain()
    folder = projects.folder("after", project)
    changed = {
        name for name, data in _sources(folder).items() if data != (PROJECTS_DIR / project.name / name).read_bytes()
    }
    assert changed == {e.file for e in project.findings} | set(project.fix_spans), changed
    for name, line in project.fixed_lines:
        text = (folder / name).read_text(encoding="utf-8")
        assert line in text.splitlines(), f"{name}: missing line {line!r} after fix:\n{text}"
    for name in project.files:
        compile((folder / name).read_text(encoding="utf-8"), name, "exec")


@pytest.mark.parametrize("project", _params("runs"))
def test_fixed_program_runs(projects: Projects, project: Project) -> None:
    result = projects.after[project.name]
    sent = projects.requests("after", project)
    assert result.returncode == 0, f"{result.explain()}\n--- requests\n{_log_lines(sent)}"
    assert "Traceback" not in result.stderr, result.explain()
    out_dir = projects.out_dir("after", project)
    # The files it reports are the ones expected, written where it says, and PNGs of that size.
    reported = {Path(m["path"]): int(m["size"]) for m in _SAVED.finditer(result.stdout)}
    assert sorted(path.name for path in reported) == sorted(project.outputs), result.explain()
    for path, size in reported.items():
        assert path.parent == out_dir, path
        assert path.is_file(), f"{path} not written\n{result.explain()}"
        data = path.read_bytes()
        assert _is_png(data), f"{path.name} is not a PNG"
        assert len(data) == size, (path.name, len(data), size)
    # Every request it sent was accepted, on gpt-image-2.
    assert all(entry.status == 200 and entry.ok for entry in sent), _log_lines(sent)
    assert [(e.path, e.model) for e in sent] == [(GENERATE, TARGET)] * project.requests, _log_lines(sent)


@pytest.mark.parametrize("project", _params("idempotent"))
def test_fix_is_idempotent(projects: Projects, project: Project) -> None:
    again = projects.fix_again[project.name]
    assert again.returncode == 0, again.explain()
    assert _json(again) == [], again.explain()
    assert _sources(projects.folder("again", project)) == _sources(projects.folder("after", project))


@pytest.mark.parametrize("project", _params("check_after"))
def test_check_passes_after_fix(projects: Projects, project: Project) -> None:
    check = projects.check_after[project.name]
    assert check.returncode == 0, check.explain()
    assert _json(check) == [], check.explain()


def test_every_request_after_the_fix_was_accepted(projects: Projects) -> None:
    """The whole log of the second phase: each request is one project's, all 200 on gpt-image-2."""
    for entry in projects.after_log:
        owners = [p for p in PROJECTS if _owned_by(entry, p)]
        assert len(owners) == 1, entry.line()
        if not owners[0].bug:
            assert entry.status == 200 and entry.model == TARGET, entry.line()


# -- fix given only some files -----------------------------------------------------------------
def _partial_params() -> List[object]:
    return [
        pytest.param(p, id=p.id, marks=[pytest.mark.xfail(strict=True, reason=p.bug)] if p.bug else [])
        for p in PARTIALS
    ]


@pytest.mark.parametrize("partial", _partial_params())
def test_fix_given_one_file_writes_only_that_file(projects: Projects, partial: Partial) -> None:
    project = next(p for p in PROJECTS if p.name == partial.project)
    fix = projects.partial_fix[partial.id]
    assert fix.returncode == 1, fix.explain()
    folder = projects.partial_folder(partial)
    original = PROJECTS_DIR / project.name
    # Only the given file changed; every other file (the modules it imports) is byte-identical.
    assert _sources(folder).keys() == _sources(original).keys()
    for name in project.files:
        if name != partial.given:
            assert (folder / name).read_bytes() == (original / name).read_bytes(), f"{name} was written"
    fixed = (folder / partial.given).read_text(encoding="utf-8")
    assert fixed != (original / partial.given).read_text(encoding="utf-8")
    for line in partial.fixed_lines:
        assert line in fixed.splitlines(), f"{partial.given}: missing line {line!r} after fix:\n{fixed}"
    for text in partial.gone:
        assert text not in fixed, f"{partial.given}: {text!r} left after fix:\n{fixed}"
    compile(fixed, partial.given, "exec")
    # What is left: the findings in the files not given, at their values, said to be not fixed.
    left = _json(fix)
    assert sorted((Path(i["filename"]).as_posix(), i["code"]) for i in left) == sorted(
        (e.file, e.code) for e in partial.left
    ), f"{fix.explain()}\n{_describe(left, folder)}"
    unmatched = list(left)
    for expected in partial.left:
        match = next((item for item in unmatched if _matches(item, expected, folder)), None)
        assert match is not None, f"no finding like {expected}\n got:\n{_describe(left, folder)}"
        unmatched.remove(match)
        assert match["fix"] is None, match
        assert f"Not fixed: {expected.file} was not among the files given to `fix`." in match["message"], match
