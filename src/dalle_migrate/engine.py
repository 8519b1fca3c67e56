"""One file through the pipeline: bytes -> prefilter -> parse -> image calls -> rules -> fixes.

``analyze`` reports; ``fix`` applies fixes until none is left (each round re-parses, so a
second run has nothing to do), checks that the result parses, and only then ``process_file``
writes it back atomically with the file's own encoding, BOM and line endings.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import difflib
import functools
import importlib
import itertools
import os
import re
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from .context import ModuleContext, Settings, UnfaithfulParse
from .calls import find_image_calls
from .http_requests import find_http_requests
from .tools import find_tool_configs
from .wrappers import forwarded_requests
from .findings import Edit, FileResult, Finding, Fix, Severity, apply_fixes, text_digest
from .prefilter import prefilter_for
from .project import project_for
from .noqa import skips_file, suppressed
from .selection import Selection
from .source import FileChangedError, LineIndex, SourceError, SourceText, atomic_write, read_bytes

PARSE_ERROR = "DM900"
_MAX_ROUNDS = 10


class InternalError(Exception):
    """A fix produced code that does not parse: a bug in dalle-migrate, never written."""


def analyze(ctx: ModuleContext, selection: Selection, foreign: Optional[List[Finding]] = None) -> List[Finding]:
    """The module's findings, in source order. Findings on values another module of the project
    defines (``Finding.path``) go to ``foreign`` instead, placed in that module's text and
    marked with the call they reach; without ``foreign`` they are dropped."""
    from .rules._common import on_azure_deployment

    rules = selection.rules()
    findings: List[Finding] = []
    seen = set()
    calls = find_image_calls(ctx)
    tool_configs = find_tool_configs(ctx)
    forwarded = forwarded_requests(ctx)
    http = find_http_requests(ctx)
    placed: Dict[tuple, int] = {}  # key of a finding placed elsewhere -> its index in ``foreign``
    for rule in rules:
        produced = [(f, None) for f in rule.check_module(ctx)]
        judged = calls + (tool_configs if rule.judges_tool_configs else []) + (forwarded if rule.judges_wrapper_calls else [])
        judged += http if rule.judges_http_requests else []
        for call in judged:
            found = rule.check_call(call, ctx)
            if call.azure and rule.judges_target_parameters:
                found = [on_azure_deployment(f, call, ctx) for f in found]
            produced.extend((f, call) for f in found)
        for finding, call in produced:
            if finding.path is not None and finding.path == ctx.path:
                finding = _as_this_module(ctx, finding)
                if finding is None:
                    continue
            spans_files = finding.fix is not None and any(e.path is not None for e in finding.fix.edits)
            if finding.path is not None or spans_files:
                elsewhere = _placed_elsewhere(ctx, finding, call)
                if elsewhere is None or foreign is None:
                    continue
                known = placed.get(finding.key)
                if known is None:
                    placed[finding.key] = len(foreign)
                    foreign.append(elsewhere)
                else:  # one definition, several calls of this module: one finding naming them all
                    earlier = foreign[known]
                    reaches = earlier.reaches + tuple(r for r in elsewhere.reaches if r not in earlier.reaches)
                    foreign[known] = dataclasses.replace(earlier, reaches=reaches)
                continue
            if finding.key in seen:  # one definition shared by several calls: one finding
                continue
            seen.add(finding.key)
            if not suppressed(ctx.lines.line_text(ctx.lines.position(finding.start)[0]), finding.code):
                findings.append(finding)
    findings.sort(key=lambda f: (f.start, f.code))
    return findings


def _as_this_module(ctx: ModuleContext, finding: Finding) -> Optional[Finding]:
    """A finding on this module's own code reached through an import cycle (``settings``
    imports a constant from the module that imports ``settings``): the project's copy of this
    file, when it holds the text analysed here, has the same offsets: the finding is this
    module's. None when the file on disk differs (a later round of fix)."""
    copy = ctx.project.context(ctx.path) if ctx.project is not None and ctx.path else None
    if copy is None or copy.text != ctx.text:
        return None
    fix = finding.fix
    if fix is not None:
        fix = dataclasses.replace(fix, edits=tuple(dataclasses.replace(e, path=None) if e.path == ctx.path else e for e in fix.edits))
    return dataclasses.replace(finding, path=None, fix=fix)


