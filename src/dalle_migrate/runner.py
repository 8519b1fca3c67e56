"""A run over many files: read, prefilter, then analyse the few that survive.

Reading and the byte prefilter happen here, in the parent process, without importing LibCST
or the rules; only when a file survives is the engine imported. Surviving files are analysed in
worker processes when there are enough of them for that to pay off, and results come back in
the order of the files.
"""

from __future__ import annotations

import dataclasses
import gc
import marshal
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from .discover import NOTEBOOK_SUFFIXES, file_kind
from .findings import Applicability, FileResult, Finding
from .forks import RunQueue, SharedRuns, can_fork, child_answer, decoded, forked, share_runs
from .noqa import skips_file
from .prefilter import Prefilter, prefilter_for
from .source import read_bytes

if TYPE_CHECKING:  # (imported where needed: a run the scan decides alone never needs it)
    from . import reads

# Below this many surviving files, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 8
# Below this many files, reading them in one process is quicker than forking a helper: on the
# benchmark machine the split breaks even at about 400 of Django's files and saves a quarter at 800.
SPLIT_SCAN_MIN_FILES = 500


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class Progress:
    """``files done / total, findings, files/s`` on one standard-error line, redrawn in place."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.done = 0
        self.findings = 0
        self.started = time.monotonic()
        self._last = 0.0

    def advance(self, result: FileResult) -> None:
        self.add(1, len(result.findings) + len(result.fixed))

    def add(self, files: int, findings: int) -> None:
        self.done += files
        self.findings += findings
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.1 or self.done == self.total):
            self._last = now
            rate = self.done / max(now - self.started, 1e-6)
            sys.stderr.write(f"\r{self.done}/{self.total} files, {self.findings} findings, {rate:.0f} files/s ")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


# How many times `fix` runs over the files when a fix made in one file changes what another
# file's analysis finds (a settings module's model moved: the call's module now reads the
# target's table entry, which may need a fix of its own).
MAX_PASSES = 3


def run(
    files: Sequence[str],
    settings,
    selection,
    fix: bool,
    write: bool,
    display: Callable[[str], str],
    jobs: Optional[int] = None,
    progress: bool = False,
    excluded: Callable[[str], bool] = lambda path: False,
    ends_process: bool = False,
) -> List[FileResult]:
    """Check or fix ``files``. Every module is analysed as the others were before the run; so
    after a fix that edited a file from another file's analysis, the files are fixed again
    (up to ``MAX_PASSES``) until nothing more changes: one `fix` leaves what a second would.
    ``ends_process``: the process ends with the run (the command line), so the garbage of its
    last analysis is left to the exit."""
    done = _run_once(files, settings, selection, fix, write, display, jobs, progress, excluded, ends_process=ends_process and not (fix and write))
    if not (fix and write):
        return done
    fixed: Dict[str, List[Finding]] = {os.path.abspath(str(r.path)): list(r.fixed) for r in done}
    changed = {os.path.abspath(str(r.path)) for r in done if r.changed}
    for _ in range(MAX_PASSES - 1):
        # Another pass can only find more where files take findings from each other (a fix
        # that crossed files, or one another file's analysis left: its uses may have moved).
        crossed = any(f.group is not None or f.received for r in done for f in r.fixed + r.findings)
        if not crossed or not any(r.changed for r in done) or any(r.error for r in done if r.changed):
            break
        done = _run_once(files, settings, selection, fix, write, display, jobs, progress, excluded)
        for r in done:
            key = os.path.abspath(str(r.path))
            fixed.setdefault(key, []).extend(r.fixed)
            if r.changed:
                changed.add(key)
        if not any(r.changed for r in done):
            break
    for r in done:
        key = os.path.abspath(str(r.path))
        r.fixed = fixed.get(key, r.fixed)
        r.changed = r.changed or key in changed
    return done


def _run_once(
    files: Sequence[str],
    settings,
    selection,
    fix: bool,
    write: bool,
    display: Callable[[str], str],
    jobs: Optional[int] = None,
    progress: bool = False,
    excluded: Callable[[str], bool] = lambda path: False,
    ends_process: bool = False,
) -> List[FileResult]:
    prefilter = Prefilter(settings.catalog)
    project = sys.modules.get(f"{__package__}.project")  # never imported here: it brings LibCST
    if project is not None:
        project.new_run()  # files may have changed since another run in this process
    indexing = sys.modules.get(f"{__package__}.index")
    if indexing is not None:
        indexing.scanned_quiet((), 0)  # another run's scan proved nothing of this one's files
    # What each analysis reads of the project is recorded (reads.py): the next `check` takes the
    # result of a file whose reads are all the same, and the next run of a few files (pre-commit)
    # skips such neighbours' analyses.
    recording = bool(settings.cache) and (not fix or len(files) <= IMPORTERS_MAX_FILES)
    results: List[Optional[FileResult]] = [None] * len(files)
    survivors: List[Tuple[int, str, bytes]] = []
    speculation = None
    meter = Progress(len(files), progress)
    jobs = jobs or default_jobs()
    unproven: List[int] = []
    scanned_from = time.time_ns()
    gc.disable()  # the scan makes no cycles: nothing for the collector but time spent looking
    try:
        # `check` does not hold what the survivors hold: each is read again where it is analysed
        # (from the page cache), so a tree of large notebooks is never all in memory at once.
        # A survivor will be analysed unless a kept result spares it: LibCST and the rules are
        # then imported at the first one, while the scan's helper reads on (and every worker
        # forked later has them: each imported them, 0.15 s of CPU apiece).
        early = _import_engine if jobs > 1 and not (recording and not fix) else None
        _scan(files, prefilter, results, survivors, meter, jobs, keep=fix, unproven=unproven, on_survivor=early)
    finally:
        gc.enable()

    kept: Dict[str, Dict[str, reads.Kept]] = {}  # results file -> the results kept there
    keeping = recording and not fix and bool(survivors)
    if survivors:  # (imported only then: a tree the scan decides alone needs none of it)
        from . import reads

        reads.RECORDING = recording
    if keeping:
        key = reads.results_key(settings, selection)
        survivors = _take_kept(survivors, results, settings, key, kept)
    # The files the scan proved free of every image call's words: an analysis that reads the
    # project's index (who calls this function?) need not search them again in each worker.
    quiet = None
    if survivors:
        loud = set(unproven)
        quiet = ([files[i] for i, r in enumerate(results) if r is not None and r.skipped and i not in loud], scanned_from)
    job = (settings, selection, fix, write, recording, quiet)
    tasks = [(Path(path), data, display(path)) for _, path, data in survivors]
    if jobs > 1 and len(survivors) >= PARALLEL_MIN_FILES:
        from concurrent.futures import ProcessPoolExecutor  # only when it pays

        # Which project files import what (to find a function's callers) is read by a worker
        # when its analysis first needs it, not here: most runs never do, and reading the whole
        # project ahead of the workers was a fifth of a check of a 3,000-file tree that did not.
        # The settings (with the catalogue) go to each worker once, not with every file.
        # Costliest first: the one large module with an image call (a 4,000-line provider
        # module) starts at once instead of after a worker's share of small ones, and the small
        # ones fill the other workers meanwhile.
        order = sorted(range(len(survivors)), key=lambda i: -_cost(survivors[i], prefilter))
        # Without the cache, the first worker to read the project's index leaves it in a folder
        # of the run for the others (each read it whole: a fifth of a course repository's run).
        import shutil
        import tempfile

        shared = None if settings.cache else tempfile.mkdtemp(prefix="dalle-migrate-run-")
        try:
            with ProcessPoolExecutor(max_workers=min(jobs, len(survivors)), initializer=_start_worker, initargs=job + (shared,)) as pool:
                done = pool.map(_process, [tasks[i] for i in order], chunksize=max(1, len(tasks) // (jobs * 16)))
                for i, result in zip(order, done):
                    results[survivors[i][0]] = result
                    meter.advance(result)
        finally:
            if shared is not None:
                shutil.rmtree(shared, ignore_errors=True)
    elif survivors:  # no survivor, no LibCST import at all
        _start_worker(*job)
        # A few files checked: their neighbours are looked for beside their own analysis.
        if not fix and len(results) <= IMPORTERS_MAX_FILES and jobs > 1 and _can_fork():
            speculation = _start_speculation(results, survivors, settings, selection, prefilter, jobs)
        for number, ((index, _, _), task) in enumerate(zip(survivors, tasks), start=1):
            results[index] = _process(task, collect=not (ends_process and number == len(tasks)))
            meter.advance(results[index])  # type: ignore[arg-type]
    meter.close()
    if keeping:
        _keep_results(results, settings, key, kept)
    done = [r for r in results if r is not None]
    # What each file held before the run: fixes are computed on it, and a write checks the file
    # still holds it.
    read_before = {os.path.abspath(path): data for _, path, data in survivors if data is not None}
    neighbours = _finish_speculation(speculation, results) if speculation is not None else None
    if neighbours is None:
        neighbours = neighbour_findings(done, settings, selection, prefilter, jobs)
    if neighbours or any(r.foreign for r in done):
        done = settle_foreign(done, settings, selection, fix, write, display, read_before, neighbours, excluded)
    analysed_here = sys.modules.get(f"{__package__}.project")  # (imported by an analysis of this process)
    if analysed_here is not None and settings.cache:
        # What this process's own analyses read of the project (what a 500 KB module re-imports,
        # a twentieth of a second each time) is kept as the neighbour search keeps its own.
        analysed_here.project_for(settings).keep_resolved()
    if fix and write:
        from .engine import write_result

        # Nothing is written before every file is analysed: each module read the others as they were.
        for result in done:
            if result.pending is not None:
                write_result(result, read_before[os.path.abspath(str(result.path))])
    return done


T = TypeVar("T")

# How many imports away from a file of the run a module that may raise findings in it is looked
# for: views.py -> services.py -> images.py (whose call takes the model views.py passes).
NEIGHBOUR_HOPS = 3


def neighbour_findings(results: List[FileResult], settings, selection, prefilter: Prefilter, jobs: int = 1) -> List[Finding]:
    """Findings in the run's files that only the project modules they import can raise (a call
    there takes the model a function of the run passes it), when the run was not given those
    modules (pre-commit passes only the staged files). The modules are analysed, read-only;
    what they find in themselves is not reported (they are not part of the run)."""
    if len(results) > IMPORTERS_MAX_FILES and not any(r.imports for r in results):
        return []  # a tree whose files were all decided by the scan: nothing to follow
    in_run = {os.path.abspath(str(r.path)) for r in results}
    seen = set(in_run)
    frontier = [p for r in results for p in r.imports if p not in seen]
    if len(results) <= IMPORTERS_MAX_FILES:
        # A few files given (a pre-commit run): the modules that import them may take their
        # values (settings.py staged alone, images.py uses its model).
        from . import index

        index.SPLIT_READS = jobs > 1  # (the given files are analysed, or analysed beside: a CPU waits)

        def importers_meanwhile(candidates: List[str]) -> Dict[str, Tuple[List[str], List[str]]]:
            if candidates and f"{__package__}.engine" not in sys.modules:
                # Modules that import a file holding values are most likely analysed after:
                # LibCST is imported while a helper reads the project's index, if one does.
                index.BESIDE_READS = _import_engine
            try:
                return {path: _importer_parts(path, settings) for path in candidates}
            finally:
                index.BESIDE_READS = None

        # (Beside a compiled proof only where the project's index is kept: read without the
        # cache, it costs more than the proof, and is wasted when the proof clears the file.)
        meanwhile = importers_meanwhile if settings.cache else None
        holding, parts = _holding_values([p for p in sorted(in_run) if _is_python(p)], prefilter, settings, jobs, meanwhile)
        if parts is None and holding:
            # Found after the proof (no cache, or the proof's answers were kept): LibCST is
            # imported beside the helper's read all the same (0.1 s that was before the first
            # neighbour's analysis).
            parts = importers_meanwhile(holding)
        frontier += [p for p in _importers_of(holding, settings, parts) if p not in seen]
    project = None
    if frontier:  # (the project's layer brings LibCST: never imported for a run with nothing to follow)
        from .project import project_for

        project = project_for(settings)
    # What each neighbour's analysis read in an earlier run (reads.py): kept when nothing of it changed.
    records: Dict[str, "reads.Record"] = {}
    records_at = None
    if project is not None:
        from . import reads

        reads.RECORDING = bool(settings.cache) and len(results) <= IMPORTERS_MAX_FILES
    if project is not None and len(results) <= IMPORTERS_MAX_FILES:
        for path in in_run:  # its answers (an image caller or not) spare reading each module
            project.index(project.root(path))
    if project is not None and reads.RECORDING:
        root = project.root(sorted(in_run)[0])
        records_at = reads.records_file(root, reads.records_key(settings, selection))
        records = reads.load_records(records_at, root)
    recorded = False
    found: List[Finding] = []
    for hop in range(1, NEIGHBOUR_HOPS + 1):
        if not frontier:
            break
        last = hop == NEIGHBOUR_HOPS  # (what this hop's modules import is followed no further)
        following: List[str] = []
        analyse: List[Tuple[str, bytes, Optional[Tuple[int, int, int, int]]]] = []
        for path in dict.fromkeys(frontier):
            if path in seen:
                continue  # reached again in this hop, through another module
            seen.add(path)
            entry = project.indexed(path) if project is not None else None
            stamp = _stamp_of(path)  # before the bytes: a write after it leaves a stamp no record has
            if entry is None or entry.calls_images:
                try:
                    data = read_file(path)
                except OSError:
                    continue
                if skips_file(data):
                    continue
            if not (entry.calls_images if entry is not None else prefilter.may_call_images(data) and prefilter.code_may_call_images(data)):
                # It makes no image request: no finding of a run's file can come from it (a
                # value needs a call to be judged). A module further on may take what it passes
                # along (views -> services -> images): its imports are followed all the same.
                # (The project's index, when the run read it, has the proofs' answer.)
                if not last:
                    following += [p for p in _imports_of(path, settings) if p not in seen]
                continue
            record = records.get(path)
            if record is not None and not reads.parsed_any(record, in_run) and project.still(record.reads):  # type: ignore[union-attr]
                # Its analysis would read what it read then, and parsed no file of this run:
                # no finding of the run can come from it.
                following += [p for p in record.imports if p not in seen]
                recorded = recorded or record.reads.refreshed
                continue
            analyse.append((path, data, stamp))
        # The hop's analyses are independent of one another: run side by side when several.
        for (path, data, stamp), (outcome, log) in zip(analyse, _neighbour_analyses(analyse, settings, selection, jobs)):
            if log is not None and not outcome.error and stamp is not None:
                log.files[os.path.abspath(path)] = stamp  # the module itself (an early proof parses nothing)
                records[path] = reads.Record(log, list(outcome.imports))
                recorded = True
            found += [f for f in outcome.foreign if os.path.abspath(f.path or "") in in_run]
            following += [p for p in outcome.imports if p not in seen]
        frontier = following
    if recorded and records_at is not None:
        reads.save_records(records_at, root, records)
    if project is not None:
        project.keep_resolved()
    return found


# A hop with this many neighbours to analyse runs them in forked processes (each starts with
# what this one parsed and indexed: a fork costs a few milliseconds, an analysis tens).
NEIGHBOURS_IN_PARALLEL = 2
_NEIGHBOUR_JOB = None


def _neighbour_analyses(analyse: List[Tuple[str, bytes, object]], settings, selection, jobs: int) -> List[Tuple[FileResult, Optional["reads.Reads"]]]:
    """Each neighbour's analysis (read-only) with what it read of the project, in order."""
    global _NEIGHBOUR_JOB
    _NEIGHBOUR_JOB = (settings, selection)
    tasks = [(path, data) for path, data, _ in analyse]
    if jobs < 2 or len(tasks) < NEIGHBOURS_IN_PARALLEL or not _can_fork():
        return [_neighbour_analysis(task) for task in tasks]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from . import engine  # noqa: F401  (LibCST and the rules, imported once for every forked process)

    prefilter = prefilter_for(settings.catalog)
    order = sorted(range(len(tasks)), key=lambda i: -_cost((i, *tasks[i]), prefilter))  # the costliest first, as the tree's
    done: List[Optional[Tuple[FileResult, Optional["reads.Reads"]]]] = [None] * len(tasks)
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=multiprocessing.get_context("fork")) as pool:
        for i, outcome in zip(order, pool.map(_neighbour_analysis, [tasks[i] for i in order])):
            done[i] = outcome
    return done  # type: ignore[return-value]


