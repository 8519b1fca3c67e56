#!/usr/bin/env python3
"""Fuzz dalle-migrate's check and fix for a set time (issue 7).

    python fuzz/fuzz_fix.py --seconds 300

Two engines, alternating (``--mode`` picks one):

- ``mutate``: takes the project's own Python inputs (fixtures, the rules' examples, the
  end-to-end programs, the kept regressions) and mutates them: lines deleted, duplicated,
  swapped, moved or split with a backslash; tokens, comments, arguments and non-ASCII text
  inserted; quotes and string prefixes changed; model ids, sizes and qualities swapped; tabs;
  CRLF or mixed line endings; lines spliced in from another input. Each input is checked
  against the invariants of ``fuzz/invariants.py`` (no crash, a file that does not parse is a
  DM900 finding and stays untouched, the output parses, a second fix changes nothing, fix
  converges, line endings and comments survive, no rejected literal value is left unreported).
- ``generate``: draws whole modules from the hypothesis strategies of
  ``tests/test_properties.py`` with fresh seeds, and checks every property of that file
  (which also knows which lines may change).

Each new kind of failure (by invariant and, for crashes, by where the tool failed) is minimized
(``fuzz/minimize.py``) and written to ``fixtures/regressions/<hash>.py`` with a ``<hash>.txt``
beside it that says what went wrong; ``tests/test_regressions.py`` runs them all. Inputs that
fail like an already kept fixture are counted, not written again.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))
if (ROOT / "src").is_dir():
    sys.path.insert(0, str(ROOT / "src"))

import invariants as inv  # noqa: E402
from minimize import minimize  # noqa: E402

REGRESSIONS = ROOT / "fixtures" / "regressions"


# -- the corpus -----------------------------------------------------------------------------------


def corpus() -> List[str]:
    texts: List[str] = []
    for pattern in ("fixtures/DM*/*.py", "fixtures/regressions/*.py", "tests/e2e/programs/*.py"):
        for path in sorted(ROOT.glob(pattern)):
            try:
                texts.append(inv.read_source(path))
            except Exception:  # noqa: BLE001 - an undecodable fixture is not a seed
                continue
    from dalle_migrate.rules import ALL_RULES

    for rule in ALL_RULES:
        for example in list(rule.VALID) + list(rule.INVALID):
            code = example if isinstance(example, str) else getattr(example, "code", "")
            if not isinstance(example, str) and not getattr(example, "filename", "x.py").endswith(".py"):
                continue  # configuration files and notebooks
            texts.append(textwrap.dedent(code).lstrip("\n"))
    return [t for t in texts if t.strip()]


# -- mutations ------------------------------------------------------------------------------------

MODELS = ["dall-e-2", "dall-e-3", "gpt-image-1", "gpt-image-1.5", "gpt-image-1-mini", "chatgpt-image-latest", "gpt-image-2", "gpt-image-2.5-flare", "my-model"]
SIZES = ["256x256", "512x512", "1024x1024", "1792x1024", "1920x1080", "auto", "huge", "0x0", "1024X1024", " 1024x1024"]
QUALITIES = ["standard", "hd", "high", "auto", "ultra", "low"]
TOKENS = [
    ",", "(", ")", "[", "]", "{", "}", ":", ";", "=", ":=", "**kw", "*args", "await ", "lambda: ", "\\\n", "\t", " ", "\n",
    "#", "# noqa", "# noqa: DM101", '"', "'", '"""', "f'{x}'", 'b"x"', "é", "☃", "\u00a0", "\x0c", "\r",
    'model="dall-e-3"', "model=None", 'style="vivid"', 'response_format="url"', 'size="256x256"', 'quality="hd"',
    'input_fidelity="high"', "n=12", 'prompt="x"', "image=open('a.png', 'rb')", ".with_raw_response", ".with_streaming_response",
    ".with_options(timeout=1)", "images.", "openai.", "OpenAI()", "AsyncOpenAI()", ".data[0].url", '["data"][0]["url"]',
    "async ", "yield ", "return ", "global x; ", "del x; ", "if x:\n    ", "match x:\n    case 1:\n        ",
]
COMMENT_TEXTS = ["note", "noqa", "noqa: DM203", "dall-e-3 style='vivid'", "ünïcödé ☃", "type: ignore", "", "(", "\\"]