def _placed_elsewhere(ctx: ModuleContext, finding: Finding, call) -> Optional[Finding]:
    """A finding in another module, or one whose fix also edits other modules, for the runner:
    positioned in its module's text, every edit naming its file, marked with the call it
    reaches; None when its line suppresses it."""
    project = ctx.project
    if project is None or ctx.path is None:
        return None
    if finding.path is None:
        owner = ctx
    else:
        owner = project.context(finding.path)
        if owner is None or owner.path == ctx.path:
            return None  # the module itself, reached through an import cycle: its own analysis reports it
    if owner is not ctx and skips_file(owner.text.encode("utf-8", "surrogatepass")):
        return None  # `# dalle-migrate: skip-file`: nothing is reported there, nothing written
    lines = owner.lines
    # A suppressed finding still travels, silenced: it tells the runner that the literal is a
    # call's value (no mere string for DM105), and is then dropped.
    silenced = finding.silenced or suppressed(lines.line_text(lines.position(finding.start)[0]), finding.code)
    reaches = finding.reaches  # a rule may name the call itself (a result read elsewhere)
    if call is not None and owner is not ctx:
        row, column = ctx.lines.position(ctx.span(call.node)[0])
        reaches = ((ctx.path, row, column + 1, None),)
    fix = finding.fix
    if fix is not None:
        # Every edit names its file and the text its offsets are in: it is applied to that text
        # only (the runner hands it to the file's fix, which checks).
        def placed(edit: Edit) -> Edit:
            path = edit.path or ctx.path
            if edit.digest is None:
                home = ctx if path == ctx.path else project.context(path)
                edit = dataclasses.replace(edit, digest=text_digest(home.text) if home is not None else -1)
            return dataclasses.replace(edit, path=path)

        fix = dataclasses.replace(fix, edits=tuple(placed(e) for e in fix.edits))

    def lines_of(path: str) -> LineIndex:
        other = ctx if path == ctx.path else project.context(path)
        return other.lines if other is not None else lines

    placed = _positioned([dataclasses.replace(finding, fix=fix, path=owner.path)], lines, lines_of)[0]
    return dataclasses.replace(placed, reaches=reaches, silenced=silenced)


@dataclass
class TextResult:
    text: str
    findings: List[Finding]  # what remains, positioned in ``text``
    fixed: List[Finding] = field(default_factory=list)
    # Findings in other modules of the project (Finding.path), positioned in their text.
    foreign: List[Finding] = field(default_factory=list)
    imports: List[str] = field(default_factory=list)  # files of the project modules it imports
    # Fixes that could not be written (the code they produced does not parse): dropped, the
    # file's other fixes applied; each says which finding it belonged to and why.
    failed: List[str] = field(default_factory=list)


def _context(text: str, settings: Settings, newline: str, filename: Optional[str], python_parses: bool = False) -> ModuleContext:
    """The parsed module; one of a file is a module of that file's project (imports resolve)."""
    path = os.path.abspath(filename) if filename and filename != "-" else None
    project = project_for(settings) if path else None
    ctx = ModuleContext(text, settings, newline, path=path, project=project, python_parses=python_parses)
    if project is not None:
        project.adopt(path, ctx)
    return ctx


def check_text(
    text: str, settings: Settings, selection: Selection, newline: str = "\n", filename: Optional[str] = None, python_parses: bool = False
) -> TextResult:
    """The findings of a module's text (``python_parses``: CPython's parser accepted it)."""
    if not prefilter_for(settings.catalog).code_may_have_findings(text):
        return TextResult(text, [])  # proven without LibCST: no image call, no model id in code
    try:
        ctx = _context(text, settings, newline, filename, python_parses)
    except (cst.ParserSyntaxError, cst.CSTValidationError, UnfaithfulParse) as exc:
        return _unparsable(text, exc, selection)
    foreign: List[Finding] = []
    findings = _positioned(analyze(ctx, selection, foreign), ctx.lines)
    return TextResult(text, findings, foreign=foreign, imports=_imports(ctx))


