"""What one module's analysis read of its project, kept so that a later run can skip it.

A pre-commit run given one staged file analyses the project modules that make an image request
and reach it (their calls may take its values: the findings are in the staged file). In a large
package that is tens of modules, each parsed with LibCST, for a file that usually has nothing to
do with them. Yet an analysis is a function of what it reads: the modules it parsed, the files
whose bytes or stat it looked at, where imports resolved, which files' import lines mention a
name. Those are recorded (``Reads``) as the project answers them; a later run asks them again
(cheaply: a stat, a folder listing, the import index) and, when every answer is the same, the
analysis would read and find the same: if none of the modules it parsed is a file of the run,
none of its findings can be in one, and it is not run again.

Analyses share the project's parsed modules and what each module's resolvers remember, so an
analysis may use what an earlier one learnt without asking the project: each parsed module keeps
the reads of every analysis that used it, and an analysis that uses the module takes them over.

A `check` keeps each analysed file's result the same way (``Kept``): a file whose analysis
read only what is still the same gets its former result, unparsed.

Records are kept in the cache folder (``index.cache_folder``), under a key made of the tool's own
code and everything a run's settings bring to an analysis, written atomically like the index.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from . import __version__
from .index import Stamp, cache_file, load_document, save_document, settled

# Whether the project records what analyses read (the runner sets it: with the cache on, for every
# `check` and for a `fix` of a few files).
RECORDING = False

Answer = Tuple[Any, ...]  # (kind, *question): kinds are the project's (project.Project.still)


class Reads:
    """Files read, with the stamp each had (None: not there); the project's answers to other
    questions about the file system (``answers``: question -> answer); and the files parsed into
    modules (``parsed``: the only files its findings can be in)."""

    __slots__ = ("files", "answers", "parsed", "refreshed")

    def __init__(self) -> None:
        self.files: Dict[str, Optional[Stamp]] = {}
        self.answers: Dict[Answer, Any] = {}
        self.parsed: Set[str] = set()
        self.refreshed = False  # an answer asked again gave the same, from a file with a new stamp

    def merge(self, other: "Reads") -> None:
        if other is self:
            return
        self.files.update(other.files)
        self.answers.update(other.answers)
        self.parsed |= other.parsed

    def as_json(self, now_ns: int) -> Dict[str, Any]:
        """As kept: a stamp too recent to tell a later write by is kept unsettled (index.py)."""
        answers = []
        for question, answer in self.answers.items():
            if question[0] == "reimport" and answer[0] is not None:  # (stamp, what it re-imports)
                answer = (settled(answer[0], now_ns), answer[1])
            answers.append([list(question), _jsonable(answer)])
        return {
            "files": {path: list(settled(stamp, now_ns)) if stamp is not None else None for path, stamp in self.files.items()},
            "answers": answers,
            "parsed": sorted(self.parsed),
        }

    @classmethod
    def from_json(cls, document: Dict[str, Any]) -> "Reads":
        reads = cls()
        reads.files = {path: tuple(stamp) if stamp is not None else None for path, stamp in document["files"].items()}  # type: ignore[misc]
        reads.answers = {_hashable(question): _hashable(answer) for question, answer in document["answers"]}
        reads.parsed = set(document["parsed"])
        return reads


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


def _hashable(value: Any) -> Any:
    """JSON's lists back to the tuples the project answered with."""
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value


class Record:
    """One module's analysis: what it read, and the project files it imports (the walk to the
    next modules goes on through them when the analysis is skipped)."""

    __slots__ = ("reads", "imports")

    def __init__(self, reads: Reads, imports: List[str]) -> None:
        self.reads = reads
        self.imports = imports


# -- the records' file ---------------------------------------------------------------------------
_FORMAT = 1


