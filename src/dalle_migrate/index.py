"""Who imports whom in a project, and which of its files may make an image request.

A run given a few files (a pre-commit hook) asks the rest of the project two questions: which
modules import this one (their calls may take its values), and which modules may make an image
request at all (only their analysis can raise a finding). Both are answered from the files'
bytes, nothing parsed: the import statements' lines (``from .a import b``, ``import a.b as c``)
and the prefilter's byte proof, then CPython's for the few files that pass it.

Reading every file of a 3,000-file project for that is a third of a second; so the readings are
kept between runs in ``<root>/.dalle_migrate_cache/`` (ignored by git through its own
``.gitignore``, as ruff's cache is), one entry per file checked against the file's ``stat``
(modification and change times to the nanosecond, size, inode: any write changes them), in a
file named by the tool's version and what the reading depends on. A run replaces that file
atomically, so two runs sharing it each read a whole one; one it cannot read is rebuilt.
``--no-cache`` (``Settings.cache``) neither reads nor writes it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import marshal
import os
import re
import sys
import tempfile
import time
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple, TypeVar

from . import __version__
from .cells import written_code
from .forks import can_fork, decoded, share_runs
from .source import buffer_stamp, buffered, read_bytes

CACHE_FOLDER = ".dalle_migrate_cache"
SOURCE_SUFFIX = ".py"
NOTEBOOK_SUFFIX = ".ipynb"
# Files larger than this are not read for their imports (generated code, vendored bundles).
MAX_MODULE_BYTES = 2 << 20
MAX_NOTEBOOK_BYTES = 32 << 20  # outputs (base64 images) make notebooks large

Stamp = Tuple[int, int, int, int]  # mtime_ns, ctime_ns, size, inode
T = TypeVar("T")
# An import statement: (level, module, names) for ``from <level dots><module> import <names>``;
# level -1 for ``import <module>`` (one per module a plain import names).
Statement = Tuple[int, str, Tuple[str, ...]]


class Entry:
    """What a file's bytes say: the lines of its import statements (its names and statements
    are read from them when asked) and whether it may make an image request."""

    __slots__ = ("stamp", "imports", "calls_images", "_names", "_statements")

    # ``imports``: the lines' bytes as latin-1 text (each byte one character: kept exactly).
    def __init__(self, stamp: Stamp, imports: str, calls_images: bool) -> None:
        self.stamp = stamp
        self.imports = imports
        self.calls_images = calls_images
        self._names: Optional[FrozenSet[str]] = None
        self._statements: Optional[Tuple[Statement, ...]] = None

    def mentions(self, word: str) -> bool:
        """Whether its import lines hold ``word`` as a word: one of the names they mention."""
        spelled = word.encode("utf-8", "surrogatepass").decode("latin-1")
        return spelled in self.imports and _word_pattern(spelled).search(self.imports) is not None

    @property
    def names(self) -> FrozenSet[str]:
        """The names its import statements mention."""
        if self._names is None:
            self._names = imported_names(self.imports.encode("latin-1"))
        return self._names

    @property
    def statements(self) -> Tuple[Statement, ...]:
        if self._statements is None:
            self._statements = import_statements(self.imports.encode("latin-1"))
        return self._statements


_SCANS_BEFORE_WORDS = 4
_ASCII_WORD = re.compile(r"\w+", re.ASCII)


@functools.lru_cache(maxsize=256)
def _word_pattern(word: str) -> "re.Pattern[str]":
    return re.compile(r"(?<!\w)%s(?!\w)" % re.escape(word), re.ASCII)


class ProjectIndex:
    """Every Python file and notebook of a project root (what a run on the root would read),
    with its ``Entry``."""

    def __init__(self, root: str, entries: Dict[str, Entry]) -> None:
        self.root = root
        self.entries = entries  # absolute path -> Entry
        self._asked = 0
        self._by_word: Optional[Dict[str, List[str]]] = None

    def mentioning(self, word: str) -> List[str]:
        """The files whose import lines mention ``word`` (``Entry.mentions``), in index order.
        The first few questions scan the entries; after them, every file's words are read once
        (an analysis asking who calls each of a tree's hundreds of helpers scanned it each time)."""
        self._asked += 1
        if self._by_word is None and self._asked > _SCANS_BEFORE_WORDS:
            by_word: Dict[str, List[str]] = {}
            for path, entry in self.entries.items():
                for found in set(_ASCII_WORD.findall(entry.imports)):
                    by_word.setdefault(found, []).append(path)
            self._by_word = by_word
        if self._by_word is not None and _ASCII_WORD.fullmatch(word):
            # (`\w` is ASCII in both: a word of ASCII word characters is mentioned exactly when it
            # is one of the line's maximal runs of them)
            return self._by_word.get(word, [])
        return [path for path, entry in self.entries.items() if entry.mentions(word)]

    def image_callers(self) -> List[str]:
        return [path for path, entry in self.entries.items() if entry.calls_images]


def stamp_of(info: os.stat_result) -> Stamp:
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)


