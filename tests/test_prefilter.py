"""The early exits are sound: a file that the byte scan or the compiled-code proof skips has no
finding, of its own or in another module, on every file of the corpus (fixtures, regression
inputs, end-to-end programs and projects), every rule's examples and generated cases. The same
files are analysed with the exits and with every exit forced open, and the findings must be the
same, to the character."""

from __future__ import annotations

import itertools
import json
import re
import textwrap
from pathlib import Path

import pytest

from dalle_migrate.engine import process_data
from dalle_migrate.prefilter import Prefilter
from dalle_migrate.project import new_run
from dalle_migrate.rules import ALL_RULES
from dalle_migrate.selection import Selection
from support import settings

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = (".py", ".ipynb", ".env", ".yaml", ".yml", ".toml", ".json", ".ini", ".cfg")
CORPUS = sorted(
    p
    for folder in (ROOT / "fixtures", ROOT / "tests" / "e2e" / "programs", ROOT / "tests" / "e2e" / "projects")
    for p in folder.rglob("*")
    if p.is_file() and "__pycache__" not in p.parts and p.suffix in SUFFIXES
)


def _kept(prefilter: Prefilter, path: Path, data: bytes) -> bool:
    """What the run's scan decides, before any worker sees the file."""
    if path.suffix == ".ipynb":
        return prefilter.notebook_may_have_findings(data)
    return prefilter.may_have_findings(data)


def _findings(path: Path, data: bytes, options) -> list:
    """Every finding of the file (its own and those it places in other modules), as text. (Each
    file is parsed once for both runs: conftest keeps parsed files, as the language server does;
    the analysis each run does afresh, ``new_run``.)"""
    new_run()
    if not _kept(Prefilter(options.catalog), path, data):
        return []
    result = process_data(path, data, options, Selection(select=("DM",)), fix=False, write=False)
    assert result.error is None, result.error
    return sorted(
        f"{f.path or ''}:{f.row}:{f.column}: {f.code} {f.message}" for f in list(result.findings) + list(result.foreign)
    )


def _opened(monkeypatch) -> None:
    """Every early exit answers 'may have findings'."""
    for name in ("may_have_findings", "notebook_may_have_findings", "code_may_have_findings"):
        monkeypatch.setattr(Prefilter, name, lambda self, data: True)


def assert_same_findings(path: Path, monkeypatch) -> None:
    data = path.read_bytes()
    options = settings()
    with_exits = _findings(path, data, options)
    with monkeypatch.context() as patched:
        _opened(patched)
        without_exits = _findings(path, data, options)
    assert with_exits == without_exits


@pytest.mark.parametrize("path", CORPUS, ids=[p.relative_to(ROOT).as_posix() for p in CORPUS])
def test_corpus_file_has_the_same_findings_without_early_exits(path: Path, monkeypatch) -> None:
    assert_same_findings(path, monkeypatch)


EXAMPLES = [
    (rule.code, kind, i, example)
    for rule in ALL_RULES
    for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for i, example in enumerate(examples)
]


@pytest.mark.parametrize("code,kind,index,example", EXAMPLES, ids=[f"{c}-{k}-{i}" for c, k, i, _ in EXAMPLES])
def test_rule_example_has_the_same_findings_without_early_exits(code, kind, index, example, tmp_path, monkeypatch):
    source = getattr(example, "code", example)
    filename = getattr(example, "filename", None) or "example.py"
    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / filename
    path.write_text(textwrap.dedent(source).lstrip("\n"))
    assert_same_findings(path, monkeypatch)


