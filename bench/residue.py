"""Residue numbers for issue #12: constructs that cannot work on the target, before and after `fix`.

    python bench/residue.py [--subprocess] [--list]

Runs the corpus of tests/test_residue.py (every fixture, e2e program and e2e project, each copied
to a temporary folder) through `fix --today 2026-11-25` and `check`, with the independent scanner
of tests/residue_scan.py, and prints per corpus part and per kind of residue:

    before       residue items in the files before `fix`
    after        residue items left after `fix`
    covered      ... of those, covered by a finding of `check` on the fixed files
    allowlisted  ... not covered, but not an OpenAI image call (tests/test_residue.py ALLOWLIST)
    known bug    ... not covered, a known dalle-migrate bug (KNOWN_BUGS)
    silent       ... not covered and unexplained: silent residue (exit status 1 when any)

`--subprocess` runs each `fix`/`check` as `python -m dalle_migrate` (concurrently) instead of in
this process; `--list` also prints every item left uncovered.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from residue_scan import judge, render_table, run_corpus, tally  # noqa: E402
from test_residue import ALLOWLIST, CASES, KNOWN_BUGS  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subprocess", action="store_true", help="run the CLI as subprocesses")
    parser.add_argument("--jobs", type=int, default=None, help="concurrent subprocesses (with --subprocess)")
    parser.add_argument("--list", action="store_true", help="print every residue item left uncovered")
    args = parser.parse_args()

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dalle-migrate-residue-") as workdir:
        outcomes = run_corpus(Path(workdir), CASES, in_process=not args.subprocess, jobs=args.jobs)
    elapsed = time.perf_counter() - started

    counts = tally(outcomes, ALLOWLIST, KNOWN_BUGS)
    print(f"residue of {len(outcomes)} corpus cases, fix --today 2026-11-25 then check ({elapsed:.1f} s)\n")
    print(render_table(counts))
    errors = [(o.case.name, e) for o in outcomes for e in o.errors]
    for name, error in errors:
        print(f"ERROR {name}: {error}")
    if args.list:
        for outcome in outcomes:
            verdicts = judge(outcome, ALLOWLIST, KNOWN_BUGS)
            for label, entries in (("allowlisted", verdicts.allowlisted), ("known bug", verdicts.known), ("SILENT", verdicts.silent)):
                for residue in entries:
                    print(f"{label:12} {residue.describe()}")
    return 1 if errors or counts["part"]["all"]["silent"] else 0


if __name__ == "__main__":
    sys.exit(main())
