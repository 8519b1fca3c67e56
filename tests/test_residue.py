"""Issue #12: no silent residue. After ``fix``, every construct that cannot work on the target (the
rule table defines them) is either gone or covered by a finding.

The residue scanner (``residue_scan.py``) is independent of dalle-migrate's analysis: ``ast`` and
``tokenize`` only, with the facts (retired and deprecated ids, rejected keywords, qualities and
sizes) read from the catalogue. It over-approximates on purpose: it cannot tell an OpenAI call
from a look-alike.

For every case of the corpus - each fixture under ``fixtures/`` (per-rule folders and
``regressions/``), each program under ``tests/e2e/programs/``, each project under
``tests/e2e/projects/`` (as a whole folder) - copied to a temporary folder: scan it, run
``fix --today 2026-11-25 --format json``, run ``check --format json`` on the result, scan it
again. Every item left must be covered by a finding of that check whose rows contain its line (in
notebooks, in its cell; a DM900 finding covers its whole file or cell; an argument of a
``create_variation`` call is covered by a finding on the call), unless ``ALLOWLIST`` says it is not
an OpenAI image call. Anything else is *silent residue*, named by file, line, kind and text.

The numbers for the issue (before / after / silent, per corpus part and per kind) print with

    python bench/residue.py            # or: pytest tests/test_residue.py -k numbers -s
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Dict, List

import pytest

from residue_scan import (
    ROOT,
    Allowed,
    Bug,
    Case,
    Outcome,
    Residue,
    corpus,
    facts,
    judge,
    render_table,
    run_case,
    run_corpus,
    scan_python,
    scan_notebook,
    tally,
)

# -- what is not residue ---------------------------------------------------------------------------
# Items after `fix` that no finding covers because the code is not an OpenAI image call. Each entry
# names one file and the text of the line the item is on (or of the create_variation call it is an
# argument of), and says why that code cannot be an OpenAI call. Never add a real OpenAI call here:
# silent residue in a real call is a bug (KNOWN_BUGS).
ALLOWLIST: List[Allowed] = [
    # Precision fixtures and programs: look-alikes written to test that they are *not* reported.
    Allowed(
        "fixtures/DM101/noop.py",
        'LocalStudio().images.generate(model="dall-e-3"',
        "LocalStudio is the fixture's own class (LocalImages.generate returns its kwargs): no request is sent",
    ),
    Allowed(
        "fixtures/DM101/noop.py",
        'together.Together().images.generate(model="dall-e-3"',
        "together.Together() is Together AI's SDK client, not openai: its images.generate goes to Together's API",
    ),
    Allowed(
        "tests/e2e/programs/with_lookalike.py",
        'studio.images.generate(model="dall-e-3"',
        "studio is an OfflineStudio, the program's own offline stand-in (_OfflineImages.generate only prints)",
    ),
    Allowed(
        "fixtures/DM301/litellm_results.py",
        "return response.data[0].url",
        "the other reads are of LiteLLM calls on bedrock/ models: Stability's answer through LiteLLM, no OpenAI request",
    ),
    Allowed(
        "fixtures/DM301/kept_on_object.py",
        "return self.last_response.data[0].url",
        "Archive.last_response holds whatever store() is passed, and nothing in the file passes it a result",
    ),
    Allowed(
        "fixtures/DM301/iteration.py",
        "print(first.url)",
        "first is an item of `names`, a list of str zipped with itself: not an image of the result",
    ),
    *(
        Allowed(
            "fixtures/DM301/noop_iteration.py",
            line,
            "pages is client.models.list().data (the models endpoint's entries): no image result is iterated",
        )
        for line in ("print(name, page.url)", "print(tail.url)", "print(item.url)")
    ),
    # Fuzzer-made regression inputs whose receiver is a name the file never binds: the line raises
    # NameError (or does not even compile), so it reaches no API, and nothing ties the name to openai
    # (DESIGN section 2: an untraced receiver counts only when its model is an OpenAI id; these name none).
    Allowed(
        "fixtures/regressions/6709a1f1ad.py",
        "requests.get(result_0.data[0].url)",
        "result_0 is never assigned (the image call's result goes to `_`): not the result of an image call",
    ),
    Allowed(
        "fixtures/regressions/825e776a70.py",
        "await aclient.images.edit(response_format='url'",
        "aclient is never bound and the file never imports openai (and `await` sits in a non-async def)",
    ),
    Allowed(
        "fixtures/regressions/a8887ef4c0.py",
        "client.with_options(timeout=30, max_retries=2).images.",
        "`client` is never bound in this file (only get_client() returns an OpenAI client); a class-body "
        "statement and a `return` outside a function: NameError / no compile, no API reached",
    ),
    Allowed(
        "fixtures/regressions/d50cd4fe3b.py",
        "return client.images.with_raw_response.create_variation(",
        "`client` is never bound and the file never imports openai; `return` at module level does not compile",
    ),
    Allowed(
        "fixtures/DM101/http_requests.py",
        'requests.post(f"{base_url}/images/generations", json={"prompt": prompt, "size": "512x512"})',
        "a host the code does not show and no model: a local OpenAI-compatible server's endpoint, not known to be OpenAI's",
    ),
    Allowed(
        "fixtures/DM101/http_requests.py",
        'return requests.post(url, json={"prompt": prompt, "quality": "hd"})',
        "an Azure OpenAI deployment URL (/openai/deployments/...): the deployment, not the body, names the model",
    ),
    Allowed(
        "fixtures/DM101/outside_the_tree.py",
        'Together().images.generate(model="dall-e-3"',
        "together.Together() is Together AI's SDK client (a package the catalogue knows serves its own models)",
    ),
    Allowed(
        "fixtures/DM101/outside_the_tree.py",
        'OpenAI(base_url="https://api.aimlapi.com/v1").images.generate(model="dall-e-3"',
        "a client of AIMLAPI's OpenAI-compatible API (its host is the base_url): AIMLAPI serves its own models",
    ),
    Allowed(
        "fixtures/DM301/noop_http_json.py",
        'data={"purpose": "vision"}).json()["url"]',
        "the answer of a file upload (/v1/files), not of an image request",
    ),
    Allowed(
        "fixtures/DM301/noop_http_json.py",
        'return r.json()["data"][0]["url"]',
        "the request goes to api.example.com with a FLUX model: another provider's answer",
    ),
]

# Silent residue in the corpus that is a dalle-migrate bug: one entry per bug; the cases it is in
# are strict xfails until it is fixed. (None in the corpus today: the bugs found are in PROBES.)
KNOWN_BUGS: List[Bug] = []


# -- running the corpus once -------------------------------------------------------------------------
CASES: List[Case] = corpus()


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> Dict[str, Outcome]:
    """Every case fixed and checked, in this process (CliRunner): ~2 s for the whole corpus."""
    workdir = tmp_path_factory.mktemp("residue")
    return {outcome.case.name: outcome for outcome in run_corpus(workdir, CASES)}


def _explain(entries: List[Residue]) -> str:
    return "\n".join("  " + r.describe() for r in entries)


def _case_param(case: Case):
    bugs = [b for b in KNOWN_BUGS if fnmatch.fnmatchcase(case.name, b.path) or b.path.startswith(case.name + "/")]
    marks = [pytest.mark.xfail(strict=True, reason=b.reason) for b in bugs]
    return pytest.param(case, marks=marks, id=case.name)


@pytest.mark.parametrize("case", [_case_param(c) for c in CASES])
def test_no_silent_residue(case: Case, outcomes: Dict[str, Outcome]):
    outcome = outcomes[case.name]
    assert outcome.errors == []
    silent = judge(outcome, ALLOWLIST).silent
    assert silent == [], "silent residue after fix (no finding of check covers it):\n" + _explain(silent)


def test_known_bugs_are_still_there(outcomes: Dict[str, Outcome]):
    """A KNOWN_BUGS entry names silent residue (else it is fixed or wrong: remove it)."""
    for bug in KNOWN_BUGS:
        assert [r for o in outcomes.values() for r in o.uncovered if bug.matches(r)], f"no silent residue for {bug}"


def _parses_here(path: Path) -> bool:
    """Whether this interpreter's own parser reads the file (the residue scan uses it)."""
    import ast

    try:
        ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError):
        return False
    return True