def _imports(ctx: ModuleContext) -> List[str]:
    project = ctx.project
    return project.imports_of(ctx) if project is not None else []


def fix_text(
    text: str,
    settings: Settings,
    selection: Selection,
    newline: str = "\n",
    filename: Optional[str] = None,
    incoming: Sequence[Finding] = (),
    python_parses: bool = False,
) -> TextResult:
    """Apply every applicable fix, round after round, until the code is stable (``python_parses``:
    CPython's parser accepted the text).

    A round re-parses and re-analyses the new text, unless nothing the fixes changed can change
    what is left (see ``_carried_over``): then the new text is only checked to parse.
    ``incoming`` are findings other modules' calls raise on this one's values (their fixes are
    in this text's offsets): they are applied in the first round together with this text's own
    fixes, every one of them computed on this same text (fixes of one value's move share
    edits: applied together, identical edits count once); where they collide, the incoming
    ones win (another file holds the rest of their fix)."""
    fixed: List[Finding] = []
    original = text
    if not incoming and not prefilter_for(settings.catalog).code_may_have_findings(text):
        return TextResult(text, [])  # proven without LibCST: no image call, no model id in code
    try:
        ctx = _context(text, settings, newline, filename, python_parses)
    except (cst.ParserSyntaxError, cst.CSTValidationError, UnfaithfulParse) as exc:
        result = _unparsable(text, exc, selection)
        result.findings = sorted(result.findings + _positioned(list(incoming), LineIndex(text)), key=lambda f: (f.row, f.column, f.code))
        return result
    foreign: List[Finding] = []
    findings = analyze(ctx, selection, foreign)
    imports = _imports(ctx)
    result = _fix_rounds(ctx, findings, fixed, settings, selection, newline, filename, incoming)
    if result.text != original and not _compiles(result.text) and _compiles(original):
        # Never reached while every round checks its result (``_writable``); kept as the last
        # guard: nothing is written that the running Python rejects.
        raise InternalError("a fix produced code this Python rejects, though it accepted the original; nothing was written")
    result.foreign = foreign
    result.imports = imports
    result.findings = sorted(result.findings, key=lambda f: (f.row, f.column, f.code))
    return result