def _neighbour_analysis(task: Tuple[str, bytes]) -> Tuple[FileResult, Optional["reads.Reads"]]:
    from .engine import process_data
    from .project import project_for

    path, data = task
    settings, selection = _NEIGHBOUR_JOB  # type: ignore[misc]
    project = project_for(settings)
    project.begin()
    gc.disable()  # (as for a file of the run: see _process)
    try:
        outcome = process_data(Path(path), data, settings, selection, fix=False, write=False)
        if not outcome.imports and not outcome.error:
            # An analysis that ended at an early proof gives no imports (a notebook whose only
            # call is in a cell that is no Python, a `%%writefile` one or a broken one): they are
            # read from its text, as for a module that makes no image request, and noted with
            # what it read (the next run follows them from its record).
            outcome.imports = project.imports_of_file(path)
    finally:
        log = project.end()
        _collect_after_file()
    return outcome, log


# Up to this many files in a run, the project modules that import them are analysed too (the
# project's import index is read for that: worth it for a pre-commit run, not for `check .`).
IMPORTERS_MAX_FILES = 50


def _holding_values(paths: List[str], prefilter: Prefilter, settings, jobs: int = 1, meanwhile: Optional[Callable[[List[str]], T]] = None) -> Tuple[List[str], Optional[T]]:
    """The run's modules that may hold a value an importer's call takes: the bytes proof, then
    the compiled one, whose answer is kept by the file's stamp (compiling a 500 KB module on
    every hook run was a third of a run that found nothing changed). With ``meanwhile``, when a
    compiled proof must be made, a forked helper makes it while this process runs
    ``meanwhile(the modules the bytes proof kept)``, whose answer comes back beside the modules
    (None when it did not run)."""
    candidates: List[str] = []
    decided: Dict[str, bool] = {}
    asked: List[Tuple[str, bytes, Optional[str], object]] = []  # compiled proofs to make: (path, bytes, root, stamp)
    kept: Dict[str, Tuple[str, Dict[str, Tuple[object, object]]]] = {}  # root -> (cache file, answers)
    for path in paths:
        stamp = _stamp_of(path)  # before the bytes: a write after it leaves a stamp no answer has
        try:
            data = read_file(path)
        except OSError:
            continue
        if not prefilter.may_hold_values(data, settings.target):
            continue  # (the bytes decide most files: no project layer, no cache read for them)
        candidates.append(path)
        if not settings.cache or stamp is None:
            asked.append((path, data, None, None))
            continue
        from . import index
        from .project import project_for

        absolute = os.path.abspath(path)
        root = project_for(settings).root(absolute)
        if root not in kept:
            at = index.cache_file(root, index.cache_key(f"values {settings.target} {prefilter.signature()}", ("prefilter.py",)), "values")
            kept[root] = (at, index.load_by_stamp(at, root))
        known = kept[root][1].get(absolute)
        if known is not None and known[0] == stamp:
            decided[path] = bool(known[1])
        else:
            asked.append((path, data, root, stamp))
    helper = None
    if asked and meanwhile is not None and jobs > 1 and _can_fork():
        from .project import only_bindings, project_for

        # What a module others import from re-imports was read by a former run: an importer's
        # analysis will ask again after this edit, so the helper reads it too (CPython's parse
        # of litellm's utils.py, 0.07 s, was on this process's path after the importers).
        project = project_for(settings)
        rebind = [root is not None and project.bindings_read_before(path) for path, _, root, _ in asked]

        def prove() -> bytes:
            found = [prefilter.code_may_hold_values(data, settings.target) for _, data, _, _ in asked]
            bindings = {i: only_bindings(data, stamp[2]) for i, (_, data, _, stamp) in enumerate(asked) if rebind[i]}
            return marshal.dumps((found, bindings))

        helper = forked(prove)
    early = None
    answers = None
    try:
        if helper is not None:
            early = meanwhile(candidates)  # type: ignore[misc]
    finally:
        if helper is not None:
            answer = decoded(child_answer(*helper))
            if isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[1], dict) and set(answer[1]) <= set(range(len(asked))):
                answers = answer[0]
                for i, bindings in answer[1].items():
                    path, _, _, stamp = asked[i]
                    project.offer_bindings(path, stamp, bindings)
    if not isinstance(answers, list) or len(answers) != len(asked):  # (no helper, or it failed)
        answers = [prefilter.code_may_hold_values(data, settings.target) for _, data, _, _ in asked]
    changed = set()  # roots whose answers changed
    for (path, _, root, stamp), holds in zip(asked, answers):
        decided[path] = bool(holds)
        if root is not None:
            kept[root][1][os.path.abspath(path)] = (stamp, bool(holds))
            changed.add(root)
    for root in changed:
        from . import index

        at, kept_answers = kept[root]
        index.save_by_stamp(at, root, kept_answers, kind="values")  # type: ignore[arg-type]
    return [path for path in candidates if decided[path]], early


