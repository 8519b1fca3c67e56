"""What rules produce: findings, their fixes, and the text edits a fix is made of."""

from __future__ import annotations

import enum
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple, Union


class Applicability(str, enum.Enum):
    """When a fix may be applied (ruff's vocabulary, kept for the JSON output)."""

    SAFE = "safe"  # the code cannot work as written and the fix keeps its intent
    UNSAFE = "unsafe"  # changes working behaviour or guesses intent: needs --unsafe-fixes


class Severity(str, enum.Enum):
    ERROR = "error"  # fails at runtime today
    WARNING = "warning"  # may fail; a person must look


@dataclass(frozen=True, order=True)
class Edit:
    """Replace ``text[start:end]`` with ``content`` (offsets into the decoded source)."""

    start: int
    end: int
    content: str
    # True when the edit cannot change what any name in the module refers to or which
    # definitions the image calls read (a literal for a literal, a literal argument added or
    # removed, a result read rewritten): the engine may then carry the other findings over
    # instead of analysing the new text again.
    local: bool = field(default=False, compare=False)
    # The file the offsets are in, when it is not the file analysed: another module of the
    # project that defines the value a call uses (the runner applies it there).
    path: Optional[str] = field(default=None, compare=False)
    # For an edit of another file: a digest of the text its offsets are in (``text_digest``).
    # The file it lands in must hold exactly that text, or the edit is not applied.
    digest: Optional[int] = field(default=None, compare=False)

    def overlaps(self, other: "Edit") -> bool:
        if self == other:
            return False
        if self.start == self.end or other.start == other.end:
            # An insertion touching another edit (two at one point, or one at either end of a
            # replaced range): their order, or what the insertion sits next to, would be a guess.
            # The other fix is applied in the next round, on the new text.
            return self.start <= other.end and other.start <= self.end
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    message: str
    edits: Tuple[Edit, ...]

    def applies(self, unsafe_fixes: bool) -> bool:
        return self.applicability is Applicability.SAFE or unsafe_fixes


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    start: int  # offset of the reported range in the decoded source
    end: int
    severity: Severity = Severity.ERROR
    fix: Optional[Fix] = None
    # Filled in by the engine once the finding is placed in a file.
    row: int = 0
    column: int = 0
    end_row: int = 0
    end_column: int = 0
    cell: Optional[int] = None
    fix_positions: Tuple[Tuple[int, int, int, int], ...] = field(default=(), compare=False)
    # Set on a finding in another module of the project than the one analysed (a constant, a
    # default, a mapping that a call here uses): the file it belongs to, and the image calls it
    # reaches as (file, line, column, notebook cell or None), for the message.
    path: Optional[str] = None
    reaches: Tuple[Tuple[str, int, int, Optional[int]], ...] = field(default=(), compare=False)
    # The part, in this file, of a fix another file's finding makes in several files: applied
    # with it, never reported or counted on its own.
    companion: bool = field(default=False, compare=False)
    # A finding in another module that a `noqa` or the file's per-file ignores silence: never
    # reported or fixed, but it marks the literal as a call's value (DM105 stays quiet on it).
    silenced: bool = field(default=False, compare=False)
    # The fix of several files this finding (or part) belongs to: the runner applies all or none.
    group: Optional[int] = field(default=None, compare=False)
    received: bool = field(default=False, compare=False)  # handed to its file by the runner

    @property
    def key(self) -> Tuple[str, int, int, str, Optional[str]]:
        return (self.code, self.start, self.end, self.message, self.path)


def apply_fixes(text: str, fixes: Sequence[Fix]) -> Tuple[str, List[Fix]]:
    """Apply every fix whose edits do not collide with an earlier fix's; return the new text
    and the fixes applied. Identical edits from several fixes (one definition shared by many
    calls) are applied once."""
    chosen: List[Edit] = []
    applied: List[Fix] = []
    for fix in fixes:
        new = [e for e in dict.fromkeys(fix.edits) if e not in chosen]  # an edit a fix names twice counts once
        if any(e.overlaps(c) for e in new for c in chosen) or any(
            a.overlaps(b) for i, a in enumerate(new) for b in new[i + 1 :]
        ):
            continue
        chosen.extend(new)
        applied.append(fix)
    return splice(text, chosen), applied


def splice(text: str, edits: Iterable[Edit]) -> str:
    out = []
    last = 0
    for edit in sorted(edits):
        out.append(text[last : edit.start])
        out.append(edit.content)
        last = edit.end
    out.append(text[last:])
    return "".join(out)


@dataclass
class FileResult:
    """What happened to one file in a run."""

    path: Union[Path, str]  # a str when the prefilter skipped the file: never built as a Path
    findings: List[Finding] = field(default_factory=list)  # remaining
    fixed: List[Finding] = field(default_factory=list)
    skipped: bool = False  # nothing in it can have a finding: never parsed
    changed: bool = False  # fix wrote (or, with --diff, would write) new content
    diff: str = ""
    error: Optional[str] = None  # internal error or I/O error: reported, exit code 2
    # Findings this file's calls raise in other modules of the project (Finding.path), for the
    # runner to report (and fix) there.
    foreign: List[Finding] = field(default_factory=list)
    imports: List[str] = field(default_factory=list)  # files of the project modules it imports
    pending: Optional[bytes] = None  # the fixed file's bytes, not written yet (engine.write_result)
    outside: bool = False  # not a file of the run: findings its calls raise in another module
    # What its analysis read of the project (reads.Reads), when the run records it: kept with
    # the result for the next run (reads.py).
    reads: Optional[object] = field(default=None, compare=False, repr=False)


def text_digest(text: str) -> int:
    """A digest of a text, the same in every process (an edit of another file carries it)."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))