def test_allowlist_is_precise(outcomes: Dict[str, Outcome]):
    """Every allowlist entry is still needed, and excuses only items no finding covers, in the one
    file it names (a stale or broad entry would hide a real call one day)."""
    left = [r for o in outcomes.values() for r in o.after]
    for entry in ALLOWLIST:
        if not _parses_here(ROOT / entry.path):
            continue  # (a `match` statement on Python 3.9: this interpreter's scan reads nothing there)
        matched = [r for r in left if entry.matches(r)]
        assert matched, f"allowlist entry matches nothing any more: {entry}"
        assert len({r.file for r in matched}) == 1, f"allowlist entry matches several files: {entry}"
        assert "*" not in entry.path and "?" not in entry.path, f"allowlist entry names no single file: {entry}"
        uncovered = [r for o in outcomes.values() for r in o.uncovered if entry.matches(r)]
        assert uncovered, f"everything this allowlist entry matches is covered by a finding: {entry}"


def test_residue_numbers(outcomes: Dict[str, Outcome], capsys):
    """The numbers for the issue note (also `python bench/residue.py`)."""
    counts = tally(list(outcomes.values()), ALLOWLIST, KNOWN_BUGS)
    with capsys.disabled():
        print("\n" + render_table(counts))
    total = counts["part"]["all"]
    assert total["silent"] == 0
    assert total["known bug"] == sum(len(judge(o, ALLOWLIST, KNOWN_BUGS).known) for o in outcomes.values())
    assert total["after"] < total["before"]
    for part, row in counts["part"].items():
        assert row["cases"] > 0 and row["before"] > 0, f"{part}: the scanner sees no residue before fix"
        assert row["after"] == row["covered"] + row["allowlisted"] + row["known bug"] + row["silent"]
    # Every kind the scanner knows shows up in the corpus before fix: the scanner is exercised.
    assert {"retired-model", "deprecated-model", "kw:response_format", "kw:style", "kw:input_fidelity",
            "quality", "size", "url-read", "legacy-api", "variation"} <= set(counts["kind"])


