"""End to end, model-switching code: after a plain `fix`, the program takes the branch, the table
entry and the case its original took for its model, and sends what that branch sent.

Each project under ``tests/e2e/switching/<name>/`` switches on the model the way applications do
(issue 19): tables keyed by the model, an allowed-model set, branches on both ids, a ``match``,
a ``Literal``-typed parameter and argparse ``choices``, a cost table. The proof has three runs of
the real SDK against the Images API stand-in:

1. the original program against the stand-in *as it was on 2026-01-01*, when DALL-E 3 was
   served: it succeeds, and what it sent is recorded (the branch its model took);
2. the original program against today's stand-in: it fails (the model is retired);
3. the fixed program against today's stand-in: it succeeds and sends exactly what run 1 sent,
   translated the way the rules document it (model -> gpt-image-2, quality ``hd`` -> ``high``,
   ``standard`` -> ``medium``, a size the target rejects -> the nearest it accepts, ``style`` and
   ``response_format`` dropped). The prompt comes from the table entry, the size from the table
   or the case, the options from the branch: a different branch sends different parameters.

A project whose move cannot be made safely (a price table keyed by the model) must say why in
the finding, be left failing by a plain `fix`, and run the same way after `fix --unsafe-fixes`.
Every fix is also run twice: the second changes nothing.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import pytest

if importlib.util.find_spec("openai") is None:  # (found, not imported: the programs import it)
    pytest.skip("the openai SDK is not installed", allow_module_level=True)

from dalle_migrate.catalog import default_catalog  # noqa: E402
from dalle_migrate.emulator import EmulatorServer, LoggedRequest, serve  # noqa: E402
from test_e2e import Run, _clean_env, _in_parallel, _program_env, _run_program  # noqa: E402
from test_e2e import _cli as _e2e_cli  # noqa: E402

SWITCHING_DIR = Path(__file__).parent / "e2e" / "switching"
TARGET = "gpt-image-2"
BEFORE_SHUTDOWNS = datetime.date(2026, 1, 1)  # DALL-E 2 and 3 still served


@dataclass(frozen=True)
class Switching:
    name: str  # folder under tests/e2e/switching
    command: Tuple[str, ...]  # arguments to python, run in the project's folder
    marker: str  # in every prompt the project sends, in no other project's files
    error: str  # the stand-in's message the unfixed program prints today
    requests: int  # generations the program sends
    # What `check` says about the model: the file of the DM101, and text its message holds.
    model_file: str = ""
    says: Tuple[str, ...] = ()
    unsafe: bool = False  # the move is held back: a plain fix leaves the program failing
    # (file, text) the fixed project holds: the uses that moved, and those that must not.
    fixed_lines: Tuple[Tuple[str, str], ...] = ()
    stdout: Tuple[str, ...] = ()  # text the fixed program prints (the table entry it read)

    @property
    def files(self) -> List[str]:
        root = SWITCHING_DIR / self.name
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))


PROJECTS: Sequence[Switching] = [
    # A generator class that validates its model against an allowed set, takes its prompt and
    # size from tables keyed by the model (in another module) and adds options in a branch per
    # model; its model comes from a config dataclass built in main.py and handed to a factory.
    Switching(
        "generator_app",
        command=("-m", "gen.main"),
        marker="switchboard",
        error="The model 'dall-e-3' does not exist.",
        requests=1,
        model_file="gen/main.py",
        says=("`SUPPORTED_MODELS`", "`PROMPT_TEMPLATES`", "`SIZES`", "comparison `self.model` with 'dall-e-3'"),
        fixed_lines=(
            ("gen/tables.py", 'SUPPORTED_MODELS = ("dall-e-2", "gpt-image-2")'),
            ("gen/tables.py", '    "gpt-image-2": "switchboard oil painting of {}, dramatic light",'),
            ("gen/tables.py", '    "dall-e-2": "switchboard sketch of {}",'),  # another id keeps its meaning
            ("gen/generator.py", '        if self.model == "gpt-image-2":'),
            ("gen/generator.py", '        elif self.model == "dall-e-2":'),
        ),
    ),
    # A function whose Literal-typed model parameter drives a kwargs branch, called by a script
    # whose argparse --model offers both ids: the choices merge into the target, which takes
    # the default's (dall-e-3's) branch.
    Switching(
        "cli_literal",
        command=("poster.py",),
        marker="switchcli",
        error="The model 'dall-e-3' does not exist.",
        requests=1,
        model_file="poster.py",
        says=("the `choices=` list", "`ImageModel`", "'dall-e-2', offered as a choice, becomes 'gpt-image-2'"),
        fixed_lines=(
            ("poster.py", 'parser.add_argument("--model", choices=["gpt-image-2"], default="gpt-image-2")'),
            ("imaging.py", 'ImageModel = Literal["gpt-image-2"]'),
            ("imaging.py", '    if model == "gpt-image-2":'),
        ),
    ),
    # A `match model:` that picks the size.
    Switching(
        "match_sizes",
        command=("banner.py",),
        marker="switchmatch",
        error="The model 'dall-e-3' does not exist.",
        requests=1,
        model_file="banner.py",
        says=("the `match model:`",),
        fixed_lines=(("banner.py", '        case "gpt-image-2":'), ("banner.py", '        case "dall-e-2":')),
    ),
    # A usage tracker that prices images by model: moving the key would charge dall-e-3's price
    # for gpt-image-2 images, so the move is unsafe and says so; with --unsafe-fixes the program
    # runs and reads the entry it read before.
    Switching(
        "cost_tracker",
        command=("spend.py",),
        marker="switchcost",
        error="The model 'dall-e-3' does not exist.",
        requests=1,
        model_file="spend.py",
        says=("`PRICE_PER_IMAGE` (line 10) holds numbers for 'dall-e-3' (0.04)", "Not safe to fix alone"),
        unsafe=True,
        fixed_lines=(("spend.py", 'PRICE_PER_IMAGE = {"dall-e-2": 0.02, "gpt-image-2": 0.04}'),),
        stdout=("spent $0.04",),
    ),
]


def translated(params: Dict[str, object]) -> Dict[str, object]:
    """What a request sent to a DALL-E model becomes on the target, by the catalogue's rules
    (what the rules' fixes write): the model, qualities and sizes the target rejects mapped,
    parameters it does not know dropped; everything else (the prompt, n) as it was."""
    catalog = default_catalog()
    rules = catalog.params(TARGET, "generate") or {}
    size_rule = catalog.size_rule(TARGET)
    out: Dict[str, object] = {}
    for name, value in params.items():
        if name == "model":
            out[name] = TARGET
        elif name not in rules or rules[name].rejected:
            continue  # style, response_format: deleted by DM204 / DM203
        elif name == "quality" and rules[name].values is not None and value not in rules[name].values:
            out[name] = rules[name].replace[value]
        elif name == "size" and size_rule is not None and size_rule.problem(str(value)) is not None:
            out[name] = size_rule.nearest(str(value))
        else:
            out[name] = value
    return out


@dataclass
class Runs:
    root: Path
    runs: Dict[Tuple[str, str], Run] = field(default_factory=dict)  # (what, project) -> run
    logs: Dict[str, List[LoggedRequest]] = field(default_factory=dict)  # phase -> requests

    def folder(self, phase: str, project: Switching) -> Path:
        return self.root / phase / project.name

    def sent(self, phase: str, project: Switching) -> List[LoggedRequest]:
        return [e for e in self.logs[phase] if project.marker in str(e.params.get("prompt", ""))]


@pytest.fixture(scope="module")
def then_api() -> EmulatorServer:
    """The stand-in as the API was before the shutdowns: the originals' branches run there."""
    server = serve(default_catalog(), today=BEFORE_SHUTDOWNS)
    yield server
    server.shutdown()


def _cli(*args: str, cwd: Path) -> Run:
    env = _clean_env()
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return _e2e_cli(*args, "--isolated", cwd=cwd, env=env)


@pytest.fixture(scope="module")
def runs(images_api: EmulatorServer, then_api: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    result = Runs(tmp_path_factory.mktemp("switching"))
    phases = ("then", "before", "after", "unsafe")
    for project in PROJECTS:
        for phase in phases:
            shutil.copytree(SWITCHING_DIR / project.name, result.folder(phase, project))
            (result.root / "out" / phase / project.name).mkdir(parents=True)

    def program(phase: str, project: Switching, api: EmulatorServer) -> Callable[[], Run]:
        env = _program_env(api.base_url, result.root / "out" / phase / project.name)
        env.pop("PYTHONPATH", None)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        folder = result.folder("then" if phase == "then" else phase, project)
        return lambda: _run_program(project.command, folder, env)

    def cli(phase: str, project: Switching, *args: str) -> Callable[[], Run]:
        return lambda: _cli(*args, cwd=result.folder(phase, project))

    def phase(jobs: Dict[Tuple[str, str], Callable[[], Run]], name: str) -> None:
        for api in (images_api, then_api):
            api.api.log.clear()
        result.runs.update(_in_parallel(jobs))  # type: ignore[arg-type]
        result.logs[name] = list(images_api.api.log)
        result.logs[name + ":then"] = list(then_api.api.log)

    jobs: Dict[Tuple[str, str], Callable[[], Run]] = {}
    for p in PROJECTS:
        jobs[("then", p.name)] = program("then", p, then_api)
        jobs[("before", p.name)] = program("before", p, images_api)
        jobs[("check", p.name)] = cli("before", p, "check", ".", "--format", "json")
        jobs[("fix", p.name)] = cli("after", p, "fix", ".")
        jobs[("fix_unsafe", p.name)] = cli("unsafe", p, "fix", ".", "--unsafe-fixes")
    phase(jobs, "first")
    # The fixed programs, each kind in a phase of its own (their requests look alike).
    for fixed in ("after", "unsafe"):
        jobs = {}
        for p in PROJECTS:
            shutil.copytree(result.folder(fixed, p), result.folder(fixed + "-again", p))
            jobs[(fixed, p.name)] = program(fixed, p, images_api)
            jobs[(fixed + "_again", p.name)] = cli(fixed + "-again", p, "fix", ".", *(["--unsafe-fixes"] if fixed == "unsafe" else []))
        phase(jobs, fixed)
    return result


def _sources(folder: Path) -> Dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.py"))}


def _params(entries: Sequence[LoggedRequest]) -> List[Dict[str, object]]:
    return [dict(e.params) for e in entries]


def test_projects_are_listed() -> None:
    assert sorted(p.name for p in PROJECTS) == sorted(f.name for f in SWITCHING_DIR.iterdir() if f.is_dir())
    for project in PROJECTS:
        for other in PROJECTS:
            text = "\n".join((SWITCHING_DIR / other.name / f).read_text(encoding="utf-8") for f in other.files)
            assert (project.marker in text) == (other is project), (project.marker, other.name)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_original_ran_on_the_api_before_the_shutdowns(runs: Runs, project: Switching) -> None:
    """The original's branch for its model, on the API it was written for: recorded."""
    run = runs.runs[("then", project.name)]
    assert run.returncode == 0, run.explain()
    sent = [e for e in runs.logs["first:then"] if project.marker in str(e.params.get("prompt", ""))]
    assert len(sent) == project.requests and all(e.ok for e in sent), [e.line() for e in sent]


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_original_fails_today(runs: Runs, project: Switching) -> None:
    run = runs.runs[("before", project.name)]
    assert run.returncode != 0 and project.error in run.stderr, run.explain()


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_check_names_the_uses_that_move(runs: Runs, project: Switching) -> None:
    run = runs.runs[("check", project.name)]
    assert run.returncode == 1, run.explain()
    found = [f for f in json.loads(run.stdout) if f["code"] == "DM101"]
    assert found, run.explain()
    ours = [f for f in found if Path(f["filename"]).as_posix() == project.model_file]
    assert ours, f"no DM101 in {project.model_file}: {[(f['filename'], f['message']) for f in found]}"
    for finding in ours:
        for text in project.says:
            assert text in finding["message"], finding["message"]
        assert finding["fix"]["applicability"] == ("unsafe" if project.unsafe else "safe"), finding


def _fixed_phase(project: Switching) -> str:
    return "unsafe" if project.unsafe else "after"


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_fixed_program_sends_what_the_original_branch_sent(runs: Runs, project: Switching) -> None:
    """The same branch, the same table entry, the same case: every parameter the original sent
    for its model, translated for the target, and nothing else."""
    phase = _fixed_phase(project)
    run = runs.runs[(phase, project.name)]
    assert run.returncode == 0, run.explain()
    then = [e for e in runs.logs["first:then"] if project.marker in str(e.params.get("prompt", ""))]
    now = runs.sent(phase, project)
    assert all(e.ok and e.model == TARGET for e in now), [e.line() for e in now]
    assert _params(now) == [translated(p) for p in _params(then)]
    for text in project.stdout:
        assert text in run.stdout, run.explain()


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_fixed_project_holds_the_moved_uses(runs: Runs, project: Switching) -> None:
    folder = runs.folder(_fixed_phase(project), project)
    for file, line in project.fixed_lines:
        lines = (folder / file).read_text(encoding="utf-8").splitlines()
        assert line in lines, f"{file}: missing {line!r}\n" + "\n".join(lines)


@pytest.mark.parametrize("project", [p for p in PROJECTS if p.unsafe], ids=lambda p: p.name)
def test_an_unsafe_move_is_left_to_a_person(runs: Runs, project: Switching) -> None:
    """A plain fix leaves the definition and its uses as they were (no half move) and the
    program failing as before; the finding says why."""
    run = runs.runs[("after", project.name)]
    assert run.returncode != 0 and project.error in run.stderr, run.explain()
    before, after = _sources(SWITCHING_DIR / project.name), _sources(runs.folder("after", project))
    for name, data in before.items():
        original = data.decode("utf-8")
        for file, line in project.fixed_lines:
            if file == name:
                assert line not in after[name].decode("utf-8").splitlines(), f"{name} was moved by a plain fix"
        assert original.count("dall-e-3") == after[name].decode("utf-8").count("dall-e-3"), name


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
@pytest.mark.parametrize("fixed", ["after", "unsafe"])
def test_second_fix_changes_nothing(runs: Runs, project: Switching, fixed: str) -> None:
    run = runs.runs[(fixed + "_again", project.name)]
    assert run.returncode in (0, 1), run.explain()
    assert _sources(runs.folder(fixed, project)) == _sources(runs.folder(fixed + "-again", project))