def _stamp_of(path: str):
    from .index import file_stamp  # (not imported by a run the scan decides alone)

    return file_stamp(path)


def _is_python(path: str) -> bool:
    from .discover import file_kind

    return file_kind(Path(path)) == "python"


def _importers_of(paths: List[str], settings, known: Optional[Dict[str, Tuple[List[str], List[str]]]] = None) -> List[str]:
    """The project's modules that import one of ``paths`` (app.py passes settings.MODEL to a
    wrapper elsewhere: its imports are followed to that wrapper's call), then those that may make
    an image request and import one of ``paths`` through other modules (config.py re-exports
    settings.MODEL to images.py). ``known``: ``_importer_parts`` found already."""
    parts = [(known or {}).get(path) or _importer_parts(path, settings) for path in paths]
    found: Dict[str, None] = {}
    for importers, _ in parts:
        found.update(dict.fromkeys(importers))
    for _, callers in parts:
        found.update(dict.fromkeys(callers))
    return list(found)


def _importer_parts(path: str, settings) -> Tuple[List[str], List[str]]:
    """``_importers_of`` one module, in its two parts: the modules that import it, and those that
    may make an image request and reach it."""
    from .project import project_for

    project = project_for(settings)
    return project.importers(path), project.image_callers_importing(path, NEIGHBOUR_HOPS)