# -- generated cases: each place an id or an image call can hide, in modules and notebooks ----
WHERE_IDS_HIDE = [
    '"""Generated with {id}."""\nx = 1\n',
    "# model: {id}\nx = 1\n",
    'MODEL = "{id}"\n',
    "MODEL = '{id}'\n",
    'MODEL = ("{head}"\n         "{tail}")\n',
    'MODEL = "{escaped}"\n',
    'prompt = f"drawn by {id} for {{user}}"\n',
    'models = {{"{id}": 1.0}}\n',
    'SIZES = {{"{id}": ["1024x1024"]}}\n',
    'if model == "{id}":\n    size = "1792x1024"\n',
    "from typing import Literal\nModel = Literal[\"{id}\"]\n",
    'def pick():\n    chosen: Literal["{id}"] = "x"\n    return chosen\n',
    'def f():\n    """{id}"""\n',
    'if False:\n    MODEL = "{id}"\n',
    'label = "use {id} or not"\n',
    'tool = {{"type": "function", "enum": ["{id}", "gpt-image-2"]}}\n',
]
CALL_SHAPES = [
    "from openai import OpenAI\nclient = OpenAI()\nclient.images.generate(prompt='p'{model})\n",
    "from openai import OpenAI\nclient = OpenAI()\nresult = (client.images\n    .generate(prompt='p'{model}))\nprint(result.data[0].url)\n",
    "from openai import OpenAI\nclient = OpenAI()\nclient.images \\\n    .edit(image=open('a.png', 'rb'), prompt='p'{model})\n",
    "from openai import OpenAI\nclient = OpenAI()\nclient.images.with_raw_response.generate(prompt='p'{model})\n",
    "import openai\nopenai.Image.create(prompt='p'{model})\n",
    "from openai import Image as DalleImage\nDalleImage.create(prompt='p'{model})\n",
    "from openai import OpenAI\n# client.images.generate(model='dall-e-3') was here\nOpenAI().chat.completions.create(model='gpt-4o', messages=[])\n",
    "from openai import OpenAI\nimages = OpenAI().images\nimages.generate(prompt='p'{model})\n",
    "from openai import OpenAI\nclass Box:\n    images = None\nbox = Box()\ndel box.images\n",
    "from openai import OpenAI\nOpenAI().responses.create(model='gpt-5', input='x', tools=[{{'type': 'image_generation', 'quality': 'hd'{tool_model}}}])\n",
    "TOOL = dict(type='image_generation', size='256x256'{tool_kw})\n",
    "from agents import ImageGenerationTool\nImageGenerationTool(tool_config={{\n    'type':\n    'image_generation', 'style': 'vivid'}})\n",
    "CALL_TYPES = {{'image_generation': 'image_generation'}}\n",
    "def draw():\n    from crewai_tools import DallETool\n    return DallETool(size='1024x1024'{tool_kw})\n",
    "import litellm as ll\nll.aimage_generation(prompt='p', size='1792x1024'{tool_kw})\n",
    "import litellm\nlitellm.image_generation(prompt='p', model='openai/dall-e-2')\n",
    "from langchain.agents import load_tools\ntools = load_tools(\n    ['dalle-image-generator'])\n",
    "class DallETool:\n    pass\nDallETool()\n",
    "from openai import OpenAI\nclient = OpenAI()\nr = (client.images  # the images API\n     .generate(prompt='p', size='256x256'{model}))\n",
    "from openai import OpenAI\nOpenAI().responses.create(model='gpt-5', input='x', tools=[{{'type':  # the tool\n    'image_generation', 'quality': 'hd'}}])\n",
    "from litellm import image_generation\nimage_generation(model='bedrock/stability.sd', prompt='x', quality='hd')\n",
    "Job.objects.create(type='image_generation', size='256x256', quality='hd', style='vivid')\n",
]
IDS = ["dall-e-2", "dall-e-3", "gpt-image-1", "gpt-image-1-mini", "chatgpt-image-latest", "gpt-image-2"]


def _generated():
    cases = []
    for template, model_id in itertools.product(WHERE_IDS_HIDE, IDS):
        # Split or escaped after the stem the byte scan looks for (`dall-e-`, `gpt-image-`):
        # an id broken inside its stem is the one spelling the scan does not see (see prefilter).
        stem = re.match(r"^(.*?-)(?=\d)", model_id)
        stem = len(stem.group(1)) if stem else model_id.rfind("-") + 1
        head, tail = model_id[:stem], model_id[stem:]
        escaped = head + "".join(f"\\x{ord(c):02x}" for c in tail)
        cases.append((".py", template.format(id=model_id, head=head, tail=tail, escaped=escaped)))
    for shape, model in itertools.product(CALL_SHAPES, ("", ", model='dall-e-3'", ", model=MODEL")):
        tool_model = model.replace(", model=", ", 'model': ") if model else ""
        tool_kw = model
        code = shape.format(model=model, tool_model=tool_model, tool_kw=tool_kw)
        cases.append((".py", "MODEL = 'gpt-image-1'\n" + code if "MODEL" in model else code))
    for index, (suffix, code) in enumerate(list(cases)[::3]):
        cases.append((".ipynb", _notebook(code, markdown=index % 2 == 0)))
    cases.append((".ipynb", _notebook("from openai import OpenAI\nprint('chat')\n", markdown=True)))
    cases.append((".ipynb", _notebook("!pip install openai\nfrom openai import OpenAI\nOpenAI().images.generate(prompt='p', model='dall-e-2')\n")))
    return cases


