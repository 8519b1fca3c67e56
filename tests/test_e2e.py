"""End to end: programs that call the Images API with retired models fail, `fix` makes them run.

Each program under ``tests/e2e/programs/`` is a small script in one style users write, using the
real openai SDK against the Images API stand-in (``images_api``). For every program:

1. the unfixed program fails (non-zero exit, the stand-in's error in stderr, only rejected requests);
2. ``check --format json`` reports the rule codes expected for it;
3. ``dalle-migrate fix`` leaves nothing to report (exit 0), or exactly the findings a person must
   handle;
4. the fixed program runs: exit 0, the PNG files it reports written and valid, every request it
   sent accepted (status 200) on the models expected;
5. a second ``fix`` changes nothing (byte-identical files).

A program whose migration fails because of a known dalle-migrate bug says so in ``Program.bug``;
the tests where the bug shows are strict xfails for it.

Starting Python with the SDK costs ~1.5 s of CPU per program run, so the module fixture runs
everything once, in two phases of concurrent subprocesses (before the fix / after it); the
tests then check the recorded results. The stand-in's log is attributed to programs by a word
every prompt of a program holds (``Program.marker``).
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import pytest

pytest.importorskip("openai")

from dalle_migrate.emulator import EmulatorServer, LoggedRequest  # noqa: E402
from dalle_migrate.rules import RULES_BY_CODE  # noqa: E402

PROGRAMS_DIR = Path(__file__).parent / "e2e" / "programs"
TODAY = "2026-11-25"
TIMEOUT = 120  # seconds, per subprocess
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GENERATE, EDIT = "/v1/images/generations", "/v1/images/edits"

DALLE3_GONE = "The model 'dall-e-3' does not exist."
DALLE2_GONE = "The model 'dall-e-2' does not exist."
GPT_IMAGE_1_GONE = "The model 'gpt-image-1' does not exist."


@dataclass(frozen=True)
class Program:
    name: str  # file under tests/e2e/programs
    marker: str  # in every prompt the program sends, and in no other program's prompts
    error: str  # the stand-in's message the unfixed program prints to stderr
    codes: Tuple[str, ...]  # rule codes `check` reports on the unfixed program (see `expected`)
    requests: Tuple[Tuple[str, str], ...]  # (path, model) of each request the fixed program sends
    outputs: Tuple[str, ...]  # PNG files the fixed program writes to IMAGE_OUT_DIR and reports
    remaining: Tuple[str, ...] = ()  # codes left after `fix`: something a person must decide
    kept_lines: Tuple[str, ...] = ()  # lines `fix` must leave exactly as they are
    says: Tuple[str, ...] = ()  # more text the fixed program's stdout must contain
    bug: str = ""  # a known dalle-migrate bug that keeps the migration from working (xfail reason)

    @property
    def id(self) -> str:
        return Path(self.name).stem

    @property
    def left(self) -> Tuple[str, ...]:
        """The codes `fix` leaves, among the rules this build has."""
        return expected(self.remaining)


def expected(codes: Sequence[str]) -> Tuple[str, ...]:
    """Codes of rules this build has: a rule that is not written yet cannot report anything."""
    return tuple(code for code in codes if code in RULES_BY_CODE)


def gpt_image_2(count: int, path: str = GENERATE) -> Tuple[Tuple[str, str], ...]:
    return ((path, "gpt-image-2"),) * count


PROGRAMS: Sequence[Program] = [
    # 1. module-level client, dall-e-3 with every DALL-E 3 parameter, multi-line call with comments:
    #    the comments survive, 1792x1024 stays (valid for gpt-image-2), hd -> high, style and
    #    response_format go.
    Program(
        "poster_script.py",
        marker="lighthouse",
        error=DALLE3_GONE,
        codes=("DM101", "DM202", "DM204", "DM203"),
        requests=gpt_image_2(1),
        outputs=("banner.png",),
        kept_lines=(
            '    model="gpt-image-2",  # the best model we have access to',
            "    # landscape, to fill the hero section",
            '    size="1792x1024",',
            '    quality="high",',
            "    n=1,",
        ),
    ),
    # 2. `import openai` + openai.images.generate (the module-level client), dall-e-2, 256x256, n=2.
    Program(
        "module_client.py",
        marker="sleepy cat",
        error=DALLE2_GONE,
        codes=("DM101", "DM201", "DM203"),
        requests=gpt_image_2(1),
        outputs=("icon-0.png", "icon-1.png"),
    ),
    # 3. a service class holding self.client = OpenAI(); gpt-image-1, quality="standard".
    Program(
        "thumbnail_service.py",
        marker="thumbnail",
        error=GPT_IMAGE_1_GONE,
        codes=("DM101", "DM202"),
        requests=gpt_image_2(2),
        outputs=("teapot.png", "desk_lamp.png"),
        kept_lines=('            quality="medium",',),
    ),
    # 4. AsyncOpenAI: an awaited call, then asyncio.gather of two calls that are not awaited
    #    themselves (run with asyncio.run).
    Program(
        "async_gallery.py",
        marker="gallery",
        error=DALLE3_GONE,
        codes=("DM101", "DM202", "DM203", "DM101", "DM201", "DM203", "DM101"),
        requests=gpt_image_2(3),
        outputs=("cover.png", "left.png", "right.png"),
    ),
    # 5. `from openai import OpenAI as OAI` (inline client) and `import openai as oa` (module
    #    client); single-quoted strings keep their quotes.
    Program(
        "aliased_imports.py",
        marker="postcard",
        error=DALLE3_GONE,
        codes=("DM101", "DM204", "DM203", "DM101", "DM201", "DM203"),
        requests=gpt_image_2(2),
        outputs=("front.png", "back.png"),
        kept_lines=(
            "    back = oa.images.generate(model='gpt-image-2', prompt='postcard back: stamp with a seagull', "
            "size='1024x1024')",
        ),
    ),
    # 6. client.with_options(timeout=30).images.generate and
    #    client.images.with_raw_response.generate(...).parse().
    Program(
        "options_and_raw.py",
        marker="archipelago",
        error=DALLE3_GONE,
        codes=("DM101", "DM202", "DM203", "DM101", "DM201", "DM203"),
        requests=gpt_image_2(2),
        outputs=("map.png", "compass.png"),
        kept_lines=("    slow = client.with_options(timeout=30).images.generate(",),
        says=("request id: req_emulator_",),
    ),
    # 7. no `model` at all: the API's default (dall-e-2) is gone; fix names the model.
    Program(
        "implicit_model.py",
        marker="bicycle",
        error=DALLE2_GONE,
        codes=("DM103", "DM203"),
        requests=gpt_image_2(1),
        outputs=("bicycle.png",),
        kept_lines=('    model="gpt-image-2",',),
    ),
    # 8. images.edit on gpt-image-2 with input_fidelity (rejected) and 512x512 (too small); the
    #    program writes its own input PNG and uploads it (multipart).
    Program(
        "edit_photo.py",
        marker="hot-air balloon",
        error="The model 'gpt-image-2' does not support the 'input_fidelity' parameter.",
        codes=("DM205", "DM201"),
        requests=gpt_image_2(1, EDIT),
        outputs=("edited.png",),
        kept_lines=('        image=open(path, "rb"),',),
    ),
    # 9. a client created inline inside a function: OpenAI().images.generate(...), an f-string prompt.
    Program(
        "inline_client.py",
        marker="avatar",
        error=DALLE3_GONE,
        codes=("DM101", "DM202"),
        requests=gpt_image_2(2),
        outputs=("ada.png", "grace.png"),
    ),
    # 10. OpenAI next to a look-alike (the user's own class with images.generate(model="dall-e-3")):
    #     only the OpenAI call changes, the look-alike call is kept to the character and never
    #     reported (not even by DM105).
    Program(
        "with_lookalike.py",
        marker="robot chef",
        error=DALLE3_GONE,
        codes=("DM101", "DM203"),
        requests=gpt_image_2(1),
        outputs=("frame.png",),
        kept_lines=('preview = studio.images.generate(model="dall-e-3", prompt="storyboard sketch of a robot chef")',),
        says=("[offline] would ask dall-e-3 for: storyboard sketch of a robot chef",),
    ),
    # 11. something a person must decide: gpt-image-1.5 still works until 2026-12-01, so its move
    #     is an unsafe fix. `fix` repairs the dall-e-3 call, leaves exactly one DM102 (exit 1),
    #     and the program runs.
    Program(
        "deprecated_pending.py",
        marker="nightly",
        error=DALLE3_GONE,
        codes=("DM101", "DM203", "DM102"),
        requests=gpt_image_2(1) + ((GENERATE, "gpt-image-1.5"),),
        outputs=("hero.png", "sticker.png"),
        remaining=("DM102",),
        kept_lines=(
            '    sticker = client.images.generate(model="gpt-image-1.5", prompt="nightly sticker: a smiling comet", '
            'quality="low", background="transparent")',
        ),
    ),
    # 12. the client lives in a base class (`self.client = OpenAI()` in OpenAIService.__init__) and
    #     a subclass calls self.client.images.generate with no model: traced through the base class.
    Program(
        "inherited_client.py",
        marker="newsletter",
        error=DALLE2_GONE,
        codes=("DM103",),
        requests=gpt_image_2(1),
        outputs=("week-47.png",),
        kept_lines=('            model="gpt-image-2",',),
    ),
]


def _params(bug_shows: bool = True) -> List[object]:
    """One param per program; a program's known bug is a strict xfail where it shows."""
    return [
        pytest.param(p, id=p.id, marks=[pytest.mark.xfail(strict=True, reason=p.bug)] if p.bug and bug_shows else [])
        for p in PROGRAMS
    ]