def _imports_of(path: str, settings) -> List[str]:
    from .project import project_for

    return project_for(settings).imports_of_file(path)


def settle_foreign(
    results: List[FileResult],
    settings,
    selection,
    fix: bool,
    write: bool,
    display: Callable[[str], str],
    read_before: Optional[Dict[str, bytes]] = None,
    neighbours: Sequence[Finding] = (),
    excluded: Callable[[str], bool] = lambda path: False,
) -> List[FileResult]:
    """Findings that calls raise in other modules of the project go to the files they are in.

    One definition reached from several calls is one finding naming them all. A file of the run
    that receives fixable findings is fixed again from its bytes before the run, with those
    fixes applied first (its own fixes are found again on the way); a file the run was not given
    gets a result of its own, and under ``fix`` nothing is written to it: its findings say so.
    A finding another module raises supersedes this file's own DM105 on the same literal (the
    literal is no mere string: a call uses it). Nothing is reported in a file the configuration
    excludes or git ignores (``excluded``)."""
    from .report.common import display_path

    by_file: Dict[str, Dict[Tuple[str, int, int], Finding]] = {}
    # What the other files' fixes rewrite in each file (a table key a model's move renames):
    # that file's own literal findings there are part of those fixes, not findings of their own.
    rewritten: Dict[str, List[Tuple[int, int]]] = {}
    for result in results + [FileResult("", foreign=list(neighbours))]:
        for finding in result.foreign:
            for edit in finding.fix.edits if finding.fix is not None else ():
                rewritten.setdefault(os.path.abspath(edit.path or finding.path or ""), []).append((edit.start, edit.end))
            found = by_file.setdefault(os.path.abspath(finding.path or ""), {})
            key = (finding.code, finding.start, finding.end)
            known = found.get(key)
            if known is None:
                found[key] = finding
            else:
                reaches = known.reaches + tuple(r for r in finding.reaches if r not in known.reaches)
                # Several calls, one definition: the least safe of their verdicts holds (an Azure
                # call's deployment may still serve DALL-E), whatever the order of the files.
                keep = finding if _less_safe(finding, known) else known
                found[key] = dataclasses.replace(keep, reaches=reaches)
        result.foreign = []
    index_of = {os.path.abspath(str(r.path)): i for i, r in enumerate(results)}
    by_file = {target: found for target, found in by_file.items() if target in index_of or not excluded(target)}
    incoming_by_file: Dict[str, List[Finding]] = {}
    silenced_by_file: Dict[str, List[Finding]] = {}
    groups: Dict[int, List[str]] = {}  # a fix that edits several files -> those files
    for target, found in sorted(by_file.items()):
        enabled = selection.for_file(Path(target)).enabled  # the file's own per-file ignores
        for finding in sorted(found.values(), key=lambda f: (f.start, f.code)):
            if finding.silenced or not enabled(finding.code):
                silenced_by_file.setdefault(target, []).append(finding)
                continue
            finding = _as_own(finding, display_path)
            parts = _by_file(finding, target)
            if len(parts) > 1:
                # A fix that edits several files is applied whole or not at all: every file it
                # edits must be one the run may write.
                refused = [(p, _why_not_written(p, p in index_of or not fix, write and fix)) for p in parts]
                refused = [(p, why) for p, why in refused if why]
                if refused or not fix:
                    if refused:
                        path, why = refused[0]
                        finding = _not_written(finding, f"the fix also edits {display_path(path)}, which {why}")
                else:
                    group = len(groups) + 1
                    groups[group] = sorted(parts)
                    finding = dataclasses.replace(finding, fix=dataclasses.replace(finding.fix, edits=parts.pop(target)), group=group)  # type: ignore[arg-type]
                    for other, edits in parts.items():
                        part = dataclasses.replace(finding, fix=dataclasses.replace(finding.fix, edits=edits), companion=True)  # type: ignore[arg-type]
                        incoming_by_file.setdefault(other, []).append(part)
            incoming_by_file.setdefault(target, []).append(finding)
    for target in sorted(silenced_by_file.keys() - incoming_by_file.keys()):
        incoming_by_file[target] = []

    def wanted(incoming: List[Finding]) -> bool:
        return any(f.fix is not None and f.fix.applies(settings.unsafe_fixes) for f in incoming)

    refix: List[str] = []  # the files fixed again, with the fixes other files' calls need there
    for target, incoming in sorted(incoming_by_file.items()):
        silenced = silenced_by_file.get(target, [])
        index = index_of.get(target)
        if index is None:  # not a file of this run: reported, never written
            if not incoming:
                continue
            if fix:
                incoming = [_not_written(f, f"{display_path(target)} was not among the files given to `fix`") for f in incoming]
            results.append(FileResult(Path(target), findings=_in_cells(target, [f for f in incoming if not f.companion]), outside=True))
        elif fix and wanted(incoming) and results[index].error is None:
            refix.append(target)
        else:
            results[index] = _merged(results[index], incoming, silenced, rewritten.get(target, ()))
    # A fix of several files whose part in one of them collides with another fix there is taken
    # out of all of them, and those files are fixed again: never half of it.
    redone: Dict[str, FileResult] = {}
    again = list(refix)
    for _ in range(len(groups) + 1):
        for target in again:
            redone[target] = _fixed_again(
                results[index_of[target]], target, incoming_by_file[target], settings, selection, write, display, read_before
            )
        applied = {target: {f.group for f in result.fixed if f.group} for target, result in redone.items()}
        broken = {g for g, files in groups.items() if len({g in applied.get(t, ()) for t in files}) > 1}
        if not broken:
            break
        for target in refix:
            incoming_by_file[target] = [
                _half_fix_refused(f) if f.group in broken else f
                for f in incoming_by_file[target]
                if not (f.companion and f.group in broken)
            ]
        again = sorted({t for group in broken for t in groups[group]} & set(refix))
        for group in broken:
            del groups[group]
    for target, result in redone.items():
        incoming = incoming_by_file[target]
        index = index_of[target]
        if result.error is None:
            result.foreign = []
            # A part of another file's fix is counted there, once.
            result.fixed = [f for f in result.fixed if not f.companion]
            own = [f for f in result.findings if not f.received]
            received = [f for f in result.findings if f.received and not f.companion]
            result.findings = sorted(
                _without_superseded(own, incoming + silenced_by_file.get(target, []), rewritten.get(target, ())) + received,
                key=lambda f: (f.row, f.column, f.code),
            )
        results[index] = result
    return results