def _lines(text: str) -> List[str]:
    return text.splitlines(keepends=True) or [""]


def mutate(text: str, rng: random.Random, others: Sequence[str]) -> str:
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        text = rng.choice(MUTATIONS)(text, rng, others)
    return text


def m_delete_line(text, rng, others):
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "".join(lines)


def m_duplicate_line(text, rng, others):
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i] if lines[i].endswith(("\n", "\r")) else lines[i] + "\n")
    return "".join(lines)


def m_swap_lines(text, rng, others):
    lines = _lines(text)
    if len(lines) < 2:
        return text
    i = rng.randrange(len(lines) - 1)
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    return "".join(lines)


def m_move_line(text, rng, others):
    lines = _lines(text)
    line = lines.pop(rng.randrange(len(lines)))
    lines.insert(rng.randrange(len(lines) + 1), line)
    return "".join(lines)


def m_insert_token(text, rng, others):
    i = rng.randrange(len(text) + 1)
    return text[:i] + rng.choice(TOKENS) + text[i:]


def m_insert_argument(text, rng, others):
    """An argument right after an opening parenthesis or a comma: mostly still valid code."""
    spots = [m.end() for m in re.finditer(r"[(,]", text)]
    if not spots:
        return text
    i = rng.choice(spots)
    arg = rng.choice([t for t in TOKENS if "=" in t and not t.startswith(":")] + ["\n    " + rng.choice(TOKENS[24:36])])
    sep = rng.choice([" ", "\n    ", "  # c\n    ", "\t"])
    return text[:i] + sep + arg + rng.choice([",", ",", ""]) + text[i:]


def m_change_quotes(text, rng, others):
    strings = list(re.finditer(r"(?<![\w\"'])([rRuUbBfF]?)(\"|')([^\"'\\\n]*)\2", text))
    if not strings:
        return text
    m = rng.choice(strings)
    prefix, quote, body = m.groups()
    form = rng.choice(["swap", "triple", "prefix", "concat", "paren"])
    if form == "swap":
        new = prefix + ("'" if quote == '"' else '"') + body + ("'" if quote == '"' else '"')
    elif form == "triple":
        new = prefix + quote * 3 + body + quote * 3
    elif form == "prefix":
        new = rng.choice(["r", "u", "b", "f", "R", "rb", "Rb", "fr"]) + quote + body + quote
    elif form == "concat" and len(body) > 1:
        cut = rng.randrange(1, len(body))
        new = f"{prefix}{quote}{body[:cut]}{quote} {prefix}{quote}{body[cut:]}{quote}"
    else:
        new = f"({prefix}{quote}{body}{quote})"
    return text[: m.start()] + new + text[m.end() :]


def m_insert_comment(text, rng, others):
    lines = _lines(text)
    i = rng.randrange(len(lines))
    comment = "# " + rng.choice(COMMENT_TEXTS)
    line = lines[i]
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    if rng.random() < 0.5:
        lines[i] = body + "  " + comment + ending
    else:
        indent = re.match(r"[ \t]*", body).group(0)
        lines.insert(i, indent + comment + (ending or "\n"))
    return "".join(lines)


def m_crlf(text, rng, others):
    choice = rng.choice(["crlf", "crlf", "mixed", "cr", "lf"])
    lf = text.replace("\r\n", "\n").replace("\r", "\n")
    if choice == "crlf":
        return lf.replace("\n", "\r\n")
    if choice == "cr":
        return lf.replace("\n", "\r")
    if choice == "lf":
        return lf
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines[i] = lines[i].rstrip("\r\n") + rng.choice(["\r\n", "\n", "\r"])
    return "".join(lines)