def file_stamp(path: str) -> Optional[Stamp]:
    """``stamp_of`` the file, or of the editor's text when an editor holds it: what a cached
    reading of it is checked against; None when it cannot be read."""
    data = buffered(path)
    if data is not None:
        return buffer_stamp(data)
    try:
        return stamp_of(os.stat(path))
    except OSError:
        return None


# A file may be written again within one tick of the file system's clock (a few milliseconds;
# two seconds on FAT) and keep the same stamp, size included: a stamp that recent when it is
# kept is kept as UNSETTLED, which no file has, so the next run reads the file again (git's
# "racily clean" entries, handled the same way).
RACY_NS = 2_000_000_000
UNSETTLED: Stamp = (-1, -1, -1, -1)


def settled(stamp: Stamp, now_ns: int) -> Stamp:
    """``stamp`` as it may be kept at ``now_ns`` (``time.time_ns()``)."""
    return stamp if max(stamp[0], stamp[1]) < now_ns - RACY_NS else UNSETTLED


# The files this run's scan read and proved free of every word of an image call (relative to
# the working folder, as given), and when it began reading: ``scanned_quiet``.
_QUIET: Tuple[Sequence[str], int] = ((), 0)
_QUIET_PATHS: Optional[FrozenSet[str]] = None


def scanned_quiet(paths: Sequence[str], read_from_ns: int) -> None:
    """What the run's scan proved (``runner._scan``): none of ``paths`` holds an image call's
    words, in the bytes it read from ``read_from_ns`` on. An entry read for one of them need
    not search its bytes again (a third of building the index of a course's notebooks, once
    in each worker)."""
    global _QUIET, _QUIET_PATHS
    _QUIET, _QUIET_PATHS = (paths, read_from_ns), None


def _proven_quiet(path: str, stamp: Stamp) -> bool:
    global _QUIET_PATHS
    paths, read_from = _QUIET
    if not paths:
        return False
    if _QUIET_PATHS is None:  # (made absolute only when an index is built: most runs build none)
        _QUIET_PATHS = frozenset(os.path.abspath(p) for p in paths)
    # The bytes the scan read are the ones this stamp describes only if the file was last
    # written before the scan began (and not within a clock tick of it: ``settled``).
    return path in _QUIET_PATHS and settled(stamp, read_from) == stamp


# A folder the run's worker processes share for the index when there is no cache (--no-cache):
# the first to read the project's index leaves it there for the others (runner.py makes it and
# removes it after the run).
SHARED_FOLDER: Optional[str] = None