def _less_safe(new: Finding, old: Finding) -> bool:
    rank = {None: 0, Applicability.UNSAFE: 1, Applicability.SAFE: 2}
    return rank[new.fix.applicability if new.fix else None] < rank[old.fix.applicability if old.fix else None]


def _merged(result: FileResult, incoming: List[Finding], silenced: List[Finding], rewritten: Sequence[Tuple[int, int]] = ()) -> FileResult:
    """A file's own findings with the ones other files' calls raise there (not fixed here)."""
    own = _without_superseded(result.findings, incoming + silenced, rewritten)
    target = os.path.abspath(str(result.path))
    mine = [dataclasses.replace(f, received=True) for f in _in_cells(target, [f for f in incoming if not f.companion])]
    return dataclasses.replace(
        result, path=Path(result.path), skipped=result.skipped and not mine,
        findings=sorted(own + mine, key=lambda f: (f.row, f.column, f.code)),
    )


def _fixed_again(result, target, incoming, settings, selection, write, display, read_before) -> FileResult:
    """The file fixed again from its bytes before the run, with ``incoming`` applied first."""
    from .engine import process_data

    path = Path(result.path)
    before = read_before.get(target) if read_before is not None else None
    if before is None:  # a file the prefilter skipped: nothing of this run wrote it
        try:
            before = read_file(str(path))
        except OSError as exc:
            return FileResult(path, error=_read_error(exc))
        if read_before is not None:
            read_before[target] = before
    return process_data(
        path, before, settings, selection, fix=True, write=write, display=display(str(result.path)),
        incoming=[_in_file(f) for f in sorted(incoming, key=_first_edit)], defer_write=True,
    )