# -- probes: minimal programs outside the corpus, in the corpus's pipeline -----------------------------
# Each is a small realistic program; the ones that show a dalle-migrate bug (silent residue on a
# migrated call) are strict xfails with the bug as reason. DESIGN section 4: "never leave a `.url`
# read on a migrated call silently".
_HEAD = 'from openai import OpenAI\n\nclient = OpenAI()\nresult = client.images.generate(model="dall-e-3", prompt="a fox")\n'
PROBES = [
    # Control: the plain read is followed and rewritten, so the harness can pass.
    ("plain_url_read", _HEAD + "print(result.data[0].url)\n", ""),
    ("getattr_url", _HEAD + 'print(getattr(result.data[0], "url"))\n', ""),
    ("dict_form_url", _HEAD + 'print(result.data[0].model_dump()["url"])\nprint(result.to_dict()["data"][0]["url"])\n', ""),
    ("map_lambda_url", _HEAD + "print(list(map(lambda d: d.url, result.data)))\n", ""),
    ("next_iter_url", _HEAD + "print(next(iter(result.data)).url)\n", ""),
]


@pytest.mark.parametrize(
    "name, source",
    [
        pytest.param(name, source, id=name, marks=[pytest.mark.xfail(strict=True, reason=bug)] if bug else [])
        for name, source, bug in PROBES
    ],
)
def test_probe_has_no_silent_residue(name: str, source: str, tmp_path):
    path = tmp_path / "src" / f"{name}.py"
    path.parent.mkdir()
    path.write_text(source, encoding="utf-8")
    outcome = run_case(Case("probes", path, root=tmp_path / "src"), tmp_path / "work")
    assert outcome.errors == []
    assert outcome.before and len(outcome.after) < len(outcome.before)  # fix did migrate the call
    assert outcome.uncovered == [], "silent residue after fix:\n" + _explain(outcome.uncovered)


# -- the scanner itself ------------------------------------------------------------------------------
SNIPPET = '''\
"""Docstring naming dall-e-3 is not residue."""
import openai
import openai as oa
from openai import OpenAI, Image as LegacyImage

client = OpenAI()
# client.images.generate(model="dall-e-3")  <- a comment
r = client.images.generate(model="dall-e-3", prompt="x", response_format="url", style="vivid", quality="hd", size="256x256")
e = client.images.edit(model="gpt-image-1.5", image=f, prompt="x", input_fidelity="high")
ok = client.images.edit(model="gpt-image-2.5-flare", image=f, prompt="x", input_fidelity="high", size="1024x1024")
print(r.data[0].url, r.data[0]["url"], getattr(r.data[0], "url"))
old = openai.Image.create(prompt="x")
older = oa.Image.create_variation(image=f)
oldest = LegacyImage.create_edit(image=f, prompt="x")
v = client.images.create_variation(image=f, size="512x512")
IMAGE_QUALITY = os.getenv("IMAGE_QUALITY", "standard")
settings = {"quality": "hd", "size": "512x512", "hd": "not a value"}
kw = dict(quality="standard")
def draw(prompt, size="256x256", *, thumb_size="1792x1024"):
    """Calls generate(model="dall-e-2")."""
    if prompt == "gpt-image-1-mini":
        return None
label = "standard"  # not a quality position
sizes = {"256x256": "small"}  # a key, not a value
'''


def _kinds(source: str):
    return [(i.line, i.kind, i.text) for i in scan_python(source).items]


