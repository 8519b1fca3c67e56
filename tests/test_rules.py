"""Every rule's own VALID / INVALID examples are its tests (Fixit style), and its page renders."""

from __future__ import annotations

import re

import pytest

from dalle_migrate.rules import ALL_RULES, RULES_BY_CODE, Rule
from support import dedent, findings, fixed

# A VALID example is Python source, or an object with ``code`` and ``filename`` (config files).
VALID = [(rule.code, i, example) for rule in ALL_RULES for i, example in enumerate(rule.VALID)]
INVALID = [(rule.code, i, case) for rule in ALL_RULES for i, case in enumerate(rule.INVALID)]


@pytest.mark.parametrize("code,index,source", VALID, ids=[f"{c}-valid-{i}" for c, i, _ in VALID])
def test_valid_example_does_not_fire(code, index, source):
    filename = getattr(source, "filename", "example.py")
    assert [f for f in findings(getattr(source, "code", source), filename=filename) if f.code == code] == []


@pytest.mark.parametrize("code,index,case", INVALID, ids=[f"{c}-invalid-{i}" for c, i, _ in INVALID])
def test_invalid_example_fires_and_fixes(code, index, case):
    options = dict(case.options or {}, filename=case.filename)
    reported = [f for f in findings(case.code, **options) if f.code == code]
    assert reported, f"{code} did not fire on its INVALID example {index}"
    rule = RULES_BY_CODE[code]
    for finding in reported:
        assert finding.severity == rule.severity
        assert finding.message
    if case.fixed is None:
        assert all(f.fix is None for f in reported), "an example without `fixed` must have no fix"
        assert fixed(case.code, unsafe=True, **options) == dedent(case.code) or code != "DM900"
        return
    assert all(f.fix is not None for f in reported)
    assert all(f.fix.applicability.value == ("unsafe" if case.unsafe else "safe") for f in reported)
    result = fixed(case.code, unsafe=case.unsafe, **options)
    assert result == dedent(case.fixed)
    # A second run has nothing left to do.
    assert fixed(result, unsafe=case.unsafe, **options) == result
    if case.unsafe:
        assert fixed(case.code, unsafe=False, **options) == dedent(case.code) or code != "DM102"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_page_has_every_section(rule: Rule):
    page = rule.page()
    for title in ("What it does", "Why", "Example", "Fix safety"):
        assert f"## {title}" in page, f"{rule.code} page lacks {title}"
    assert page.startswith(f"# {rule.name} ({rule.code})")
    assert rule.INVALID, f"{rule.code} has no INVALID example"


def test_codes_are_unique_and_well_formed():
    codes = [r.code for r in ALL_RULES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"DM\d{3}", c) for c in codes)
    names = [r.name for r in ALL_RULES]
    assert len(names) == len(set(names))
    assert codes == sorted(codes)


def test_fix_applicability_matches_examples():
    for rule in ALL_RULES:
        if rule.fix_applicability is None:
            assert all(case.fixed is None for case in rule.INVALID), rule.code


def test_rule_codes_from_file_names_match_the_registry():
    from dalle_migrate.selection import rule_codes

    assert rule_codes() == tuple(r.code for r in ALL_RULES)


class _Stub:
    """What the fixed code reads from an image call: ``.data[0].b64_json``."""

    def __init__(self) -> None:
        self.images = self

    def generate(self, **params):
        image = type("Image", (), {"b64_json": "QUJD", "url": None})()
        return type("Result", (), {"data": [image]})()


@pytest.mark.parametrize(
    "call",
    [
        'client.images.generate(model="dall-e-3", prompt=prompt).data[0].url',
        'client.images.generate(\n        model="dall-e-3",\n        prompt=prompt,  # the caption\n    ).data[0].url',
        'client.images.generate(model="dall-e-3", prompt=prompt + "\\u2603", user=\'x\').data[0].url.strip()',
    ],
    ids=["one-line", "several-lines", "both-quotes-and-backslash"],
)
def test_data_url_rewrite_runs(call):
    """DM301's data URL is an f-string where Python < 3.12 accepts one, else a parenthesized
    concatenation; either way the fixed code compiles and gives the same string."""
    source = f"from openai import OpenAI\nclient = OpenAI()\n\n\ndef url(prompt):\n    return {call}\n"
    out = fixed(source)
    assert ".url" not in out, out
    namespace: dict = {"OpenAI": _Stub}
    exec(compile(out.replace("from openai import OpenAI\n", ""), "fixed.py", "exec"), namespace)
    assert namespace["url"]("a fox") == "data:image/png;base64,QUJD"