def _first_edit(finding: Finding) -> Tuple[int, str]:
    """Where a finding's fix starts editing this file: incoming fixes are applied in that order
    (a part of another file's fix starts at its edit, not at the finding)."""
    edits = finding.fix.edits if finding.fix is not None else ()
    return (min((e.start for e in edits), default=finding.start), finding.code)


def _half_fix_refused(finding: Finding) -> Finding:
    """A fix of several files one part of which could not be applied: reported, not applied."""
    return dataclasses.replace(
        finding,
        fix=None,
        group=None,
        message=f"{finding.message} Not fixed: its edits in another file collide with another fix there; make it by hand.",
    )


def _in_cells(path: str, findings: List[Finding]) -> List[Finding]:
    """Findings placed in a notebook's joined code cells, re-placed in their cells."""
    from .discover import file_kind

    if not findings or file_kind(Path(path)) != "notebook":
        return findings
    from .cells import NotebookError, in_cell, join_cells, notebook_module

    try:
        _, cells = notebook_module(read_file(path).decode("utf-8"))
    except (OSError, UnicodeDecodeError, NotebookError):
        return findings
    starts = join_cells(cells)[1]
    return [in_cell(f, cells, starts, path) for f in findings]


def _by_file(finding: Finding, home: str) -> Dict[str, tuple]:
    """The finding's fix edits by the file they are in."""
    parts: Dict[str, list] = {}
    for edit in finding.fix.edits if finding.fix is not None else ():
        parts.setdefault(os.path.abspath(edit.path) if edit.path else home, []).append(edit)
    return {path: tuple(edits) for path, edits in parts.items()}


def _in_file(finding: Finding) -> Finding:
    """The finding as its own file's: edits in that file's offsets, naming no file."""
    if finding.fix is None:
        return dataclasses.replace(finding, received=True)
    edits = tuple(dataclasses.replace(e, path=None) for e in finding.fix.edits)
    return dataclasses.replace(finding, fix=dataclasses.replace(finding.fix, edits=edits), received=True)


