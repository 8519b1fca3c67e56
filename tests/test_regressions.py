"""The inputs kept in fixtures/regressions/ (found by fuzz/fuzz_fix.py or the property tests)
go through check and fix, with and without --unsafe-fixes, and every invariant of
fuzz/invariants.py holds: no crash, a file that does not parse is DM900 and untouched, the
output parses, a second fix changes nothing, fix converges and creates no finding of its own,
line endings and comments survive, no rejected literal value is left unreported.

An input that shows a product bug not fixed yet is listed in KNOWN with the modes it fails in and
why: those cases are strict xfails, so they turn into failures (to be un-listed) once fixed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fuzz"))
import invariants as inv  # noqa: E402

from support import dedent, fixed  # noqa: E402

REGRESSIONS = ROOT / "fixtures" / "regressions"
FIXTURES = sorted(REGRESSIONS.glob("*.py"))

SAFE, UNSAFE = "safe", "unsafe"

# fixture -> (modes in which it fails, the bug), for a bug not fixed yet; the other fixtures
# showed bugs fixed since (see their .txt) and are plain regression tests.
KNOWN: dict = {}


def _cases():
    for path in FIXTURES:
        for mode in (SAFE, UNSAFE):
            marks = []
            modes, reason = KNOWN.get(path.name, (set(), ""))
            if mode in modes:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            yield pytest.param(path, mode, marks=marks, id=f"{path.stem}-{mode}")


@pytest.mark.parametrize("path,mode", list(_cases()))
def test_regression_input_keeps_the_invariants(path: Path, mode: str):
    text = inv.read_source(path)
    result = inv.run(text, unsafe=mode == UNSAFE)
    problems = inv.violations(result)
    assert not problems, "\n".join(map(str, problems)) + "\n---- fixed ----\n" + result.output


def test_every_known_bug_has_its_fixture():
    missing = sorted(set(KNOWN) - {p.name for p in FIXTURES})
    assert not missing, f"KNOWN lists fixtures that are not in {REGRESSIONS}: {missing}"


def test_fixtures_are_kept_byte_for_byte():
    """Each fixture has its note, and git must not touch its line endings (.gitattributes)."""
    assert (REGRESSIONS / ".gitattributes").read_text().split() == ["*", "-text"]
    for path in FIXTURES:
        assert path.with_suffix(".txt").exists(), f"{path.name} has no .txt note saying what it found"


# Found while writing the generator; they break no invariant, only the promise of edits "in the
# call's own layout" (fixed since, kept as tests).


def test_sole_argument_replaced_without_stray_comma():
    """DM204 deleted the only argument and DM103 inserted `model=..., ` before it:
    `generate(model="gpt-image-2", )`."""
    code = 'from openai import OpenAI\nOpenAI().images.generate(style="vivid")\n'
    assert fixed(code) == 'from openai import OpenAI\nOpenAI().images.generate(model="gpt-image-2")\n'


def test_leading_comma_last_argument_deleted_cleanly():
    """Deleting the last argument in leading-comma layout kept its comma on a line of its own."""
    code = dedent(
        """
        from openai import OpenAI
        OpenAI().images.generate(
            prompt="x"
            , model="gpt-image-2"
            , style="vivid"
        )
        """
    )
    expected = dedent(
        """
        from openai import OpenAI
        OpenAI().images.generate(
            prompt="x"
            , model="gpt-image-2"
        )
        """
    )
    assert fixed(code) == expected