def build_index(root: str, files: Iterable[str], calls_images: Callable[[bytes, bool], bool], cache_key: Optional[str]) -> ProjectIndex:
    """The index of ``files`` (absolute paths under ``root``): entries whose file has the
    cached stamp are taken from the cache (``cache_key`` None: no cache, but the run's shared
    folder when there is one), the others read."""
    if cache_key is not None:
        at: Optional[str] = cache_file(root, cache_key)
    elif SHARED_FOLDER is not None:
        where = hashlib.blake2b(os.path.abspath(root).encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()
        at = os.path.join(SHARED_FOLDER, f"imports-{where}-run.json")
    else:
        at = None
    cached = _load(at, root) if at is not None else {}
    entries: Dict[str, Optional[Entry]] = {}
    unread: List[Tuple[str, Stamp]] = []
    for path in files:
        stamp = file_stamp(path)
        if stamp is None:
            continue
        known = cached.get(path)
        if known is not None and known.stamp == stamp:
            entries[path] = known
            continue
        entries[path] = None  # (its place: the index keeps the files' order)
        unread.append((path, stamp))
    changed = bool(unread)
    if unread:
        entries.update(_read_entries(unread, calls_images))
        entries = {path: entry for path, entry in entries.items() if entry is not None}
    if at is not None and (changed or len(entries) != len(cached)):
        _save(at, root, entries)
    return ProjectIndex(root, entries)


def _never_calls(data: bytes, notebook: bool) -> bool:
    return False


# Set by a run whose second CPU would wait meanwhile (a pre-commit run's search for the modules
# that reach its files, beside their analysis): an index read without its cache is then read by
# two processes, a forked helper and this one taking runs of files from one queue (as the run's
# scan does). ``BESIDE_READS``, when set, runs here once the helper reads (LibCST's import, for
# the neighbours' analyses after: the helper takes more of the files meanwhile).
SPLIT_READS = False
SPLIT_READS_MIN_FILES = 1000
BESIDE_READS: Optional[Callable[[], None]] = None


def _read_entries(unread: List[Tuple[str, Stamp]], calls_images: Callable[[bytes, bool], bool]) -> Dict[str, Optional[Entry]]:
    """The entries of ``unread`` (None for a file that could not be read)."""
    global BESIDE_READS
    shared = None
    if SPLIT_READS and len(unread) >= SPLIT_READS_MIN_FILES and can_fork():
        shared = share_runs(len(unread), lambda runs: marshal.dumps([(run.start, [_entry_fields(*unread[i], calls_images) for i in run]) for run in runs]))
    found: Dict[str, Optional[Entry]] = {}
    try:
        if shared is not None and BESIDE_READS is not None:
            beside, BESIDE_READS = BESIDE_READS, None
            beside()
        for run in shared if shared is not None else [range(len(unread))]:
            found.update((path, _read(path, stamp, calls_images)) for path, stamp in (unread[i] for i in run))
    finally:  # (the helper is waited for however this ends: it may be writing its answer)
        answer = shared.finish() if shared is not None else None
    if shared is not None:
        theirs = decoded(answer)
        if theirs is None:  # the helper failed: the runs it may have taken are read here
            found.update((unread[i][0], _read(*unread[i], calls_images)) for i in shared.untaken())
        else:
            for start, fields in theirs:
                for (path, stamp), (imports, calls) in zip(unread[start : start + len(fields)], fields):
                    found[path] = Entry(stamp, imports, calls) if imports is not None else None
    return found


def _read(path: str, stamp: Stamp, calls_images: Callable[[bytes, bool], bool]) -> Optional[Entry]:
    return read_entry(path, stamp, _never_calls if _proven_quiet(path, stamp) else calls_images)


def _entry_fields(path: str, stamp: Stamp, calls_images: Callable[[bytes, bool], bool]) -> Tuple[Optional[str], bool]:
    entry = _read(path, stamp, calls_images)
    return (entry.imports, entry.calls_images) if entry is not None else (None, False)


def read_entry(path: str, stamp: Stamp, calls_images: Callable[[bytes, bool], bool]) -> Optional[Entry]:
    notebook = path.endswith(NOTEBOOK_SUFFIX)
    limit = MAX_NOTEBOOK_BYTES if notebook else MAX_MODULE_BYTES
    if stamp[2] > limit:
        return Entry(stamp, "", False)
    try:
        data = read_bytes(path)
    except OSError:
        return None
    code = data
    if notebook and b"import" in data:
        code = _strings_with_imports(data)
        if code is None:
            code = _notebook_code(data)
    return Entry(stamp, import_lines(code).decode("latin-1"), calls_images(data, notebook))


_BACKSLASH = ord("\\")


def _strings_with_imports(data: bytes) -> Optional[bytes]:
    """The JSON strings of a notebook that hold ``import``, decoded one by one, without decoding
    the notebook (its outputs are most of its bytes): a superset of its code cells' import lines
    (a markdown cell's or an output's only adds a module to look at). None when a statement may
    go on in the next string (an open parenthesis, a line continuation): the whole notebook is
    decoded then (``_notebook_code``)."""
    if b'\\\\\\n"' in data:
        return None  # a line ends in a continuation (`from x \` then `import y` in the next string)
    slices = []
    at = data.find(b"import")
    while at >= 0:
        start = at
        while True:  # back to the opening quote: one not escaped by an odd run of backslashes
            start = data.rfind(b'"', 0, start)
            if start < 0:
                return None
            slashes = 0
            while start - 1 - slashes >= 0 and data[start - 1 - slashes] == _BACKSLASH:
                slashes += 1
            if slashes % 2 == 0:
                break
        end = at
        while True:  # on to the closing one
            end = data.find(b'"', end)
            if end < 0:
                return None
            slashes = 0
            while data[end - 1 - slashes] == _BACKSLASH:
                slashes += 1
            if slashes % 2 == 0:
                break
            end += 1
        slices.append(data[start : end + 1])
        at = data.find(b"import", end + 1)
    try:
        texts = json.loads(b"[" + b",".join(slices) + b"]")  # decoded in one call
    except ValueError:
        return None
    for text in texts:
        if not isinstance(text, str):
            return None
        if text.count("(") != text.count(")") or text.rstrip("\n").endswith("\\"):
            return None  # the statement may go on in the next string
    return "\n".join(texts).encode("utf-8", "surrogatepass")


def _notebook_code(data: bytes) -> bytes:
    """A notebook's code cells as they are written, joined: what their import lines are read
    from. (Not the analysed module, whose IPython lines are swapped for placeholders: no import
    line is an IPython line, and swapping them in every cell of a course's notebooks was most of
    reading its index; a cell magic's body may add a module to look at, never hide one.)"""
    try:
        code = written_code(json.loads(data))
    except ValueError:  # not JSON, not UTF-8
        return b""
    return code.encode("utf-8", "surrogatepass") if code is not None else b""


# -- import statements, from bytes -----------------------------------------------------------------
_IMPORTED = re.compile(rb"\bfrom[ \t]+(\.*[\w.]*)[ \t]+(?=import\b)|\bimport[ \t]*\(([^)]*)\)|\bimport[ \t]+([^\n;#]+)")
_WORD = re.compile(rb"\w+")
# `from ..pkg.mod import a, b` (names up to the line's end, or in parentheses across lines) and
# `import a.b as c, d`, each at the start of a line (or after `;`, or indented in a block).
_IMPORT_LINE = re.compile(
    rb"(?m)^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n;#]*)|import[ \t]+([^\n;#]+))"
)


def import_lines(data: bytes) -> bytes:
    """The lines of a module's text that hold ``import`` (with a parenthesised list's lines):
    all ``imported_names`` and ``import_statements`` read of it."""
    windows = []
    at = data.find(b"import")
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        end = _window_end(data, start, at)
        windows.append(data[start:end])
        at = data.find(b"import", end)
    return b"\n".join(windows)


def _window_end(data: bytes, start: int, at: int) -> int:
    end = data.find(b"\n", at)
    end = len(data) if end < 0 else end
    if data.find(b"(", start, end) >= 0:  # `from m import (a,\n b)`: up to the parenthesis
        close = data.find(b")", end)
        end = len(data) if close < 0 else close + 1
    return end


def imported_names(data: bytes) -> FrozenSet[str]:
    """The names a file's import statements mention: only the lines around each ``import``
    are matched (a regular expression over the whole file costs ten times more)."""
    names = set()
    at = data.find(b"import")
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        end = _window_end(data, start, at)
        for match in _IMPORTED.finditer(data, start, end):
            names.update(_WORD.findall(match.group(1) or match.group(2) or match.group(3)))
        at = data.find(b"import", end)
    return frozenset(name.decode("ascii", "replace") for name in names)


def import_statements(data: bytes) -> Tuple[Statement, ...]:
    """The import statements of a module's text, matched line by line (a match inside a string
    only adds a module to look at)."""
    found: List[Statement] = []
    for match in _IMPORT_LINE.finditer(data):
        relative, module, names, modules = match.groups()
        if modules is not None:
            for part in _strip_parens(modules).split(b","):
                words = part.split()
                if words:
                    found.append((-1, words[0].decode("ascii", "replace"), ()))
            continue
        imported = []
        for part in _strip_parens(names or b"").split(b","):
            words = part.split()
            if words and words[0] != b"*":
                imported.append(words[0].decode("ascii", "replace"))
        found.append((len(relative or b""), (module or b"").decode("ascii", "replace"), tuple(imported)))
    return tuple(found)


def names_module(statement: Statement, stem: str) -> bool:
    """Whether an import statement may name the module ``stem`` (its last dotted part)."""
    _, module, names = statement
    return stem in module.split(".") or stem in names


def _strip_parens(text: bytes) -> bytes:
    return text.replace(b"(", b" ").replace(b")", b" ").replace(b"\\", b" ")


# -- the cache -----------------------------------------------------------------------------------
_FORMAT = 2


def cache_key(depends_on: str, sources: Tuple[str, ...] = ("index.py", "prefilter.py")) -> str:
    """The cache's name for this version of the tool and what the entries depend on (the
    catalogue's words for an image request; the package's ``sources`` that compute them):
    another version never reads this one's."""
    own = os.path.dirname(os.path.abspath(__file__))
    # The interpreter too: the second proof compiles the code (a run under another Python,
    # pre-commit's own, may read syntax this one cannot).
    digest = hashlib.blake2b(f"{_FORMAT} {__version__} {sys.version} {depends_on}".encode(), digest_size=10)
    for name in sources:  # how entries are read: an edited tool rereads
        try:
            with open(os.path.join(own, name), "rb") as handle:
                digest.update(handle.read())
        except OSError:
            pass
    return digest.hexdigest()


def cache_folder(root: str) -> str:
    return os.environ.get("DALLE_MIGRATE_CACHE_DIR") or os.path.join(root, CACHE_FOLDER)


def cache_file(root: str, key: str, kind: str = "imports") -> str:
    """``<cache folder>/<kind>-<the root's digest>-<key>.json``."""
    where = hashlib.blake2b(os.path.abspath(root).encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()
    return os.path.join(cache_folder(root), f"{kind}-{where}-{key}.json")


def load_document(path: str, root: str, read: Callable[[dict], T], empty: T) -> T:
    """``read`` of the cache file's document, written for ``root``; ``empty`` when there is
    none, or it is damaged or not of this shape (the run then reads the files again)."""
    try:
        with open(path, "rb") as handle:
            document = json.loads(handle.read())
        if document.get("root") != root:
            return empty
        return read(document)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return empty


# -- where imports resolved (project.py resolves them; kept here with the other readings) --------
Listing = Tuple[FrozenSet[str], FrozenSet[str]]  # a folder's files' names, its folders' names


def listing_digest(listing: Listing) -> str:
    files, folders = listing
    text = "\0".join(sorted(files)) + "\1" + "\0".join(sorted(folders))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


class Resolved:
    """The project files each file's imports resolved to, in a former run, and the folders
    whose listings that resolution looked at (with a digest of each). Imports resolve from
    folder listings alone (which files and folders exist where): while every one of those
    listings is the same, a file with the same stamp imports the same files. So do the files
    importing a module, while the files whose import lines name its stem are the same, with the
    same stamps (``importers``: the digest of those, and the importers among them)."""

    def __init__(
        self,
        listings: Dict[str, str],
        imports: Dict[str, Tuple[Stamp, List[str]]],
        importers: Optional[Dict[str, Tuple[str, List[str]]]] = None,
    ) -> None:
        self.listings = listings
        self.imports = imports
        self.importers = importers if importers is not None else {}


def candidates_digest(candidates: Sequence[Tuple[str, Stamp]], now_ns: int) -> Optional[str]:
    """The digest of files and their stamps (``Resolved.importers``); None when a stamp is too
    recent to be trusted (``settled``)."""
    digest = hashlib.blake2b(digest_size=12)
    for path, stamp in candidates:
        if settled(stamp, now_ns) is UNSETTLED:
            return None
        digest.update(f"{path}\0{stamp}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def load_resolved(path: str, root: str) -> Optional[Resolved]:
    def read(document: dict) -> Resolved:
        listings = {str(folder): str(digest) for folder, digest in document["listings"].items()}
        imports = {file: (tuple(stamp), [str(p) for p in found]) for file, (stamp, found) in document["imports"].items()}
        importers = {file: (str(digest), [str(p) for p in found]) for file, (digest, found) in document.get("importers", {}).items()}
        return Resolved(listings, imports, importers)  # type: ignore[arg-type]

    return load_document(path, root, read, None)


def load_by_stamp(path: str, root: str) -> Dict[str, Tuple[Stamp, object]]:
    """A cache of one reading per file, each with the stamp the file had (``save_by_stamp``)."""
    return load_document(path, root, lambda document: {file: (tuple(stamp), value) for file, (stamp, value) in document["files"].items()}, {})  # type: ignore[misc]


def save_by_stamp(path: str, root: str, readings: Dict[str, Tuple[Stamp, object]], kind: str = "bindings") -> None:
    now = time.time_ns()
    document = {"root": root, "files": {file: [list(settled(stamp, now)), value] for file, (stamp, value) in readings.items()}}
    save_document(path, document, prefix=f".{kind}-")


def save_resolved(path: str, root: str, resolved: Resolved) -> None:
    now = time.time_ns()
    document = {
        "root": root,
        "listings": resolved.listings,
        "imports": {file: [list(settled(stamp, now)), found] for file, (stamp, found) in resolved.imports.items()},
        "importers": {file: [digest, found] for file, (digest, found) in resolved.importers.items()},
    }
    save_document(path, document, prefix=".resolved-")


def _load(path: str, root: str) -> Dict[str, Entry]:
    def read(document: dict) -> Dict[str, Entry]:
        entries = {}
        for relative, (stamp, imports, calls) in document["files"].items():
            if type(imports) is not str:
                return {}
            entries[os.path.join(root, relative)] = Entry(tuple(stamp), imports, bool(calls))
        return entries

    return load_document(path, root, read, {})  # none yet, or not one this version wrote: rebuilt


def _save(path: str, root: str, entries: Dict[str, Entry]) -> None:
    now = time.time_ns()
    inside = len(root.rstrip(os.sep)) + 1  # files are absolute paths under root: a slice, not relpath
    document = {
        "root": root,
        "files": {file[inside:]: [list(settled(e.stamp, now)), e.imports, e.calls_images] for file, e in entries.items()},
    }
    save_document(path, document, prefix=".imports-")


def save_document(path: str, document: object, prefix: str) -> None:
    """Writes a cache file whole: readers see the old file or the new one, never a part. The
    files another version of the tool (another key) wrote for the same root are removed."""
    folder = os.path.dirname(path)
    try:
        _make_folder(folder)
        handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(handle, 0o644)  # as any file a run writes (mkstemp's is the owner's only)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                # (dumps, not dump: only a one-shot encoding takes the C encoder, 5x faster)
                out.write(json.dumps(document, separators=(",", ":")))
            os.replace(temporary, path)  # readers see the old file or the new, whole
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
    except OSError:
        return  # a read-only checkout: the run goes on without
    _remove_stale(folder, os.path.basename(path))


# A temporary file older than this is a killed run's: removed by the next run that writes.
STALE_SECONDS = 3600


def _remove_stale(folder: str, written: str) -> None:
    """Removes a killed run's temporary files, and the files of the same kind and root that
    another key names (`imports-<root>-<key>.json`: an older version's, never read again)."""
    kind_and_root = written.rsplit("-", 1)[0] + "-"
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries]
        now = time.time()
        for name in names:
            path = os.path.join(folder, name)
            if name.startswith((".imports-", ".reads-", ".resolved-", ".bindings-", ".results-", ".values-")) and name.endswith(".tmp"):
                if now - os.stat(path).st_mtime > STALE_SECONDS:
                    os.unlink(path)
            elif name.startswith(kind_and_root) and name.endswith(".json") and name != written:
                os.unlink(path)
    except OSError:
        pass


def _make_folder(folder: str) -> None:
    if os.path.isdir(folder):
        return
    os.makedirs(folder, exist_ok=True)
    for name, text in (
        (".gitignore", "# Created by dalle-migrate: its cache, never committed.\n*\n"),
        ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n# This is dalle-migrate's cache folder.\n"),
    ):
        try:
            with open(os.path.join(folder, name), "x", encoding="utf-8") as out:
                out.write(text)
        except OSError:
            pass