def _fix_rounds(
    ctx: ModuleContext,
    findings: List[Finding],
    fixed: List[Finding],
    settings: Settings,
    selection: Selection,
    newline: str,
    filename: Optional[str],
    incoming: Sequence[Finding] = (),
) -> TextResult:
    left_incoming: List[Finding] = []  # incoming findings not fixed here, placed in their text
    failed: List[str] = []
    # A fix computed on another text than this one is never applied to it (its offsets would
    # land elsewhere): reported, for the next run to compute again.
    digest = text_digest(ctx.text)
    incoming = [
        f if f.fix is None or all(e.digest in (None, digest) for e in f.fix.edits)
        else dataclasses.replace(f, fix=None, message=f"{f.message} Not fixed: it was computed on another version of this file; run `fix` again.")
        for f in incoming
    ]
    broken: set = set()  # fixes (by what they edit) already found to break the code
    must_compile = _compiles(ctx.text)
    for round_ in range(_MAX_ROUNDS):
        received = list(incoming) if round_ == 0 else []
        fixable = [
            f for f in received + findings
            if f.fix is not None and f.fix.applies(settings.unsafe_fixes) and _fix_key(f) not in broken
        ]
        if not fixable:
            left_incoming = _positioned(received, ctx.lines) if received else left_incoming
            break
        new_text, applied = apply_fixes(ctx.text, [f.fix for f in fixable])  # type: ignore[misc]
        if new_text != ctx.text and not _writable(new_text, must_compile):
            # One fix broke the code: find it (and any other), drop it, keep the others.
            new_text, applied, dropped = _without_breaking(ctx.text, fixable, must_compile)
            for finding in dropped:
                broken.add(_fix_key(finding))
                row, column = ctx.lines.position(finding.start)
                failed.append(
                    f"the fix of {finding.code} at {row}:{column + 1} produced code that does not parse; it was not "
                    "applied (the file's other fixes were). Please report it."
                )
            findings = [dataclasses.replace(f, fix=None) if f in dropped else f for f in findings]
        applied_ids = {id(fix) for fix in applied}
        if received:
            left_incoming = _positioned([f for f in received if f.fix is None or id(f.fix) not in applied_ids], ctx.lines)
        if not applied or new_text == ctx.text:
            break
        fixed.extend(f for f in fixable if id(f.fix) in applied_ids)
        left = [f for f in findings if f.fix is None or id(f.fix) not in applied_ids]
        carried = _carried_over(left, fixable, applied, settings) if not received and not failed else None
        if carried is not None and _compiles(ctx.text) and _compiles(new_text):
            lines = LineIndex(new_text)
            kept = [f for f in carried if not suppressed(lines.line_text(lines.position(f.start)[0]), f.code)]
            return TextResult(new_text, _positioned(kept, lines) + left_incoming, fixed)
        try:
            ctx = _context(new_text, settings, newline, filename)
        except (cst.ParserSyntaxError, cst.CSTValidationError, UnfaithfulParse) as exc:
            raise InternalError(f"a fix produced code that does not parse ({exc}); nothing was written") from exc
        # A finding whose fix broke the code stays reported, without its fix.
        findings = [dataclasses.replace(f, fix=None) if _fix_key(f) in broken else f for f in analyze(ctx, selection)]
    result = TextResult(ctx.text, _positioned(findings, ctx.lines) + left_incoming, fixed)
    result.failed = failed
    return result


def _fix_key(finding: Finding) -> Tuple[str, str]:
    """What a fix is across rounds (offsets move): its rule and what its edits write."""
    edits = finding.fix.edits if finding.fix is not None else ()
    return finding.code, "\x00".join(f"{e.path}:{e.content}" for e in edits) + f"@{finding.message}"


def _writable(text: str, must_compile: bool) -> bool:
    """The running Python compiles the text, when it compiled the original (the Python the
    user's code runs on is the judge); else LibCST parses it (it accepts what newer Pythons do).
    (Both, each round, was a LibCST parse more per file: a third of a `fix` of a tree full of
    calls; a round that analyses its result parses it with LibCST anyway, and says so if it
    cannot.)"""
    if must_compile:
        return _compiles(text)
    try:
        cst.parse_module(text)
    except (cst.ParserSyntaxError, cst.CSTValidationError, RecursionError):
        return False
    return True


def _without_breaking(text: str, fixable: Sequence[Finding], must_compile: bool) -> Tuple[str, List[Fix], List[Finding]]:
    """The fixes applied one after the other, each kept only when the code still parses: (the
    text, the fixes applied, the findings whose fix was dropped)."""
    chosen: List[Fix] = []
    dropped: List[Finding] = []
    current = text
    for finding in fixable:
        trial, applied = apply_fixes(text, chosen + [finding.fix])  # type: ignore[list-item]
        if finding.fix not in applied:
            continue  # collides with a chosen one: the next round applies it
        if trial == current or _writable(trial, must_compile):
            chosen.append(finding.fix)  # type: ignore[arg-type]
            current = trial
        else:
            dropped.append(finding)
    return current, chosen, dropped