def records_key(settings: Any, selection: Any) -> str:
    """What an analysis depends on besides the files: the tool's code (every module of the
    package and its catalogue data), the interpreter and LibCST, and the run's settings and
    rule selection."""
    parser = sys.modules.get("libcst._version")  # LibCST parses the modules: its version counts
    digest = hashlib.blake2b(f"{_FORMAT} {__version__} {sys.version} {getattr(parser, '__version__', '')}".encode(), digest_size=10)
    own = os.path.dirname(os.path.abspath(__file__))
    for folder, _, names in sorted(os.walk(own)):
        if os.path.basename(folder) == "__pycache__":
            continue
        for name in sorted(names):
            if name.endswith((".py", ".toml", ".json")):
                digest.update(name.encode())
                try:
                    with open(os.path.join(folder, name), "rb") as handle:
                        digest.update(handle.read())
                except OSError:
                    pass
    catalog = settings.catalog
    digest.update(repr((settings.target, settings.today.isoformat(), settings.unsafe_fixes, settings.azure_deployments)).encode())
    digest.update(repr((selection.select, selection.ignore, selection.per_file_ignores, str(selection.root))).encode())
    origin = getattr(catalog, "origin", "")
    digest.update(origin.encode("utf-8", "surrogatepass"))
    if os.path.isfile(origin):
        with open(origin, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def records_file(root: str, key: str) -> str:
    return cache_file(root, key, "reads")


def load_records(path: str, root: str) -> Dict[str, Record]:
    def read(document: dict) -> Dict[str, Record]:
        return {
            module: Record(Reads.from_json(entry["reads"]), list(entry["imports"]))
            for module, entry in document["records"].items()
        }

    return load_document(path, root, read, {})  # none yet, or damaged: the analyses run


def save_records(path: str, root: str, records: Dict[str, Record]) -> None:
    now = time.time_ns()
    document = {
        "root": root,
        "records": {module: {"reads": r.reads.as_json(now), "imports": r.imports} for module, r in records.items()},
    }
    save_document(path, document, prefix=".reads-")


def parsed_any(record: Record, files: Iterable[str]) -> bool:
    return not record.reads.parsed.isdisjoint(files)


# -- a file's own analysis, kept with what it read (check runs) ------------------------------------
# A file of a `check` run whose analysis read only what is still the same (itself included) finds
# what it found then: its result is taken from here, unparsed. Kept as JSON (a cache in the
# user's tree is data, never code to load).


def results_file(root: str, key: str) -> str:
    return cache_file(root, key, "results")


def results_key(settings: Any, selection: Any) -> str:
    """``records_key``, and the folder the run is in (messages name files relative to it)."""
    cwd = os.getcwd()
    return hashlib.blake2b(f"{records_key(settings, selection)} {cwd}".encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


class Kept:
    """One file's analysis: what it read, and what it found (``findings.FileResult``)."""

    __slots__ = ("reads", "result")

    def __init__(self, reads: Reads, result: Any) -> None:
        self.reads = reads
        self.result = result


def load_results(path: str, root: str) -> Dict[str, Kept]:
    from .findings import FileResult

    def read(document: dict) -> Dict[str, Kept]:
        kept = {}
        for module, entry in document["files"].items():
            result = FileResult(
                module,
                findings=[_finding(f) for f in entry["findings"]],
                foreign=[_finding(f) for f in entry["foreign"]],
                imports=[str(p) for p in entry["imports"]],
            )
            kept[module] = Kept(Reads.from_json(entry["reads"]), result)
        return kept

    return load_document(path, root, read, {})


def save_results(path: str, root: str, kept: Dict[str, Kept]) -> None:
    now = time.time_ns()
    document = {
        "root": root,
        "files": {
            module: {
                "reads": k.reads.as_json(now),
                "findings": [_finding_json(f) for f in k.result.findings],
                "foreign": [_finding_json(f) for f in k.result.foreign],
                "imports": list(k.result.imports),
            }
            for module, k in kept.items()
        },
    }
    save_document(path, document, prefix=".results-")


def _finding_json(f: Any) -> List[Any]:
    fix = None
    if f.fix is not None:
        fix = [f.fix.applicability.value, f.fix.message, [[e.start, e.end, e.content, e.local, e.path, e.digest] for e in f.fix.edits]]
    return [
        f.code, f.message, f.start, f.end, f.severity.value, fix, f.row, f.column, f.end_row, f.end_column, f.cell,
        [list(p) for p in f.fix_positions], f.path, [list(r) for r in f.reaches], f.companion, f.silenced, f.group, f.received,
    ]


def _finding(item: List[Any]) -> Any:
    from .findings import Applicability, Edit, Finding, Fix, Severity

    (code, message, start, end, severity, fix, row, column, end_row, end_column, cell, positions, path, reaches, companion, silenced, group, received) = item
    if fix is not None:
        applicability, fix_message, edits = fix
        fix = Fix(Applicability(applicability), fix_message, tuple(Edit(s, e, c, local=l, path=p, digest=d) for s, e, c, l, p, d in edits))
    return Finding(
        code, message, start, end, Severity(severity), fix, row, column, end_row, end_column, cell,
        tuple(tuple(p) for p in positions), path, tuple(tuple(r) for r in reaches), companion, silenced, group, received,  # type: ignore[arg-type]
    )