def _as_own(finding: Finding, display_path: Callable[[str], str]) -> Finding:
    """A finding from another module's call, as one of its own file: its message names the
    calls it reaches."""
    places = [f"{display_path(path)}:{f'cell {cell}:' if cell else ''}{row}:{column}" for path, row, column, cell in finding.reaches]
    if len(places) == 1:
        where = f" Used by the image call at {places[0]}."
    elif places:
        shown = ", ".join(places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
        where = f" Used by the image calls at {shown}."
    else:
        where = ""
    return dataclasses.replace(finding, message=finding.message + where, path=None, reaches=())


def _why_not_written(path: str, given: bool, write: bool) -> str:
    """Why ``fix`` may not write this file as part of a fix of several files ('' if it may)."""
    if not given:
        return "was not among the files given to `fix`"
    try:
        data = read_file(path)
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if skips_file(data):
        return "is marked `# dalle-migrate: skip-file`"
    if write and os.path.islink(path):
        return "is a symbolic link"
    if write and info.st_nlink > 1:
        return "has other hard links"
    return ""


def _not_written(finding: Finding, why: str) -> Finding:
    if finding.fix is None or finding.companion:
        return finding
    return dataclasses.replace(finding, fix=None, message=f"{finding.message} Not fixed: {why}.")


def _without_superseded(own: List[Finding], incoming: List[Finding], rewritten: Sequence[Tuple[int, int]] = ()) -> List[Finding]:
    """A file's own findings less the ones that findings other modules' calls raise there
    repeat, or replace (a literal rule's, on a literal a call is known to use, or one that
    another file's fix rewrites: a use of a model value that moves with it)."""
    from .rules import RULES_BY_CODE

    spans = {(f.start, f.end) for f in incoming}
    codes = {(f.code, f.start, f.end) for f in incoming}

    def rewritten_here(finding: Finding) -> bool:
        return any(start <= finding.start and finding.end <= end for start, end in rewritten)

    return [
        f for f in own
        if (f.code, f.start, f.end) not in codes
        and not (RULES_BY_CODE[f.code].yields_to_call_findings and ((f.start, f.end) in spans or rewritten_here(f)))
    ]


# A configuration file is scanned as text, not parsed: its bytes cost about what a sixty-fourth
# of them would in a module (litellm's 3.4 MB price table, what a 50 KB module's analysis does).
CONFIG_COST_DIVISOR = 64
# A module that spells no image call was kept for a model id or a wrapper's word: the compiled
# proof ends most of them (a 300 KB router in 0.05 s, where a 127 KB provider module with a call
# takes 0.5 s).
UNCALLED_COST_DIVISOR = 8


def _cost(survivor: Tuple[int, str, Optional[bytes]], prefilter: Prefilter) -> int:
    """What analysing a survivor may cost, in bytes of a module's (the costliest go first)."""
    size = _size(survivor)
    kind = file_kind(Path(survivor[1]))
    if kind == "config":
        return size // CONFIG_COST_DIVISOR
    if kind == "python":
        try:
            data = survivor[2] if survivor[2] is not None else read_file(survivor[1])
        except OSError:
            return size
        return size if prefilter.spells_a_call(data) else size // UNCALLED_COST_DIVISOR
    return size


def _size(survivor: Tuple[int, str, Optional[bytes]]) -> int:
    if survivor[2] is not None:
        return len(survivor[2])
    try:
        return os.stat(survivor[1]).st_size
    except OSError:
        return 0


def _scan(
    files: Sequence[str],
    prefilter: Prefilter,
    results: list,
    survivors: list,
    meter: Progress,
    jobs: int,
    keep: bool = True,
    unproven: Optional[List[int]] = None,
    on_survivor: Optional[Callable[[], None]] = None,
) -> None:
    """Read every file; the ones that cannot have a finding are done (skipped) here. The
    skipped files whose bytes were not proven free of every image call's words (a notebook
    whose only call is outside its code, a file that skips itself) are added to ``unproven``.

    On a large tree with a second CPU, a forked helper reads and prefilters files too. The two
    take runs of files from one queue (a pipe both read: a read of a few bytes is atomic), so
    either may stop for other work and the other takes more: ``on_survivor`` runs here once,
    at this process's first survivor (the analysis's import, while the helper reads on).
    Reading is most of a repository-wide check. The helper sends back only what is not skipped
    (the few survivors, read errors), and the survivors are read again here."""
    unproven = [] if unproven is None else unproven
    shared = _start_helper(files, prefilter) if jobs > 1 and len(files) >= SPLIT_SCAN_MIN_FILES and _can_fork() else None
    for indices in shared if shared is not None else [range(len(files))]:
        found = _classify(files, indices, prefilter, meter, keep, unproven)
        for index, data, error in found:
            if error is None:
                survivors.append((index, files[index], data if keep else None))
            else:
                results[index] = FileResult(Path(files[index]), error=error)
        if on_survivor is not None and survivors:
            on_survivor()
            on_survivor = None
    if shared is not None:
        answer = _finish_helper(shared)
        theirs = shared.untaken()
        if answer is None:  # the helper failed: read its files here
            answer = (_classify(files, theirs, prefilter, keep=keep, unproven=unproven), [])
        found, their_unproven = answer
        unproven.extend(their_unproven)
        before = len(survivors)
        for index, data, error in found:
            if error is None:
                try:
                    survivors.append((index, files[index], (data if data is not None else read_file(files[index])) if keep else None))
                    continue
                except OSError as exc:
                    error = _read_error(exc)
            results[index] = FileResult(Path(files[index]), error=error)
        meter.add(len(theirs) - (len(survivors) - before), 0)
        survivors.sort(key=lambda survivor: survivor[0])
    surviving = {index for index, _, _ in survivors}
    for index, path in enumerate(files):
        if results[index] is None and index not in surviving:
            results[index] = FileResult(path, skipped=True)  # type: ignore[arg-type]  # a str: never used as a Path


def _classify(
    files: Sequence[str], indices: range, prefilter: Prefilter, meter: Optional[Progress] = None, keep: bool = True, unproven: Optional[List[int]] = None
) -> List[Tuple[int, Optional[bytes], Optional[str]]]:
    """``(index, data, None)`` for each file of ``indices`` that may have findings (``data``
    None unless ``keep``), ``(index, None, why)`` for each that cannot be read; the others are
    left out, and added to ``unproven`` when their bytes hold an image call's words all the
    same (``_scan``). The meter counts the files done here (all but the survivors)."""
    found: List[Tuple[int, Optional[bytes], Optional[str]]] = []
    may_have_findings, in_notebook_code = prefilter.may_have_findings, prefilter.notebook_code_may_have_findings
    for index in indices:
        try:
            data = read_file(files[index])
        except OSError as exc:
            found.append((index, None, _read_error(exc)))
        else:
            if may_have_findings(data):
                if (not files[index].endswith(NOTEBOOK_SUFFIXES) or in_notebook_code(data)) and not skips_file(data):
                    found.append((index, data if keep else None, None))
                    continue
                if unproven is not None:
                    unproven.append(index)
        if meter is not None:
            meter.add(1, 0)
    return found


def _read_error(exc: OSError) -> str:
    return f"cannot read: {exc.strerror or exc}"


def _import_engine() -> None:
    from . import engine  # noqa: F401


def _can_fork() -> bool:
    return can_fork()  # (a name of this module: tests force it under pytest-xdist's threads)


def _start_speculation(results: list, survivors: list, settings, selection, prefilter: Prefilter, jobs: int):
    """Forks a process that finds the run's neighbour findings while this one analyses the
    run's files, taking each file's imports from the project's index (what its analysis will
    give, for all but a few files); ``_finish_speculation`` uses its answer only if every file's
    analysis gave those imports. Neighbour analyses read the files from disk, not this run's
    results: only the imports they start from are guessed."""
    import pickle

    from . import discover

    discover.settle_prefetched()

    def speculate() -> bytes:
        from .project import project_for

        project = project_for(settings)
        analysed = {index: path for index, path, _ in survivors}
        guessed: Dict[int, List[str]] = {}
        given: List[FileResult] = []
        for index, result in enumerate(results):
            if result is None and index in analysed:
                guessed[index] = _guessed_imports(project, analysed[index])
                result = FileResult(Path(analysed[index]), imports=list(guessed[index]))
            if result is not None:
                given.append(result)
        return pickle.dumps((guessed, neighbour_findings(given, settings, selection, prefilter, jobs)))

    return forked(speculate)


def _guessed_imports(project, path: str) -> List[str]:
    """What a file's analysis will give as its imports: what the project's index resolves."""
    return list(project.imports_of_file(os.path.abspath(path)))


def _finish_speculation(speculation, results: list) -> Optional[List[Finding]]:
    """The speculation's neighbour findings, or None when it failed or guessed an import list
    the analysis did not give (the neighbours are then looked for as usual)."""
    import pickle

    answer = decoded(child_answer(*speculation), pickle.loads)
    if not (isinstance(answer, tuple) and len(answer) == 2):
        return None
    guessed, found = answer
    for index, imports in guessed.items():
        result = results[index]
        if result is None or list(result.imports) != list(imports):
            return None
    return found


def _start_helper(files: Sequence[str], prefilter: Prefilter) -> Optional[SharedRuns]:
    """Fork a process that classifies the runs of files it takes and sends back what
    ``_classify`` found (None: no helper could be made)."""

    def classify(runs: RunQueue) -> bytes:
        unproven: List[int] = []
        found = []
        for indices in runs:
            found += _classify(files, indices, prefilter, keep=False, unproven=unproven)
        return marshal.dumps((found, unproven))

    return share_runs(len(files), classify)


def _finish_helper(shared: SharedRuns) -> Optional[Tuple[list, List[int]]]:
    """The helper's result (what ``_classify`` found, and the unproven), or None if it did not
    deliver one."""
    return decoded(shared.finish())


def read_file(path) -> bytes:
    """``source.read_bytes``: a name of this module, which tests replace to see what a run reads."""
    return read_bytes(path)


_JOB: tuple = ()  # (settings, selection, fix, write) of the run this process works for
_PROCESSED = 0  # files this process analysed
FULL_COLLECTION_EVERY = 64


def _take_kept(survivors, results: list, settings, key: str, kept: Dict[str, Dict[str, "reads.Kept"]]):
    """The survivors whose former analysis (reads.Kept) read only what is still the same get its
    result; the others are returned, to be analysed."""
    from . import reads
    from .project import project_for

    project = project_for(settings)
    left = []
    for survivor in survivors:
        index, path, _ = survivor
        absolute = os.path.abspath(path)
        root = project.root(absolute)
        at = reads.results_file(root, key)
        if at not in kept:
            kept[at] = reads.load_results(at, root)
        former = kept[at].get(absolute)
        if former is not None and project.still(former.reads):
            results[index] = dataclasses.replace(former.result, path=Path(path))
            continue
        left.append(survivor)
    return left


def _keep_results(results: list, settings, key: str, kept: Dict[str, Dict[str, "reads.Kept"]]) -> None:
    """Keeps, with what it read, the result of each file this run analysed (not one that failed)."""
    from . import reads
    from .project import project_for

    project = project_for(settings)
    changed = set()
    for result in results:
        if result is None or result.reads is None or result.error is not None:
            continue
        absolute = os.path.abspath(str(result.path))
        root = project.root(absolute)
        at = reads.results_file(root, key)
        if at not in kept:
            kept[at] = reads.load_results(at, root)
        kept[at][absolute] = reads.Kept(result.reads, dataclasses.replace(result, reads=None))  # type: ignore[arg-type]
        changed.add((at, root))
    for at, root in sorted(changed):
        reads.save_results(at, root, kept[at])


def _start_worker(settings, selection, fix: bool, write: bool, recording: bool = False, quiet=None, shared: Optional[str] = None) -> None:
    global _JOB
    _JOB = (settings, selection, fix, write)
    from . import index, reads

    reads.RECORDING = recording  # (a worker process starts with the module's default)
    if quiet is not None:
        index.scanned_quiet(*quiet)
    index.SHARED_FOLDER = shared
    from . import engine  # noqa: F401  LibCST and the rules, before the freeze below

    # Everything imported so far lives as long as the process: the collector need not look at it.
    gc.freeze()


def _collect_after_file() -> None:
    gc.enable()
    # The cycles a file's analysis made are all young: collecting the youngest generation frees
    # them without walking the modules kept for the next files (a full collection per file did,
    # and cost four times the analysis when the project kept 32 modules); a full one now and
    # then catches whatever older lingers.
    global _PROCESSED
    _PROCESSED += 1
    gc.collect() if _PROCESSED % FULL_COLLECTION_EVERY == 0 else gc.collect(0)


def _process(task, collect: bool = True) -> FileResult:
    from .engine import process_data  # LibCST and the rules: only for files that survived

    path, data, display = task
    settings, selection, fix, write = _JOB
    stamp = None
    if data is None:  # a `check`: the scan kept only the path
        stamp = _stamp_of(str(path))  # before the bytes: a write after it leaves a stamp no record has
        try:
            data = read_file(str(path))
        except OSError as exc:
            return FileResult(path, error=_read_error(exc))
    # A parse makes tens of thousands of objects that live until the file is done: collecting
    # while they are built costs a third of the time (measured), collecting once after is cheap.
    gc.disable()
    from .project import project_for

    project_for(settings).begin()
    result = None
    try:
        result = process_data(path, data, settings, selection, fix=fix, write=write, display=display, defer_write=fix and write)
        return result
    except Exception as exc:  # a bug of ours must not lose the other files' results
        return FileResult(path, error=f"internal error: {type(exc).__name__}: {exc}")
    finally:
        project = project_for(settings)
        log = project.end()
        if log is not None and result is not None and stamp is not None and not fix:
            log.files[os.path.abspath(str(path))] = stamp  # itself (an early proof parses nothing)
            result.reads = log
        project.trim()  # a dropped module is untied: freed at once
        if collect:  # (else the process ends with the run: the collector stays off till then)
            _collect_after_file()