def _carried_over(left: Sequence[Finding], fixable: Sequence[Finding], applied: Sequence[Fix], settings: Settings) -> Optional[List[Finding]]:
    """The findings left after one round, moved to the new text, or None when only analysing
    the new text can tell: a fixable finding was held back by a colliding edit (another round
    applies it), a fix reshaped a call, or an edit touches what a finding covers or would edit."""
    from .rules import RULES_BY_CODE

    applied_ids = {id(fix) for fix in applied}
    if any(id(f.fix) in applied_ids and RULES_BY_CODE[f.code].fix_reshapes_call for f in fixable):
        return None
    if not all(e.local for fix in applied for e in fix.edits):
        return None  # e.g. a call moved to another enum member: what reads the old one changed
    if any(f.fix is not None and f.fix.applies(settings.unsafe_fixes) for f in left):
        return None
    edits = sorted({e for fix in applied for e in fix.edits})  # applied edits never overlap
    ends = [e.end for e in edits]
    shifts = list(itertools.accumulate(len(e.content) - (e.end - e.start) for e in edits))

    def moved(start: int, end: int) -> Optional[Tuple[int, int]]:
        before = bisect.bisect_left(ends, start)  # the edits that end before ``start``
        if before < len(edits) and edits[before].start <= end:
            return None  # an edit touches the range: its text may differ now
        delta = shifts[before - 1] if before else 0
        return start + delta, end + delta

    out = []
    for finding in left:
        span = moved(finding.start, finding.end)
        if span is None:
            return None
        fix = finding.fix
        if fix is not None:
            new_edits = []
            for e in fix.edits:
                place = moved(e.start, e.end)
                if place is None:
                    return None
                new_edits.append(Edit(place[0], place[1], e.content))
            fix = dataclasses.replace(fix, edits=tuple(new_edits))
        out.append(dataclasses.replace(finding, start=span[0], end=span[1], fix=fix))
    return out


@functools.lru_cache(maxsize=4)  # a round asks about its text and its result more than once
def _compiles(text: str) -> bool:
    """CPython compiles the text (nothing is run). Carrying findings over is only sound for code
    Python accepts: in code it rejects, such as a keyword passed twice, removing one occurrence
    uncovers another that no analysis has seen."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # `"\d"` and the like: the user's business, not ours
            compile(text, "<dalle-migrate>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def _positioned(findings: Sequence[Finding], lines: LineIndex, lines_of: Optional[Callable[[str], LineIndex]] = None) -> List[Finding]:
    """Rows and columns for findings and their edits (``lines_of`` places the edits of a fix
    that also edits other files)."""
    out = []
    for f in findings:
        row, col = lines.position(f.start)
        end_row, end_col = lines.position(f.end)
        edits = ()
        if f.fix is not None:
            edits = tuple(
                where.position(e.start) + where.position(e.end)
                for e in f.fix.edits
                for where in [lines if e.path in (None, f.path) or lines_of is None else lines_of(e.path)]
            )
        out.append(
            dataclasses.replace(
                f, row=row, column=col + 1, end_row=end_row, end_column=end_col + 1, fix_positions=edits
            )
        )
    return out


# -- files ------------------------------------------------------------------------------------


# Every kind of file the tool reads, by how ``discover.file_kind`` names it: (check, fix).
# Each takes the decoded text and returns the findings (and, for fix, the new text).
TextHandler = Callable[..., TextResult]  # (text, settings, selection, newline, filename=...)
HANDLERS: Dict[str, Tuple[TextHandler, TextHandler]] = {"python": (check_text, fix_text)}


def register_handler(kind: str, check: TextHandler, fix: TextHandler) -> None:
    HANDLERS[kind] = (check, fix)


def run_text(
    text: str,
    filename: str,
    settings: Settings,
    selection: Selection,
    fix: bool = False,
    newline: str = "\n",
    incoming: Sequence[Finding] = (),
) -> TextResult:
    """Check or fix one file's text, handled by what its name says it is."""
    from .discover import file_kind

    kind = file_kind(Path(filename)) or "python"  # an explicit file of no known kind: Python, as ruff
    if kind not in HANDLERS:
        # Importing the module registers its handlers: only the kinds met are ever imported.
        importlib.import_module(f"{__package__}.{_HANDLER_MODULES[kind]}")
    check, fixer = HANDLERS[kind]
    if incoming:  # Python modules and notebooks: other modules' calls take their values
        return fixer(text, settings, selection, newline, filename=filename, incoming=incoming)
    return (fixer if fix else check)(text, settings, selection, newline, filename=filename)


