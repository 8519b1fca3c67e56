"""Benchmark: dalle-migrate against grep and ruff on large trees, and fix against a bare LibCST
pass on a tree full of image calls. Not a test: it prints medians and ratios.

    python bench/run.py [--rounds 7] [--django 5.2.19] [--litellm 1.110.2]
                        [--modules 1400 --notebooks 2800] [--tree DIR ...] [--hit-files 300]
                        [--repo URL@COMMIT ...] [--no-course-repo] [--single-files 6]

1. Prepares, once, into bench/.cache: the Django sdist (no file names openai), the litellm wheel
   (a third of its files name openai for chat, embeddings and agents; a few call the image API)
   and a generated course tree (modules and notebooks naming openai for chat, markdown about
   DALL-E 3, outputs holding base64 images, one file in fifty calling the image API on a retired
   model); `--tree DIR` adds any local tree. On each, interleaved in one run so that machine
   noise hits all alike, it times:
     - `dalle-migrate check` (no cache exists to help it);
     - `grep -rlE` with the same byte needles as dalle-migrate's first proof;
     - `ruff check --select F401 --no-cache` (one rule; notebooks included), if ruff is installed.
   A real course repository (ed-donner/llm_engineering, pinned by commit: `COURSE_REPO`) is
   cloned into the cache too (`--repo URL@COMMIT` adds others, a local path as URL included);
   without network it is left out, and says so.
2. One file given, as a pre-commit hook gives the staged one (`--single-files N`): the N largest
   modules of the litellm wheel, its modules calling the image API, and the modules with an
   image call of the other trees; each timed as a hook runs it again and again (the cache of the
   former runs there: `.dalle_migrate_cache/`), as it was and just edited (a comment appended,
   put back after), and without the cache (`--no-cache`), beside `check` of its whole tree in the
   same state (as it was, just after the same edit, without the cache). Then the real
   `pre-commit` runs the check hook on one staged file of a git copy of the litellm wheel.
3. Generates a hit-heavy tree (files full of image calls on retired models) and times
   `dalle-migrate fix` on a fresh copy against a bare LibCST parse-and-codegen of the same files.
Peak memory (max RSS of the child) is reported for dalle-migrate.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from typing import Tuple
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
TODAY = ["--today", "2026-11-25"]
# The real course repository of issue 21 (1,455 .py files and 3,109 notebooks at this commit).
COURSE_REPO = "https://github.com/ed-donner/llm_engineering@109b683e7ba36af7ce9271f6a4d661e9a3e9d1fd"


def django_tree(version: str) -> Path:
    target = CACHE / f"django-{version}"
    if target.is_dir():
        return target
    CACHE.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", f"django=={version}", "-d", str(CACHE), "-q"],
        check=True,
    )
    archive = next(CACHE.glob(f"[Dd]jango-{version}.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(CACHE)  # noqa: S202 - PyPI's own sdist, into our cache folder
    extracted = next(p for p in CACHE.iterdir() if p.is_dir() and p.name.lower() == f"django-{version}")
    if extracted != target:
        extracted.rename(target)
    return target


def litellm_tree(version: str) -> Path:
    """The litellm wheel from PyPI, unpacked: a tree where most files name `openai` for chat,
    embeddings and agents, and a few call the image API."""
    target = CACHE / f"litellm-{version}"
    if target.is_dir():
        (target / "pyproject.toml").touch()
        return target
    CACHE.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", f"litellm=={version}", "-d", str(CACHE), "-q"], check=True)
    wheel = next(CACHE.glob(f"litellm-{version}-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)  # PyPI's own wheel, into our cache folder
    # A project of its own, as a checkout of it is (else this repository, above bench/.cache,
    # would be its project, and the project layer would read Django's files too).
    (target / "pyproject.toml").touch()
    return target


def repo_tree(spec: str) -> "Path | None":
    """A git repository at one commit (``URL@COMMIT``), cloned once into the cache; None when
    it cannot be (no network)."""
    url, _, commit = spec.rpartition("@")
    if not url or len(commit) < 7:
        raise SystemExit(f"--repo wants URL@COMMIT, not {spec!r}")
    name = url.rstrip("/").split("/")[-1].removesuffix(".git")
    if name == "repo":  # a fetched mirror's folder: name it by its owner+name folder
        name = url.rstrip("/").split("/")[-2]
    target = CACHE / f"{name}-{commit[:12]}"
    if (target / ".git").is_dir():
        return target
    CACHE.mkdir(exist_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    clone = subprocess.run(["git", "clone", "-q", "--no-checkout", url, str(target)], capture_output=True, text=True)
    if clone.returncode != 0:
        print(f"(left out: cannot clone {url}: {clone.stderr.strip().splitlines()[-1] if clone.stderr.strip() else clone.returncode})")
        shutil.rmtree(target, ignore_errors=True)
        return None
    subprocess.run(["git", "-C", str(target), "checkout", "-q", commit], check=True)
    return target


def timed(cmd, cwd=None) -> tuple:
    """Wall time of one run and that child's own peak RSS in MB (wait4: not the largest of all
    the children so far, which would be ruff's or an earlier run's)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(map(str, cmd))} failed with exit code {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def byte_compile_tool() -> None:
    """Compile the tool's modules, as pip does when it installs a package. An editable install
    (or PYTHONDONTWRITEBYTECODE) would leave them to be compiled on every run, which is not
    what a user's installed tool does and costs about 60 ms of a Django check."""
    import compileall

    import dalle_migrate

    compileall.compile_dir(str(Path(dalle_migrate.__file__).parent), quiet=1)


def median(values) -> float:
    return statistics.median(values)


def grep_pattern() -> str:
    from dalle_migrate.catalog import default_catalog
    from dalle_migrate.prefilter import grep_pattern as pattern

    return pattern(default_catalog())


HIT_FILE = '''\
import os
import requests
from openai import OpenAI, AsyncOpenAI

client = OpenAI()
aclient = AsyncOpenAI()
MODEL = "dall-e-3"


class Studio{i}:
    def __init__(self):
        self.client = OpenAI()

    def poster(self, prompt):
        result = self.client.images.generate(
            model="dall-e-3",
            prompt=prompt,
            size="1792x1024",
            quality="hd",
            style="vivid",
            response_format="url",
        )
        return requests.get(result.data[0].url).content

    def thumbnail(self, prompt):
        return client.images.generate(model=MODEL, prompt=prompt, size="256x256", n=2)

    async def gallery(self, prompts):
        results = [await aclient.images.generate(model="gpt-image-1", prompt=p) for p in prompts]
        return [r.data[0].url for r in results]


def helper_{i}(prompt, quality="standard"):
    return client.images.generate(model=os.getenv("IMAGE_MODEL", "dall-e-2"), prompt=prompt, quality=quality)
'''


def hit_tree(root: Path, count: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (root / f"module_{i:04}.py").write_text(HIT_FILE.format(i=i) * 4)
    return root


CHAT_MODULE = '''\
"""{topic}: helpers around the chat API (generated for the benchmark)."""
import os

from openai import OpenAI

client = OpenAI(api_key=os.environ.get("OPENAI_API_KEY"))
MODEL = "gpt-4o-mini"


def ask_{i}(question, history=None):
    messages = list(history or []) + [{{"role": "user", "content": question}}]
    response = client.chat.completions.create(model=MODEL, messages=messages, temperature=0.2)
    return response.choices[0].message.content


def embed_{i}(texts):
    result = client.embeddings.create(model="text-embedding-3-small", input=texts)
    return [item.embedding for item in result.data]


class Agent{i}:
    """Keeps a conversation; DALL-E is mentioned in docs only."""

    def __init__(self, system):
        self.history = [{{"role": "system", "content": system}}]

    def turn(self, text):
        answer = ask_{i}(text, self.history)
        self.history += [{{"role": "user", "content": text}}, {{"role": "assistant", "content": answer}}]
        return answer
'''

IMAGE_MODULE = '''\
import requests
from openai import OpenAI

client = OpenAI()


def poster_{i}(prompt):
    result = client.images.generate(model="dall-e-3", prompt=prompt, size="1792x1024", quality="hd")
    return requests.get(result.data[0].url).content
'''


def _cell(kind: str, source: str, outputs=None) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source.splitlines(True)}
    if kind == "code":
        cell.update(execution_count=1, outputs=outputs or [])
    return cell


def _png_output(rng, size: int) -> dict:
    import base64

    data = base64.b64encode(rng.randbytes(size)).decode()
    return {"output_type": "display_data", "metadata": {}, "data": {"image/png": data, "text/plain": ["<Figure>"]}}


def notebook_tree(root: Path, modules: int, notebooks: int, seed: int = 13) -> Path:
    """A course-like repository (generated once, deterministic): modules and notebooks that name
    openai for chat and embeddings, outputs holding base64 images, markdown cells that talk about
    DALL-E 3, and one file in fifty calling the image API on a retired model."""
    import json
    import random

    marker = root / ".complete"
    if marker.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(seed)
    (root / "src").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'course'\nversion = '0'\n")
    for i in range(modules):
        text = IMAGE_MODULE.format(i=i) if i % 50 == 7 else CHAT_MODULE.format(i=i, topic=f"Lesson {i}")
        (root / "src" / f"lesson_{i:04}.py").write_text(text)
    for i in range(notebooks):
        folder = root / "notebooks" / f"week_{i // 100:02}"
        folder.mkdir(parents=True, exist_ok=True)
        cells = [
            _cell("markdown", f"# Lesson {i}\nWe compare chat models; DALL-E 3 (`dall-e-3`) draws the pictures later.\n"),
            _cell("code", "!pip install openai\nfrom openai import OpenAI\nclient = OpenAI()\n"),
            _cell(
                "code",
                'reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])\n'
                "print(reply.choices[0].message.content)\n",
                [{"output_type": "stream", "name": "stdout", "text": ["Hello! How can I help?\n"]}],
            ),
            _cell("code", "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\n", [_png_output(rng, rng.choice((2_000, 20_000, 60_000)))]),
        ]
        if i % 50 == 3:
            cells.append(
                _cell(
                    "code",
                    'image = client.images.generate(model="dall-e-3", prompt="a lighthouse", size="1024x1792")\n'
                    "print(image.data[0].url)\n",
                    [{"output_type": "stream", "name": "stdout", "text": ["https://example.invalid/img.png\n"]}],
                )
            )
        document = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
        (folder / f"lesson_{i:04}.ipynb").write_text(json.dumps(document, indent=1) + "\n")
    marker.touch()
    return root


BARE_LIBCST = """
import sys, pathlib, libcst
for path in pathlib.Path(sys.argv[1]).rglob("*.py"):
    module = libcst.parse_module(path.read_bytes())
    path.write_bytes(module.bytes)
"""


def compare(label: str, tree: Path, tool, ruff, rounds: int) -> Tuple[float, float]:
    """`check` against grep (same needles) and ruff (one rule) on one tree, interleaved: the
    medians of `check` and of `check --no-cache`."""
    sources = [p for pattern in ("*.py", "*.ipynb") for p in tree.rglob(pattern)]
    notebooks = sum(1 for p in sources if p.suffix == ".ipynb")
    naming = sum(1 for p in sources if b"openai" in p.read_bytes())
    size = sum(p.stat().st_size for p in sources) / 1e6
    print(f"{label}: {len(sources) - notebooks} .py files, {notebooks} notebooks ({size:.0f} MB), {naming} naming openai")
    commands = {
        "dalle-migrate check": tool + ["check", str(tree), "-q", "--no-progress", "--isolated", *TODAY],  # the tree as it is: not this repository's configuration
        "  ... --no-cache": tool + ["check", str(tree), "-q", "--no-progress", "--isolated", "--no-cache", *TODAY],
        "grep -rlE": ["grep", "-rlE", grep_pattern(), str(tree)],
    }
    if ruff:
        commands["ruff --select F401"] = [ruff, "check", "--select", "F401", "--no-cache", "-q", str(tree)]
    times = {name: [] for name in commands}
    peaks = []
    for _ in range(rounds):  # interleaved: machine noise hits all alike
        for name, cmd in commands.items():
            elapsed, peak = timed(cmd)
            times[name].append(elapsed)
            if not name.startswith(("grep", "ruff")):
                peaks.append(peak)
    ours = median(times["dalle-migrate check"])
    for name, values in times.items():
        print(f"  {name:<22} median {median(values):.3f} s   (ratio dalle-migrate/this: {ours / median(values):.2f})")
    print(f"  dalle-migrate peak memory: {max(peaks):.0f} MB")
    return ours, median(times["  ... --no-cache"])


def image_modules(tree: Path, limit: int) -> list:
    """The largest modules of the tree with an image call (`images.generate(` and kin)."""
    import re

    pattern = re.compile(rb"images\s*\.\s*(with_raw_response\s*\.\s*)?(generate|edit|create_variation)\b|Image\.create\b")
    found = [p for p in tree.rglob("*.py") if ".dalle_migrate_cache" not in p.parts and pattern.search(p.read_bytes())]
    return sorted(found, key=lambda p: (-p.stat().st_size, str(p)))[:limit]  # the largest: the most to parse


def single_files(label: str, tree: Path, files: list, tool, rounds: int, whole: Tuple[float, float]) -> None:
    """Each file given alone, interleaved: as the pre-commit hook runs it again and again (the
    cache of the runs before), the file as it was and just edited (a comment added: its own
    analysis, and every one that read it, runs again), and without the cache. Each is compared
    with `check` of the whole tree in the same state: as it was, just after the same edit, and
    without the cache."""
    print(f"{label}: one file given (whole tree `check`: {whole[0]:.3f} s, --no-cache {whole[1]:.3f} s)")
    print(f"  {'file':<60} {'size':>7}   as it was   edited   --no-cache   (/ whole tree so)   peak")
    for path in files:
        base = tool + ["check", str(path), "-q", "--no-progress", "--isolated", *TODAY]
        tree_check = tool + ["check", str(tree), "-q", "--no-progress", "--isolated", *TODAY]
        original = path.read_bytes()
        timed(base)  # the cache as a former hook run leaves it
        same, edited, edited_tree, cold, peaks = [], [], [], [], []
        try:
            for _ in range(rounds):  # first, as it was (a rewrite would give it a new stamp)
                elapsed, peak = timed(base)
                same.append(elapsed)
                peaks.append(peak)
            for round_ in range(rounds):
                path.write_bytes(original + f"\n# edited by the bench ({round_})\n".encode())
                elapsed, peak = timed(base)
                edited.append(elapsed)
                peaks.append(peak)
                elapsed, peak = timed(base + ["--no-cache"])
                cold.append(elapsed)
                peaks.append(peak)
                # The whole tree just after the same edit (another one: the run above kept this one).
                path.write_bytes(original + f"\n# edited by the bench ({round_}, the tree)\n".encode())
                edited_tree.append(timed(tree_check)[0])
        finally:
            path.write_bytes(original)
            timed(base)  # the cache as it was for the next file
            # A file written within two seconds is not trusted from the cache (its stamp may hide
            # a second write: index.RACY_NS): the next file's "as it was" runs must not pay for
            # this write-back, which no hook run a few seconds after a save sees.
            time.sleep(2.1)
        size = path.stat().st_size / 1e3
        name = str(path.relative_to(tree))
        name = name if len(name) <= 60 else "..." + name[-57:]
        print(
            f"  {name:<60} {size:5.0f} KB   {median(same):.3f} s   {median(edited):.3f} s   {median(cold):.3f} s"
            f"   ({median(same) / whole[0]:.2f}, {median(edited) / median(edited_tree):.2f}, {median(cold) / whole[1]:.2f})   {max(peaks):.0f} MB"
        )


def precommit_single_file(tree: Path, staged: str, rounds: int) -> None:
    """The real pre-commit running the check hook on one staged file of a git copy of ``tree``
    (a local hook with the hook's own entry: what the hook's environment runs)."""
    beside = Path(sys.executable).parent / "pre-commit"  # (not a shim on PATH: see ruff's)
    pre_commit = str(beside) if beside.exists() else shutil.which("pre-commit") or str(beside)
    if not Path(pre_commit).exists():
        print("(pre-commit not installed: its run is left out)")
        return
    copy = CACHE / f"{tree.name}-git"
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b")
    if not (copy / ".git").is_dir():
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(tree, copy, ignore=shutil.ignore_patterns(".dalle_migrate_cache"))
        (copy / ".pre-commit-config.yaml").write_text(
            "repos:\n  - repo: local\n    hooks:\n      - id: dalle-migrate\n        name: dalle-migrate (check)\n"
            f"        entry: {sys.executable} -m dalle_migrate check --force-exclude --isolated --today 2026-11-25\n"
            "        language: system\n        types_or: [python, pyi, jupyter, yaml, toml, json, ini, dotenv]\n"
            "        require_serial: true\n"
        )
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "bench"]):
            subprocess.run(["git", *args], cwd=copy, check=True, env=env, capture_output=True)
    target = copy / staged
    target.write_text(target.read_text() + "\n# staged change\n")
    subprocess.run(["git", "add", staged], cwd=copy, check=True, env=env)
    try:
        command = [pre_commit, "run", "dalle-migrate"]
        timed(command, cwd=copy)
        times = [timed(command, cwd=copy)[0] for _ in range(rounds)]
        bare = [timed([sys.executable, "-m", "dalle_migrate", "check", staged, "--force-exclude", "--isolated", "-q", *TODAY], cwd=copy)[0] for _ in range(rounds)]
        print(f"pre-commit run dalle-migrate, {staged} staged in a git copy of the tree: median {median(times):.3f} s (the tool alone: {median(bare):.3f} s)")
    finally:
        subprocess.run(["git", "checkout", "-q", "HEAD", "--", staged], cwd=copy, check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--django", default="5.2.19")
    parser.add_argument("--hit-files", type=int, default=300)
    parser.add_argument("--litellm", default="1.110.2", help="litellm wheel version ('' to skip)")
    parser.add_argument("--tree", action="append", default=[], type=Path, help="another local tree to time (repeatable)")
    parser.add_argument("--notebooks", type=int, default=2800, help="notebooks in the generated course tree (0 to skip)")
    parser.add_argument("--modules", type=int, default=1400, help="Python modules in the generated course tree")
    parser.add_argument("--repo", action="append", default=[], help="a git repository at a commit, URL@COMMIT (repeatable)")
    parser.add_argument("--no-course-repo", action="store_true", help=f"leave out {COURSE_REPO}")
    parser.add_argument("--single-files", type=int, default=6, help="largest litellm modules timed alone (0: no single-file runs)")
    args = parser.parse_args()

    tool = [sys.executable, "-m", "dalle_migrate"]
    byte_compile_tool()
    django = django_tree(args.django)
    py_files = sum(1 for _ in django.rglob("*.py"))
    size = sum(p.stat().st_size for p in django.rglob("*.py")) / 1e6
    # The ruff installed beside this Python first: one found on PATH may be a version manager's
    # shim (pyenv's is a shell script that starts pyenv: 50 ms on every run, charged to ruff).
    beside = Path(sys.executable).parent / "ruff"
    ruff = str(beside) if beside.exists() else shutil.which("ruff")
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; Django {args.django}: {py_files} .py files, {size:.1f} MB")

    trees = [(f"Django {args.django}", django)]
    if args.litellm:
        trees.append((f"litellm {args.litellm} wheel", litellm_tree(args.litellm)))
    if args.notebooks:
        course = notebook_tree(CACHE / f"course-{args.modules}-{args.notebooks}", args.modules, args.notebooks)
        trees.append((f"generated course tree ({args.modules} modules, {args.notebooks} notebooks)", course))
    for spec in ([] if args.no_course_repo else [COURSE_REPO]) + args.repo:
        cloned = repo_tree(spec)
        if cloned is not None:
            trees.append((spec.rsplit("/", 1)[-1][:60], cloned))
    trees += [(str(tree), tree) for tree in args.tree]
    whole = {}
    for label, tree in trees:
        whole[label] = compare(label, tree, tool, ruff, args.rounds)

    if args.single_files:
        for label, tree in trees[1:]:  # Django has no image call
            files = []
            if label.startswith("litellm"):
                modules = sorted((p for p in tree.rglob("*.py") if ".dalle_migrate_cache" not in p.parts), key=lambda p: -p.stat().st_size)
                files = modules[: args.single_files]
            files += [p for p in image_modules(tree, 3) if p not in files]
            single_files(label, tree, files, tool, max(3, args.rounds // 2), whole[label])
        if args.litellm:
            precommit_single_file(litellm_tree(args.litellm), "litellm/utils.py", max(3, args.rounds // 2))

    with tempfile.TemporaryDirectory() as tmp:
        source = hit_tree(Path(tmp) / "src", args.hit_files)
        fix_times, bare_times = [], []
        for round_ in range(args.rounds):  # (its rounds vary by a tenth: three were too few)
            a = Path(tmp) / f"a{round_}"
            b = Path(tmp) / f"b{round_}"
            shutil.copytree(source, a)
            shutil.copytree(source, b)
            fix_times.append(timed(tool + ["fix", str(a), "-q", "--no-progress", "--isolated", *TODAY])[0])
            bare_times.append(timed([sys.executable, "-c", BARE_LIBCST, str(b)])[0])
        fix, bare = median(fix_times), median(bare_times)
        print(f"hit-heavy tree: {args.hit_files} files")
        print(f"  dalle-migrate fix      median {fix:.3f} s")
        print(f"  bare LibCST pass       median {bare:.3f} s   (ratio fix/bare: {fix / bare:.2f})")


if __name__ == "__main__":
    main()