# -- running things ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    args: Tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def explain(self) -> str:
        return f"$ {' '.join(self.args)}\nexit {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def _run(args: Sequence[str], cwd: Path, env: Dict[str, str]) -> Run:
    proc = subprocess.run(
        list(args), cwd=str(cwd), env=env, capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT
    )
    return Run(tuple(args), proc.returncode, proc.stdout, proc.stderr)


def _clean_env() -> Dict[str, str]:
    """The test's environment without the developer's OpenAI settings, and no proxy for loopback."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("OPENAI_", "AZURE_OPENAI"))}
    no_proxy = ",".join(filter(None, [env.get("NO_PROXY") or env.get("no_proxy"), "127.0.0.1", "localhost"]))
    env.update(NO_PROXY=no_proxy, no_proxy=no_proxy, PYTHONIOENCODING="utf-8")
    return env


def _program_env(base_url: str, out_dir: Path) -> Dict[str, str]:
    env = _clean_env()
    env.update(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="test-key", IMAGE_OUT_DIR=str(out_dir))
    return env


def _cli(*args: str, cwd: Path) -> Run:
    return _run([sys.executable, "-m", "dalle_migrate", *args, "--today", TODAY], cwd, _clean_env())


def _findings(run: Run) -> Dict[str, List[dict]]:
    """`--format json` output, by file name."""
    by_file: Dict[str, List[dict]] = collections.defaultdict(list)
    for item in json.loads(run.stdout or "[]"):
        by_file[item["filename"]].append(item)
    return by_file


def _in_parallel(jobs: Dict[str, Callable[[], Run]]) -> Dict[str, Run]:
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {key: pool.submit(job) for key, job in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


@dataclass
class E2E:
    """Everything the programs and the CLI did, recorded once for the module."""

    before_dir: Path  # unfixed copies
    after_dir: Path  # fixed by the first `fix`
    again_dir: Path  # copies of the fixed files, fixed a second time
    out_dirs: Dict[Tuple[str, str], Path]  # (phase, program id) -> IMAGE_OUT_DIR
    before: Dict[str, Run] = field(default_factory=dict)  # program name -> run of the unfixed program
    after: Dict[str, Run] = field(default_factory=dict)  # program name -> run of the fixed program
    check: Optional[Run] = None
    fix: Dict[str, Run] = field(default_factory=dict)  # "clean" / "remaining" group -> fix run
    fix_again: Optional[Run] = None
    before_log: List[LoggedRequest] = field(default_factory=list)
    after_log: List[LoggedRequest] = field(default_factory=list)

    def requests(self, phase: str, program: Program) -> List[LoggedRequest]:
        log = self.before_log if phase == "before" else self.after_log
        return [entry for entry in log if program.marker in str(entry.params.get("prompt", ""))]


def _group(program: Program) -> str:
    """Programs `fix` must leave clean are fixed together (exit 0), the others apart (exit 1)."""
    return "remaining" if program.left else "clean"


@pytest.fixture(scope="module")
def e2e(images_api: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> E2E:
    root = tmp_path_factory.mktemp("e2e")
    run = E2E(root / "before", root / "after", root / "again", {})
    for folder in (run.before_dir, run.after_dir):
        folder.mkdir()
        for program in PROGRAMS:
            shutil.copyfile(PROGRAMS_DIR / program.name, folder / program.name)
    for phase in ("before", "after"):
        for program in PROGRAMS:
            out = root / "out" / phase / program.id
            out.mkdir(parents=True)
            run.out_dirs[(phase, program.id)] = out

    def program_job(phase: str, folder: Path, program: Program) -> Callable[[], Run]:
        out = run.out_dirs[(phase, program.id)]
        env = _program_env(images_api.base_url, out)
        return lambda: _run([sys.executable, str(folder / program.name)], out, env)

    # Phase 1: the unfixed programs, `check` on them, and `fix` on the other copies, all at once.
    jobs: Dict[str, Callable[[], Run]] = {
        "check": lambda: _cli("check", "--format", "json", *(p.name for p in PROGRAMS), cwd=run.before_dir),
    }
    for group in ("clean", "remaining"):
        names = [p.name for p in PROGRAMS if _group(p) == group]
        if names:  # (no paths would mean ".")
            jobs[f"fix:{group}"] = lambda names=names: _cli("fix", "--format", "json", *names, cwd=run.after_dir)
    for program in PROGRAMS:
        jobs[program.name] = program_job("before", run.before_dir, program)
    images_api.api.log.clear()
    results = _in_parallel(jobs)
    run.before_log = list(images_api.api.log)
    run.check = results.pop("check")
    run.fix = {key.split(":", 1)[1]: results.pop(key) for key in list(results) if key.startswith("fix:")}
    run.before = results

    # Phase 2: the fixed programs, and a second `fix` on copies of the fixed files.
    shutil.copytree(run.after_dir, run.again_dir)
    jobs = {"fix-again": lambda: _cli("fix", "--format", "json", *(p.name for p in PROGRAMS), cwd=run.again_dir)}
    for program in PROGRAMS:
        jobs[program.name] = program_job("after", run.after_dir, program)
    images_api.api.log.clear()
    results = _in_parallel(jobs)
    run.after_log = list(images_api.api.log)
    images_api.api.log.clear()
    run.fix_again = results.pop("fix-again")
    run.after = results
    return run


def _log_lines(entries: Sequence[LoggedRequest]) -> str:
    return "\n".join(entry.line() for entry in entries) or "(no requests)"


# -- the programs as written ---------------------------------------------------------------------
def test_programs_are_listed() -> None:
    """Every file under e2e/programs is exercised, and the prompt markers tell programs apart."""
    assert sorted(p.name for p in PROGRAMS) == sorted(f.name for f in PROGRAMS_DIR.glob("*.py"))
    for program in PROGRAMS:
        for other in PROGRAMS:
            text = (PROGRAMS_DIR / other.name).read_text(encoding="utf-8")
            assert (program.marker in text) == (other is program), (program.marker, other.name)


@pytest.mark.parametrize("program", _params(bug_shows=False))
def test_unfixed_program_fails(e2e: E2E, program: Program) -> None:
    result = e2e.before[program.name]
    assert result.returncode != 0, result.explain()
    assert program.error in result.stderr, result.explain()
    sent = e2e.requests("before", program)
    assert sent, f"{program.name} sent no request\n{result.explain()}"
    assert all(entry.status == 400 and not entry.ok for entry in sent), _log_lines(sent)
    assert sent[0].error == program.error, _log_lines(sent)
    written = {p.name for p in e2e.out_dirs[("before", program.id)].iterdir()}
    assert not written & set(program.outputs)


@pytest.mark.parametrize("program", _params())
def test_check_reports_rule_codes(e2e: E2E, program: Program) -> None:
    assert e2e.check is not None
    assert e2e.check.returncode == 1, e2e.check.explain()
    reported = _findings(e2e.check)[program.name]
    codes = collections.Counter(item["code"] for item in reported)
    missing = collections.Counter(expected(program.codes)) - codes
    assert not missing, f"{program.name}: expected {sorted(expected(program.codes))}, got {sorted(codes.elements())}"
    for item in reported:
        assert item["location"]["row"] >= 1 and item["location"]["column"] >= 1, item


# -- fix --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("program", _params())
def test_fix_leaves_only_what_a_person_must_decide(e2e: E2E, program: Program) -> None:
    fix = e2e.fix[_group(program)]
    assert fix.returncode == (1 if program.left else 0), fix.explain()
    left = sorted(item["code"] for item in _findings(fix)[program.name])
    assert left == sorted(program.left), fix.explain()
    fixed = (e2e.after_dir / program.name).read_text(encoding="utf-8")
    assert fixed != (PROGRAMS_DIR / program.name).read_text(encoding="utf-8")
    lines = fixed.splitlines()
    for line in program.kept_lines:
        assert line in lines, f"{program.name}: missing line {line!r} after fix:\n{fixed}"
    compile(fixed, program.name, "exec")


@pytest.mark.parametrize("program", _params())
def test_fixed_program_runs(e2e: E2E, program: Program) -> None:
    result = e2e.after[program.name]
    sent = e2e.requests("after", program)
    assert result.returncode == 0, f"{result.explain()}\n--- requests\n{_log_lines(sent)}"
    assert "Traceback" not in result.stderr, result.explain()
    out_dir = e2e.out_dirs[("after", program.id)]
    for name in program.outputs:
        path = out_dir / name
        assert path.is_file(), f"{name} not written\n{result.explain()}"
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR", f"{name} is not a PNG"
        reported = re.compile(rf"{re.escape(name)}\D*\b{len(data)}\b")
        assert any(reported.search(line) for line in result.stdout.splitlines()), (
            f"{name} ({len(data)} bytes) not reported\n{result.explain()}"
        )
    for text in program.says:
        assert text in result.stdout, result.explain()
    # Every request the fixed program sent was accepted, on the expected endpoints and models.
    assert all(entry.status == 200 and entry.ok for entry in sent), _log_lines(sent)
    assert collections.Counter((e.path, e.model) for e in sent) == collections.Counter(program.requests), (
        _log_lines(sent)
    )


@pytest.mark.parametrize("program", _params(bug_shows=False))
def test_fix_is_idempotent(e2e: E2E, program: Program) -> None:
    assert e2e.fix_again is not None
    assert e2e.fix_again.returncode == (1 if any(p.left for p in PROGRAMS) else 0), e2e.fix_again.explain()
    assert (e2e.again_dir / program.name).read_bytes() == (e2e.after_dir / program.name).read_bytes()
    left = sorted(item["code"] for item in _findings(e2e.fix_again)[program.name])
    assert left == sorted(program.left), e2e.fix_again.explain()


def test_every_request_after_the_fix_was_accepted(e2e: E2E) -> None:
    """The whole log of the second phase: all 200, each request belongs to exactly one program.

    Programs with a known bug are left out here; their own test_fixed_program_runs is an xfail.
    """
    working = [p for p in PROGRAMS if not p.bug]
    checked = 0
    for entry in e2e.after_log:
        prompt = str(entry.params.get("prompt", ""))
        owners = [p for p in PROGRAMS if p.marker in prompt]
        assert len(owners) == 1, entry.line()
        if owners[0].bug:
            continue
        checked += 1
        assert entry.status == 200 and entry.ok, entry.line()
    assert checked == sum(len(p.requests) for p in working), _log_lines(e2e.after_log)