_HANDLER_MODULES = {"notebook": "notebook", "config": "config_files"}


def process_file(
    path: Path,
    settings: Settings,
    selection: Selection,
    fix: bool = False,
    write: bool = True,
    display: Optional[str] = None,
) -> FileResult:
    try:
        data = read_bytes(path)
    except OSError as exc:
        return FileResult(path, error=f"cannot read: {exc.strerror or exc}")
    if not prefilter_for(settings.catalog).may_have_findings(data) or skips_file(data):
        return FileResult(path, skipped=True)
    return process_data(path, data, settings, selection, fix, write, display)


def process_data(
    path: Path,
    data: bytes,
    settings: Settings,
    selection: Selection,
    fix: bool = False,
    write: bool = True,
    display: Optional[str] = None,
    incoming: Sequence[Finding] = (),
    defer_write: bool = False,
) -> FileResult:
    """One file that passed the prefilter: decode, check or fix, write back.

    ``incoming``: fixes other modules' calls need in this file (see ``fix_text``), in the
    offsets of ``data``. With ``defer_write`` the new bytes are left in ``result.pending`` for
    ``write_result``: a run writes nothing until every file is analysed, so every module reads
    the others as they were."""
    result = FileResult(path)
    selection = selection.for_file(path)
    from .discover import file_kind

    try:
        source = SourceText.decode(data, python=file_kind(path) in ("python", None))
    except SourceError as exc:
        if selection.enabled(PARSE_ERROR):
            result.findings = [_parse_error(f"The file cannot be decoded ({exc}); it was left untouched.", 1, 0)]
        return result
    try:
        outcome = run_text(source.text, str(path), settings, selection, fix, source.newline, incoming)
    except InternalError as exc:
        result.error = str(exc)
        return result
    except RecursionError:
        if selection.enabled(PARSE_ERROR):
            result.findings = [_parse_error("The code is nested too deeply to be analysed; the file was left untouched.", 1, 0)]
        return result
    result.findings = outcome.findings
    result.fixed = outcome.fixed
    result.foreign = outcome.foreign
    result.imports = outcome.imports
    if outcome.failed:  # reported (exit 2), and the file still gets the fixes that could be written
        result.error = "; ".join(outcome.failed)
    if fix and outcome.text != source.text:
        result.changed = True
        if not write:  # --diff shows it; a written file needs none
            result.diff = unified_diff(source.text, outcome.text, display or str(path))
            return result
        try:
            new_data = source.encode(outcome.text)
        except UnicodeEncodeError as exc:
            result.error = f"not written: {exc}"
            result.changed = False
            return result
        result.pending = new_data
        if not defer_write:  # else the runner writes it once every file is analysed
            write_result(result, data)
    return result


def write_result(result: FileResult, expected: bytes) -> None:
    """Replace the file with ``result.pending``, if it still holds ``expected`` (what was read);
    a symbolic link or a file with other hard links is reported and left as it is."""
    path = Path(result.path)
    new_data, result.pending = result.pending, None
    if new_data is None:
        return
    if path.is_symlink():
        # Replacing the link would turn it into a diverging copy: the file it points to is
        # the one to fix.
        result.error = f"is a symbolic link to {os.path.realpath(path)}: not written; fix that file instead"
        result.changed = False
    elif (others := _links(path) - 1) > 0:
        # An atomic replace gives this name a new file: the other names would keep the old code.
        result.error = (
            f"has {others} other hard link{'s' if others > 1 else ''}: not written (replacing it would "
            f"leave {'them' if others > 1 else 'it'} with the old code); run `fix --diff` and apply it in place"
        )
        result.changed = False
    else:
        try:
            atomic_write(path, new_data, expected=expected)
        except (OSError, FileChangedError) as exc:
            result.error = f"not written: {exc}"
            result.changed = False


