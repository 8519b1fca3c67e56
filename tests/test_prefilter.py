"""The early exit is sound: a file the byte prefilter skips has no finding, of its own or in
another module (analysed anyway, in its project, it reports nothing), on every file of the
corpus: fixtures, regression inputs, end-to-end programs and projects."""

from __future__ import annotations

from pathlib import Path

import pytest

from dalle_migrate.engine import process_data
from dalle_migrate.prefilter import Prefilter
from dalle_migrate.selection import Selection
from support import settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted(
    p
    for folder in (ROOT / "fixtures", ROOT / "tests" / "e2e" / "programs", ROOT / "tests" / "e2e" / "projects")
    for p in folder.rglob("*")
    if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".ipynb", ".env", ".yaml", ".yml", ".toml", ".json", ".ini", ".cfg")
)


def test_the_corpus_has_files_of_both_kinds() -> None:
    prefilter = Prefilter(settings().catalog)
    kept = [p for p in CORPUS if prefilter.may_have_findings(p.read_bytes())]
    assert kept and len(kept) < len(CORPUS)


@pytest.mark.parametrize("path", CORPUS, ids=[p.relative_to(ROOT).as_posix() for p in CORPUS])
def test_a_skipped_file_has_no_finding(path: Path) -> None:
    data = path.read_bytes()
    options = settings()
    if Prefilter(options.catalog).may_have_findings(data):
        return  # kept: the other tests hold what it reports
    result = process_data(path, data, options, Selection(select=("DM",)), fix=False, write=False)
    assert result.error is None
    assert [f.code for f in result.findings] == [] and [f.code for f in result.foreign] == []