def m_tabs(text, rng, others):
    unit = rng.choice(["    ", "  "])
    return re.sub(r"(?m)^((?:" + unit + ")+)", lambda m: "\t" * (len(m.group(1)) // len(unit)), text)


def m_splice(text, rng, others):
    other = _lines(rng.choice(others))
    start = rng.randrange(len(other))
    chunk = other[start : start + rng.randint(1, 6)]
    lines = _lines(text)
    i = rng.randrange(len(lines) + 1)
    return "".join(lines[:i] + chunk + lines[i:])


def m_backslash(text, rng, others):
    lines = _lines(text)
    i = rng.randrange(len(lines))
    spaces = [m.start() for m in re.finditer(r" ", lines[i])]
    if not spaces:
        return text
    j = rng.choice(spaces)
    indent = re.match(r"[ \t]*", lines[i]).group(0)
    lines[i] = lines[i][:j] + " \\\n" + indent + "    " + lines[i][j + 1 :]
    return "".join(lines)


def m_break_arguments(text, rng, others):
    lines = _lines(text)
    i = rng.randrange(len(lines))
    indent = re.match(r"[ \t]*", lines[i]).group(0)
    sep = rng.choice([",\n" + indent + "    ", ",  # c\n" + indent + "    ", "\n" + indent + "    , ", ",\n\n" + indent + "  "])
    lines[i] = lines[i].replace(", ", sep, rng.randint(1, 3))
    return "".join(lines)


def m_values(text, rng, others):
    pool = rng.choice([MODELS, SIZES, QUALITIES])
    candidates = [m for m in re.finditer("|".join(re.escape(v.strip()) for v in MODELS + SIZES + QUALITIES), text)]
    if not candidates:
        return text
    m = rng.choice(candidates)
    return text[: m.start()] + rng.choice(pool) + text[m.end() :]


def m_non_ascii(text, rng, others):
    strings = [m.end() - 1 for m in re.finditer(r"\"[^\"\n]*\"", text)]
    if not strings:
        return text
    i = rng.choice(strings)
    return text[:i] + rng.choice(["é", "☃", "日本", "🦊", "\u200b", "שלום", "\\u00e9", "\\n"]) + text[i:]


def m_indent_block(text, rng, others):
    """Wrap a run of lines in a block: def, async def, class, if, with, match/case, try."""
    lines = _lines(text)
    if not lines:
        return text
    start = rng.randrange(len(lines))
    end = min(len(lines), start + rng.randint(1, 8))
    header = rng.choice(["def wrapped():\n", "async def wrapped():\n", "class Wrapped:\n", "if True:\n", "with ctx() as c:\n", "try:\n", "match x:\n    case _:\n"])
    pad = "    " if "case" not in header else "        "
    body = [pad + l if l.strip() else l for l in lines[start:end]]
    tail = ["except Exception:\n    pass\n"] if header == "try:\n" else []
    if body and not body[-1].endswith(("\n", "\r")):
        body[-1] += "\n"
    return "".join(lines[:start] + [header] + body + tail + lines[end:])


MUTATIONS: List[Callable] = [
    m_delete_line, m_duplicate_line, m_swap_lines, m_move_line, m_insert_token, m_insert_argument, m_insert_argument,
    m_change_quotes, m_change_quotes, m_insert_comment, m_insert_comment, m_crlf, m_tabs, m_splice, m_backslash,
    m_break_arguments, m_break_arguments, m_values, m_values, m_non_ascii, m_indent_block,
]


# -- failures -------------------------------------------------------------------------------------


@dataclass
class Failure:
    text: str
    unsafe: bool
    kind: str
    detail: str
    signature: str
    origin: str  # mutate | generate:<property>


_NUMBERS = re.compile(r"\d+")


def signature(v: inv.Violation, r: Optional[inv.Run] = None) -> str:
    """What makes two failures the same bug, roughly: the invariant, and for a crash the
    exception and the place in dalle_migrate that raised it (or the rule whose fix broke the
    code); numbers, positions and quoted values are left out."""
    detail = v.detail
    if v.kind == "crash" and r is not None and r.crash:
        frames = re.findall(r'File "[^"]*dalle_migrate/([^"]+)", line \d+, in (\w+)', r.crash)
        where = f"{frames[-1][0]}:{frames[-1][1]}" if frames else "?"
        exc = r.crash_summary.split(":")[0]
        if "does not parse" in r.crash:
            codes = breaking_fixes(r.text, r.unsafe)
            return f"crash:{exc}:{where}:fix-breaks:{','.join(codes) or '?'}"
        return f"crash:{exc}:{where}"
    if v.kind == "literal-call":
        detail = re.sub(r"'[^']*'|\"[^\"]*\"|\[[^\]]*\]", "<v>", detail)
        detail = re.sub(r"\(remaining: .*\)", "", detail)
        detail = re.sub(r"^line \d+: ", "", detail)
        detail = re.sub(r"gpt-image-[\w.-]+|dall-e-\d|chatgpt-image-latest", "<model>", detail)
    elif v.kind == "comment-lost":
        detail = ""
    elif v.kind == "not-converged":
        detail = ",".join(sorted(set(re.findall(r"DM\d+", detail))))
    return f"{v.kind}:{_NUMBERS.sub('N', detail)}"


def breaking_fixes(text: str, unsafe: bool) -> List[str]:
    """The rule codes whose fix, applied alone in the round where fix breaks the code, makes
    the text unparsable: the rule to blame for an InternalError."""
    from dalle_migrate.engine import Selection, check_text
    from dalle_migrate.findings import apply_fixes

    settings = inv.tool_settings(unsafe)
    newline = inv.newline_of(text)
    for _ in range(10):
        try:
            findings = check_text(text, settings, Selection(), newline=newline).findings
        except Exception:  # noqa: BLE001
            return []
        fixable = [f for f in findings if f.fix is not None and f.fix.applies(unsafe)]
        if not fixable:
            return []
        new_text, applied = apply_fixes(text, [f.fix for f in fixable])
        if inv.libcst_parses(new_text):
            if not applied or new_text == text:
                return []
            text = new_text
            continue
        codes = sorted({f.code for f in fixable if not inv.libcst_parses(apply_fixes(text, [f.fix])[0])})
        return codes or ["combination:" + "+".join(sorted({f.code for f in fixable}))]
    return []


def check_mutant(text: str, unsafe: bool) -> List[Tuple[inv.Violation, inv.Run]]:
    r = inv.run(text, unsafe)
    return [(v, r) for v in inv.violations(r)]


def known_signatures() -> Dict[str, str]:
    """Signatures of the failures the kept regression fixtures show, or showed when they were
    kept (the ``signature:`` line of their note: a property failure cannot be replayed without
    the generator's record of which lines are calls)."""
    known: Dict[str, str] = {}
    for note in sorted(REGRESSIONS.glob("*.txt")):
        for line in note.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("signature: "):
                known.setdefault(line[len("signature: ") :], note.with_suffix(".py").name)
    for path in sorted(REGRESSIONS.glob("*.py")):
        text = inv.read_source(path)
        for unsafe in (False, True):
            r = inv.run(text, unsafe)
            for v in inv.violations(r):
                known.setdefault(signature(v, r), path.name)
    return known


def save(failure: Failure, minimize_seconds: float) -> Path:
    text = failure.text
    if failure.origin.startswith("shapes:project"):  # a project: kept as its files, not shrunk
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        folder = REGRESSIONS / "projects"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{digest}.txt"
        path.write_text(f"found by: fuzz/fuzz_fix.py ({failure.origin}), {time.strftime('%Y-%m-%d')}\n"
                        f"mode: {'--unsafe-fixes' if failure.unsafe else 'safe fixes'}\ninvariant: {failure.kind}\n"
                        f"signature: {failure.signature}\ndetail: {failure.detail}\n\n{text}", encoding="utf-8")
        return path
    if minimize_seconds > 0 and failure.kind != "property":

        def still_fails(candidate: str) -> bool:
            r = inv.run(candidate, failure.unsafe)
            return any(signature(v, r) == failure.signature for v in inv.violations(r))

        try:
            if still_fails(text):
                text = minimize(text, still_fails, minimize_seconds)
        except Exception:  # noqa: BLE001 - keep the unminimized input
            pass
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    path = REGRESSIONS / f"{digest}.py"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    mode = "--unsafe-fixes" if failure.unsafe else "safe fixes"
    (REGRESSIONS / f"{digest}.txt").write_text(
        f"found by: fuzz/fuzz_fix.py ({failure.origin}), {time.strftime('%Y-%m-%d')}\n"
        f"mode: {mode}\n"
        f"invariant: {failure.kind}\n"
        f"signature: {failure.signature}\n"
        f"detail: {failure.detail}\n",
        encoding="utf-8",
    )
    return path


# -- the engines ------------------------------------------------------------------------------------


def mutate_batch(rng: random.Random, seeds: Sequence[str], count: int) -> Tuple[int, List[Failure]]:
    failures: List[Failure] = []
    for _ in range(count):
        text = mutate(rng.choice(seeds), rng, seeds)
        unsafe = rng.random() < 0.4
        for v, r in check_mutant(text, unsafe):
            failures.append(Failure(text, unsafe, v.kind, v.detail, signature(v, r), "mutate"))
    return count, failures


def generate_batch(rng: random.Random, count: int) -> Tuple[int, List[Failure]]:
    """``count`` modules from the hypothesis strategies, every property checked."""
    import warnings

    from hypothesis import HealthCheck, Phase, given, seed, settings, strategies as st

    import test_properties as tp

    failures: List[Failure] = []
    ran = [0]

    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @seed(rng.randrange(2**32))
    @given(module=tp.modules(), unsafe=st.booleans())
    def explore(module, unsafe):
        ran[0] += 1
        r = inv.run(module.text, unsafe, newline=module.newline)
        for v in inv.violations(r, roots=None):
            failures.append(Failure(module.text, unsafe, v.kind, v.detail, signature(v, r), "generate"))
        if r.crash is not None:
            return
        for prop in tp.PROPERTIES:
            try:
                prop(module, unsafe)
            except AssertionError as exc:
                detail = str(exc).splitlines()[0] if str(exc) else prop.__name__
                failures.append(Failure(module.text, unsafe, "property", f"{prop.__name__}: {detail}", f"property:{prop.__name__}:{_NUMBERS.sub('N', detail)[:80]}", f"generate:{prop.__name__}"))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        explore()
    return ran[0], failures


def shapes_batch(rng: random.Random, count: int) -> Tuple[int, List[Failure]]:
    """``count`` generated shapes of request-building code (``shapes.py``): single modules
    against the invariants, and small projects through the command line."""
    import shapes

    failures: List[Failure] = []
    for _ in range(count):
        unsafe = rng.random() < 0.4
        if rng.random() < 0.6:
            text = shapes.module(rng)
            for v, r in check_mutant(text, unsafe):
                failures.append(Failure(text, unsafe, v.kind, v.detail, signature(v, r), "shapes"))
            continue
        files = shapes.project(rng)
        problem = check_project(files, unsafe)
        if problem is not None:
            kind, detail = problem
            bundle = "".join(f"# --- {name}\n{text}\n" for name, text in sorted(files.items()))
            failures.append(Failure(bundle, unsafe, kind, detail, f"{kind}:{_NUMBERS.sub('N', detail)[:80]}", "shapes:project"))
    return count, failures


def check_project(files: Dict[str, str], unsafe: bool) -> Optional[Tuple[str, str]]:
    """Fix a project through the command line: (invariant, detail) of the first thing wrong, or
    None. No internal error, every Python file parses after, a second fix changes nothing."""
    import ast
    import os
    import tempfile

    from click.testing import CliRunner

    from dalle_migrate.cli import main

    with tempfile.TemporaryDirectory(prefix="dalle-migrate-fuzz-") as folder:
        for name, text in files.items():
            with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
                handle.write(text)
        args = ["fix", folder, "--isolated", "--no-progress", "--jobs", "1", "--today", "2026-11-25"] + (["--unsafe-fixes"] if unsafe else [])
        first = CliRunner().invoke(main, args)
        if first.exception is not None and not isinstance(first.exception, SystemExit):
            return "project-crash", f"{type(first.exception).__name__}: {first.exception}"
        if first.exit_code == 2:
            return "project-internal-error", first.output.strip().splitlines()[-1][:300] if first.output.strip() else "exit 2"
        after = {}
        for name in files:
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as handle:
                after[name] = handle.read()
            if name.endswith(".py"):
                try:
                    ast.parse(after[name])
                except SyntaxError as exc:
                    return "project-output-unparsable", f"{name}: {exc}"
        CliRunner().invoke(main, args)
        for name in files:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                if handle.read() != after[name]:
                    return "project-not-idempotent", name
    return None


def explore(mode: str, worker_seed: int, seconds: float, seeds: Sequence[str], verbose: bool = False) -> Tuple[int, List[Failure]]:
    """Run the engines for ``seconds``; the failures, one per signature (the shortest input)."""
    rng = random.Random(worker_seed)
    deadline = time.monotonic() + seconds
    tried = 0
    found: Dict[str, Failure] = {}
    counts: Dict[str, int] = {}
    turn = 0
    while time.monotonic() < deadline:
        engine = mode if mode != "both" else ("mutate", "generate", "mutate", "shapes")[turn % 4]
        turn += 1
        if engine == "mutate":
            ran, failures = mutate_batch(rng, seeds, 10)
        elif engine == "shapes":
            ran, failures = shapes_batch(rng, 5)
        else:
            ran, failures = generate_batch(rng, 5)
        tried += ran
        for failure in failures:
            counts[failure.signature] = counts.get(failure.signature, 0) + 1
            kept = found.get(failure.signature)
            if kept is None or len(failure.text) < len(kept.text):
                found[failure.signature] = failure
            if verbose:
                print(f"  [{worker_seed}] {failure.signature} ({'unsafe' if failure.unsafe else 'safe'})", flush=True)
    for sig, failure in found.items():
        failure.origin += f" x{counts[sig]}"
    return tried, list(found.values())


def _explore_star(args):
    return explore(*args)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="how long to fuzz (default 60)")
    parser.add_argument("--mode", choices=["both", "mutate", "generate", "shapes"], default="both")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a new one, printed)")
    parser.add_argument("--minimize-seconds", type=float, default=60, help="time to shrink each new failure (0: keep as found)")
    parser.add_argument("--no-save", action="store_true", help="report failures, write no fixture")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="processes fuzzing side by side (default 1)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every failure as it is found")
    args = parser.parse_args(argv)

    master = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(master)
    print(f"fuzz_fix: seed {master}, {args.seconds:.0f}s, mode {args.mode}", flush=True)
    seeds = corpus()
    known = known_signatures()
    print(f"corpus: {len(seeds)} inputs; {len(known)} kinds of failure already kept in {REGRESSIONS.relative_to(ROOT)}", flush=True)

    start = time.monotonic()
    worker_seeds = [rng.randrange(2**32) for _ in range(max(1, args.jobs))]
    if args.jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
            results = pool.map(_explore_star, [(args.mode, s, args.seconds, seeds, args.verbose) for s in worker_seeds])
    else:
        results = [explore(args.mode, worker_seeds[0], args.seconds, seeds, args.verbose)]
    elapsed = time.monotonic() - start
    tried = sum(r[0] for r in results)
    per_kind: Dict[str, List[Failure]] = {}
    for _, failures in results:
        for failure in failures:
            per_kind.setdefault(failure.signature, []).append(failure)
    print(f"done: {tried} inputs in {elapsed:.0f}s ({tried / max(elapsed, 1e-9):.1f}/s) on {args.jobs} process(es); seed {master}", flush=True)
    new: List[Path] = []
    for sig, failures in sorted(per_kind.items()):
        failure = min(failures, key=lambda f: len(f.text))
        where = known.get(sig)
        print(f"  {sig}  [{where or 'NEW'}]  ({failure.origin})", flush=True)
        if where is not None:
            continue
        print(f"    {failure.detail[:300]}", flush=True)
        if not args.no_save:
            path = save(failure, args.minimize_seconds)
            known[sig] = path.name
            new.append(path)
            print(f"    kept as {path.relative_to(ROOT)}", flush=True)
    if not per_kind:
        print("  no failure")
    if new:
        print(f"{len(new)} new regression fixture(s); run: python -m pytest tests/test_regressions.py")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