def _links(path: Path) -> int:
    """How many names the file has (a folder's count means something else: 1)."""
    try:
        info = os.stat(path)
    except OSError:
        return 1  # the write reports what is wrong
    return info.st_nlink if stat.S_ISREG(info.st_mode) else 1


def unified_diff(before: str, after: str, name: str) -> str:
    """A unified diff that marks a last line without a newline, as diff(1) and git do."""
    lines = []
    for line in difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=name, tofile=name):
        lines.append(line)
        if not line.endswith(("\n", "\r")):
            lines.append("\n\\ No newline at end of file\n")
    return "".join(lines)


def _unparsable(text: str, exc: Exception, selection: Selection) -> TextResult:
    if not selection.enabled(PARSE_ERROR):
        return TextResult(text, [])
    if isinstance(exc, UnfaithfulParse):
        message = f"{exc}, so its positions cannot be trusted; the file was left untouched. Please report it."
        return TextResult(text, [_parse_error(message, exc.line, 0)])
    if isinstance(exc, cst.CSTValidationError):
        python_error = _python_error(text)
        row = python_error.lineno if python_error is not None and python_error.lineno else 1
        return TextResult(text, [_parse_error(f"Syntax error at line {row}: {exc}; the file was left untouched.", row, 0)])
    # Where CPython's parser places the error (what `python file.py` and editors show); LibCST's
    # position (its native parser's "error at 2:16", else the exception's own) only when CPython
    # parses the file, and its wording as a detail.
    match = re.search(r"error at (\d+):(\d+)", exc.message)
    python_error = _python_error(text)
    if python_error is not None and python_error.lineno:
        row, column = python_error.lineno, max((python_error.offset or 1) - 1, 0)
    elif match:
        row, column = int(match.group(1)), int(match.group(2))
    else:
        row, column = exc.raw_line, exc.raw_column
    detail = f" ({python_error.msg})" if python_error is not None and python_error.msg else ""
    message = f"Syntax error at line {row}, column {column + 1}{detail}: the file cannot be parsed and was left untouched."
    if python_error is None:
        message = (
            f"The file is valid Python, but dalle-migrate's parser (LibCST) cannot read it (at line {row}, "
            f"column {column + 1}); it was left untouched. Please report it."
        )
    shell = _IPYTHON_SHELL_LINE.search(text)
    if shell is not None:
        line = text.count("\n", 0, shell.start()) + 1
        message = (
            f"Syntax error at line {row}, column {column + 1}: this looks like a notebook exported to "
            f"Python (line {line} is IPython syntax: `{shell.group(0).strip()}`); convert it back to "
            ".ipynb, or remove the IPython lines, and run again. The file was left untouched."
        )
    return TextResult(text, [_parse_error(message, row, column)])


def _python_error(text: str) -> Optional[SyntaxError]:
    """Why the running Python rejects the text, or None if it accepts it (asked only once LibCST
    has failed: it places tokenizer errors, and tells a parser limit from broken code)."""
    try:
        ast.parse(text)
    except SyntaxError as exc:
        return exc
    except (ValueError, RecursionError, MemoryError) as exc:
        return SyntaxError(str(exc))
    return None


# `!pip install ...`, `%matplotlib inline`, `%%time`: IPython lines a notebook export keeps.
_IPYTHON_SHELL_LINE = re.compile(r"^[ \t]*(?:![a-zA-Z]|%{1,2}[a-zA-Z]).*$", re.MULTILINE)


def _parse_error(message: str, row: int, column: int) -> Finding:
    row = max(row, 1)
    return Finding(
        PARSE_ERROR, message, 0, 0, Severity.ERROR, None, row=row, column=column + 1, end_row=row, end_column=column + 1
    )


__all__ = [
    "FileResult",
    "Fix",
    "InternalError",
    "Selection",
    "analyze",
    "check_text",
    "fix_text",
    "process_file",
]