def _notebook(code: str, markdown: bool = False) -> str:
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": 1, "source": code.splitlines(True), "outputs": [
        {"output_type": "stream", "name": "stdout", "text": ["made by dall-e-3\n", "client.images.generate(model='dall-e-3')\n"]},
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgoAAAANSUhEUgAAAAE="}},
    ]}]
    if markdown:
        cells.insert(0, {"cell_type": "markdown", "metadata": {}, "source": ["DALL-E 3 (`dall-e-3`) draws it.\n"]})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


GENERATED = _generated()


@pytest.mark.parametrize("suffix,text", GENERATED, ids=[f"generated-{i}{s}" for i, (s, _) in enumerate(GENERATED)])
def test_generated_case_has_the_same_findings_without_early_exits(suffix, text, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / f"case{suffix}"
    path.write_text(text)
    assert_same_findings(path, monkeypatch)


def test_the_scans_notebook_proof_keeps_what_the_analysed_modules_proof_keeps():
    # The scan searches a notebook's code cells as written (IPython lines, `%%bash` cells): a
    # superset of the module the analysis reads, whose own proof it never contradicts.
    from dalle_migrate.cells import decoded_code_module

    prefilter = Prefilter(settings().catalog)
    call = "from openai import OpenAI\nOpenAI().images.generate(prompt='p', model='dall-e-3')\n"
    notebooks = [text for suffix, text in GENERATED if suffix == ".ipynb"] + [
        _notebook("%%bash\ncurl https://api.openai.com/v1/images/generations -d '{\"model\": \"dall-e-3\"}'\n"),
        _notebook("ls\n%cd data\n" + call),
        _notebook("%%time\n" + call),
    ]
    kept = 0
    for text in notebooks:
        data = text.encode()
        analysed = decoded_code_module(json.loads(data)).encode()
        if prefilter.may_have_findings(analysed):
            kept += 1
            assert prefilter.notebook_code_may_have_findings(data), text
    assert kept > len(notebooks) // 2
    assert prefilter.notebook_code_may_have_findings(notebooks[-3].encode())  # the shell cell: kept, its analysis decides


def test_a_notebook_may_make_an_image_request_when_its_analysed_module_may():
    # The index's reading: a call's text in a code cell answers yes before the module the
    # analysis reads is made (that makes every cell holding a magic's name parse).
    from dalle_migrate.cells import decoded_code_module

    prefilter = Prefilter(settings().catalog)
    notebooks = [text for suffix, text in GENERATED if suffix == ".ipynb"]
    answers = []
    for text in notebooks:
        data = text.encode()
        exact = prefilter.may_call_images(data) and prefilter.code_may_call_images(decoded_code_module(json.loads(data)).encode())
        answers.append(exact)
        assert prefilter.may_make_image_request(data, notebook=True) >= exact, text
    assert any(answers) and not all(answers)
    chat = _notebook("from openai import OpenAI\nOpenAI().chat.completions.create(model='gpt-4o', messages=[])\n", markdown=True)
    assert not prefilter.may_make_image_request(chat.encode(), notebook=True)  # its outputs name an image call


def test_the_compiled_proof_skips_what_chat_code_names():
    """What the second proof is for: ids and calls only in comments, docstrings and longer
    strings, and `images` attributes without an image method."""
    prefilter = Prefilter(settings().catalog)
    skipped = [
        '"""Costs for gpt-image-1 are per token."""\n# dall-e-3 used to be here\nx = 1\n',
        'note = "gpt-image-1 models use low, medium, high quality"\n',
        "class R:\n    def clear(self):\n        del self.images\n",
        "from .images.main import generate\n",
    ]
    kept = [
        'MODEL = "dall-e-3"\n',
        "def f():\n    x: Literal['gpt-image-1'] = 1\n",
        "client.images.generate(prompt='x')\n",
        "def f(:\n",  # CPython cannot compile it: the analysis reports it
    ]
    assert [prefilter.code_may_have_findings(code) for code in skipped] == [False] * len(skipped)
    assert [prefilter.code_may_have_findings(code) for code in kept] == [True] * len(kept)


def test_the_cases_exercise_every_exit() -> None:
    prefilter = Prefilter(settings().catalog)
    kept = [p for p in CORPUS if _kept(prefilter, p, p.read_bytes())]
    assert kept and len(kept) < len(CORPUS)
    generated = [(suffix, text.encode()) for suffix, text in GENERATED]
    scanned = [(s, d) for s, d in generated if prefilter.may_have_findings(d)]
    assert len(scanned) < len(generated), "no generated case is skipped by the byte scan"
    notebooks = [d for s, d in scanned if s == ".ipynb"]
    assert not all(prefilter.notebook_may_have_findings(d) for d in notebooks), "no notebook skipped for its code"
    modules = [d for s, d in scanned if s == ".py"]
    proven = [d for d in modules if not prefilter.code_may_have_findings(d)]
    assert proven and len(proven) < len(modules), "the compiled-code proof is not exercised both ways"


def _ungated(monkeypatch) -> Prefilter:
    """The byte scan without its first search (the part every image word shares)."""
    from dalle_migrate import prefilter as prefilter_module

    with monkeypatch.context() as patched:
        patched.setattr(prefilter_module, "_longest_common_part", lambda a, b: b"")
        return Prefilter(settings().catalog)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_scans_first_search_changes_no_answer(path: Path, monkeypatch) -> None:
    """Words holding the shared part are searched only where it is: each answer is the one
    of the scan without it, on every corpus file and on each word of the scan alone."""
    gated, ungated = Prefilter(settings().catalog), _ungated(monkeypatch)
    assert gated._gate and not ungated._gate
    data = path.read_bytes()
    for scan in ("may_have_findings", "may_call_images"):
        assert getattr(gated, scan)(data) == getattr(ungated, scan)(data), scan


def test_every_word_the_scan_searches_is_found_alone(monkeypatch) -> None:
    gated, ungated = Prefilter(settings().catalog), _ungated(monkeypatch)
    words = list(gated.models) + [w for _, group in gated._wrapper_probes for w in group] + [
        b"client.images.generate(", b"openai.Image.create(", b'tools=[{"type": "image_generation"}]', b"image_generation(",
    ]
    for word in words:
        for data in (word, b"x = 1\n" + word + b"\n"):
            assert gated.may_have_findings(data) and gated.may_have_findings(data) == ungated.may_have_findings(data), word
            assert gated.may_call_images(data) == ungated.may_call_images(data), word


# -- what a module may hold for its importers (a run of a few files asks it of each) -----------
@pytest.mark.parametrize(
    "code,holds",
    [
        ("def link(r):\n    return r.data[0].url\n", True),  # a read in code: no compiling needed
        ("SIZES = {'square': '1024x1024'}\n", True),
        ("url = 'https://example.com'\n", True),  # a name `url`: the compiled proof says so
        ("MODEL = 'dall-e-3'\n", True),
        ("# r.data[0].url, '1024x1024'\nx = 1\n", False),  # in a comment only
        ("x = 'see the url field and 1024 by 1024'\n", False),
    ],
)
def test_what_a_module_may_hold_for_its_importers(code, holds):
    assert Prefilter(settings().catalog).code_may_hold_values(code.encode(), "gpt-image-2") is holds


@pytest.mark.parametrize("path", [p for p in CORPUS if p.suffix == ".py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_plain_reads_and_sizes_are_what_compiling_finds(path, monkeypatch):
    """The byte-level yes (`x.url`, `"1024x1024"` in code) is the compiled proof's own yes on
    every corpus module that compiles: it spares the compiling, never changes the answer."""
    prefilter = Prefilter(settings().catalog)
    data = path.read_bytes()
    if not prefilter._plainly_holds(data):
        return
    monkeypatch.setattr(prefilter, "_plainly_holds", lambda data: False)
    assert prefilter.code_may_hold_values(data, "gpt-image-2")