def test_scanner_finds_each_kind_and_nothing_else():
    assert _kinds(SNIPPET) == [
        (8, "retired-model", '"dall-e-3"'),
        (8, "kw:response_format", 'response_format="url"'),
        (8, "kw:style", 'style="vivid"'),
        (8, "quality", '"hd"'),
        (8, "size", '"256x256"'),
        (9, "deprecated-model", '"gpt-image-1.5"'),
        (9, "kw:input_fidelity", 'input_fidelity="high"'),
        (11, "url-read", "r.data[0].url"),
        (11, "url-read", 'r.data[0]["url"]'),
        (11, "url-read", 'getattr(r.data[0], "url")'),
        (12, "legacy-api", "openai.Image.create"),
        (13, "legacy-api", "oa.Image.create_variation"),
        (13, "variation", "oa.Image.create_variation"),
        (14, "legacy-api", "LegacyImage.create_edit"),
        (15, "variation", "client.images.create_variation"),
        (15, "size", '"512x512"'),
        (16, "quality", '"standard"'),
        (17, "quality", '"hd"'),
        (17, "size", '"512x512"'),
        (18, "quality", '"standard"'),
        (19, "size", '"256x256"'),
        (21, "deprecated-model", '"gpt-image-1-mini"'),
    ]


def test_scanner_facts_come_from_the_catalogue():
    the_facts = facts()
    assert {"dall-e-2", "dall-e-3", "gpt-image-1"} <= the_facts.retired
    assert {"gpt-image-1.5", "gpt-image-1-mini", "chatgpt-image-latest"} <= the_facts.deprecated
    assert the_facts.rejected_keywords == {"response_format", "style", "input_fidelity"}
    assert the_facts.rejected_qualities == {"standard", "hd"}
    assert the_facts.size_rejected("256x256") and the_facts.size_rejected("512x512")
    assert not the_facts.size_rejected("1792x1024") and not the_facts.size_rejected("1024x1024")


def test_scanner_falls_back_to_tokens_when_ast_cannot_parse():
    scan = scan_python('print "py2"\nclient.images.generate(model="dall-e-3")\n')
    assert scan.scanned_with == "tokenize"
    assert [(i.line, i.kind) for i in scan.items] == [(2, "retired-model")]


def test_create_variation_arguments_are_within_the_call():
    (variation, size) = scan_python('c.images.create_variation(\n    image=f,\n    size="256x256",\n)\n').items
    assert (variation.kind, size.kind, size.line, size.within) == ("variation", "size", 3, 1)


NOTEBOOK_CELLS = [
    ("markdown", ['Uses dall-e-3 (markdown: not code)']),
    ("code", ["%pip install openai\n", "from openai import OpenAI\n", "client = OpenAI()\n"]),
    ("code", [
        "!echo dall-e-3\n",
        "result = client.images.generate(\n",
        '    model="dall-e-3", prompt="a heron", response_format="url", size="256x256"\n',
        ")\n",
    ]),
    ("code", ["from IPython.display import Image, display\n", "display(Image(url=result.data[0].url))\n"]),
    ("code", ["import webbrowser\n", "webbrowser.open(result.data[0].url)\n"]),
]


def _notebook(cells) -> str:
    return json.dumps({
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source, **({"outputs": [], "execution_count": None} if kind == "code" else {})}
            for kind, source in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }, indent=1)


def test_notebook_items_are_placed_in_their_cells():
    items = [(i.cell, i.line, i.kind) for i in scan_notebook(_notebook(NOTEBOOK_CELLS)).items]
    assert items == [
        (3, 3, "retired-model"),
        (3, 3, "kw:response_format"),
        (3, 3, "size"),
        (4, 2, "url-read"),
        (5, 2, "url-read"),
    ]


def test_notebook_has_no_silent_residue(tmp_path):
    """The corpus holds no notebook: this one goes through fix and check like a corpus case, so that
    findings are matched to items by cell."""
    source = tmp_path / "src" / "fixtures" / "demo.ipynb"
    source.parent.mkdir(parents=True)
    source.write_text(_notebook(NOTEBOOK_CELLS), encoding="utf-8")
    case = Case("fixtures", source, project=False, root=tmp_path / "src")
    outcome = run_case(case, tmp_path / "work")
    assert outcome.errors == []
    assert len(outcome.before) == 5
    # webbrowser.open needs a real URL: DM301 stays, in cell 5, and covers the read there.
    assert [(r.item.cell, r.item.kind) for r in outcome.after] == [(5, "url-read")]
    assert outcome.uncovered == []
    assert any(f["code"] == "DM301" and f["cell"] == 5 for f in outcome.findings)
