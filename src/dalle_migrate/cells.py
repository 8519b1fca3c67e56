"""A notebook's JSON, read keeping every value's place, and its code cells as one module.

The code cells are joined, in order, into one Python module (so a result read in a later cell
than the call is followed there), with a marker line between cells. IPython syntax - line magics
(``%pip``), shell lines (``!pip``), help (``obj?``) and cell magics (``%%time``) - is swapped
for placeholder statements, never parsed as Python; cells whose body is not Python (``%%bash``,
``%%writefile``...) are left out. ``notebook`` checks and fixes the module and writes the
changed cells back; ``project`` reads a notebook of the project as a module the same way (a
notebook calls the project's functions).
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

_CELL_MARK = "# --- dalle-migrate: cell {index} ---"
_CELL_MARK_RE = re.compile(r"^# --- dalle-migrate: cell (\d+) ---$")
_MAGIC_MARK = "pass  # dalle-migrate: ipython {index}"
_MAGIC_MARK_RE = re.compile(r"^([ \t]*)pass  # dalle-migrate: ipython (\d+)$")
# Cell magics whose body is still Python: the first line is swapped, the rest analysed.
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "profile", "memit", "tracemalloc"}
_IPYTHON_LINE = re.compile(r"^[ \t]*(?:[%!]|\?|[\w.]+\?\??[ \t]*$)")
# IPython's automagic: a line magic typed without `%` (`pip install openai`, `cd data`) runs as
# the magic when the line is not Python. These are IPython's line magics and default aliases
# (`%lsmagic`, IPython 8); a line starting with one is taken as the magic only where it does not
# parse as a statement (`ls -la` does, as a subtraction: left to Python, which changes nothing).
AUTOMAGICS = frozenset(
    "alias alias_magic autoawait autocall automagic bookmark cat cd clear colors conda config cp "
    "dhist dirs doctest_mode ed edit env gui hist history killbgscripts ldir less load load_ext "
    "loadpy logoff logon logstart logstate logstop ls lsmagic macro magic man matplotlib mkdir "
    "more mv notebook page pastebin pdb pdef pdoc pfile pinfo pinfo2 pip popd pprint precision "
    "prun psearch psource pushd pwd pycat pylab quickref recall rehashx reload_ext rep rerun "
    "reset reset_selective rm rmdir run save sc set_env store sx system tb time timeit unalias "
    "unload_ext who who_ls whos xdel xmode".split()
)
_FIRST_WORD = re.compile(r"^[ \t]*([A-Za-z_]\w*)(?:[ \t]+\S.*)?[ \t]*$")


def _automagic_name(line: str) -> bool:
    """Whether the line starts with a magic's name and an argument (the cheap test: a cell is
    parsed only when one does)."""
    match = _FIRST_WORD.match(line)
    return match is not None and match.group(1) in AUTOMAGICS


def _automagic(line: str) -> bool:
    if not _automagic_name(line):
        return False
    try:
        ast.parse(line.strip())
    except SyntaxError:
        return True
    except (ValueError, RecursionError, MemoryError):
        return False
    return False


NOTEBOOK_SUFFIX = ".ipynb"


class NotebookError(Exception):
    pass


# -- a JSON reader that remembers where each value is ------------------------------------------
@dataclass
class Span:
    value: Any
    start: int
    end: int
    children: Any = None  # dict key -> Span for objects, list of Span for arrays


_WS = re.compile(r"[ \t\r\n]*")


def _parse(text: str, i: int = 0) -> Tuple[Span, int]:
    i = _WS.match(text, i).end()
    if i >= len(text):
        raise NotebookError("unexpected end of the file")
    char = text[i]
    if char == "{":
        children: Dict[str, Span] = {}
        j = _WS.match(text, i + 1).end()
        if text.startswith("}", j):
            return Span({}, i, j + 1, children), j + 1
        while True:
            key, j = _parse(text, j)
            if not isinstance(key.value, str):
                raise NotebookError(f"object key expected at offset {key.start}")
            j = _WS.match(text, j).end()
            if not text.startswith(":", j):
                raise NotebookError(f"':' expected at offset {j}")
            value, j = (_skip if key.value in _OPAQUE else _parse)(text, j + 1)
            children[key.value] = value
            j = _WS.match(text, j).end()
            if text.startswith(",", j):
                j += 1
                continue
            if text.startswith("}", j):
                return Span({k: v.value for k, v in children.items()}, i, j + 1, children), j + 1
            raise NotebookError(f"',' or '}}' expected at offset {j}")
    if char == "[":
        items: List[Span] = []
        j = _WS.match(text, i + 1).end()
        if text.startswith("]", j):
            return Span([], i, j + 1, items), j + 1
        while True:
            item, j = _parse(text, j)
            items.append(item)
            j = _WS.match(text, j).end()
            if text.startswith(",", j):
                j += 1
                continue
            if text.startswith("]", j):
                return Span([s.value for s in items], i, j + 1, items), j + 1
            raise NotebookError(f"',' or ']' expected at offset {j}")
    try:
        value, end = json.JSONDecoder().raw_decode(text, i)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{exc.msg} (offset {exc.pos})") from exc
    return Span(value, i, end), end


# Values nothing here reads or writes: a cell's outputs and attachments (base64 images, often
# megabytes) are stepped over, never decoded; they stay the same bytes in a fixed notebook.
_OPAQUE = frozenset({"outputs", "attachments"})
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _skip(text: str, i: int) -> Tuple[Span, int]:
    """Steps over the array or object at ``i`` (its strings matched whole, in C), or parses a
    scalar. The value is not kept (``decode`` has checked the whole file before a notebook's
    code is analysed)."""
    i = _WS.match(text, i).end()
    if i >= len(text) or text[i] not in "[{":
        return _parse(text, i)
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text, i):
        first = text[match.start()]
        if first in "[{":
            depth += 1
        elif first in "]}":
            depth -= 1
            if depth == 0:
                return Span(None, i, match.end()), match.end()
    raise NotebookError(f"unexpected end of the file (offset {len(text)})")


def decode(text: str) -> Any:
    """The whole file decoded by ``json.loads`` (outputs included, as strings: never base64),
    or NotebookError saying where it stops being JSON."""
    try:
        return json.loads(text)
    except ValueError as exc:
        message = getattr(exc, "msg", str(exc))
        position = getattr(exc, "pos", None)
        raise NotebookError(f"{message} (offset {position})" if position is not None else message) from exc


def parse_notebook(text: str) -> Span:
    root, end = _parse(text)
    if _WS.match(text, end).end() != len(text):
        raise NotebookError(f"extra data at offset {end}")
    if not isinstance(root.value, dict) or not isinstance(root.value.get("cells"), list):
        raise NotebookError("no 'cells' list: not a notebook")
    return root


# -- cells -> one module -------------------------------------------------------------------------
@dataclass
class CodeCell:
    number: int  # 1-based among all cells, as the report shows it
    source: Span
    text: str  # the cell's source as one string
    python: str  # the text with IPython syntax swapped for placeholders
    magics: Dict[int, str]  # placeholder index -> original line
    python_parses: bool = False  # CPython's parser is known to accept ``python`` (asked already)


def _cell_text(source: Any) -> str:
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def code_cells(root: Span) -> List[CodeCell]:
    cells: List[CodeCell] = []
    for number, cell in enumerate(root.children["cells"].children, start=1):
        if isinstance(cell.value, dict) and "source" in cell.value:
            found = _code_cell(number, cell.value, cell.children["source"], cells)
            if found is not None:
                cells.append(found)
    return cells


def written_code(document: Any) -> Optional[str]:
    """Every code cell's source as it is written, joined by line breaks, of a notebook decoded
    by ``json.loads``; None when it is no notebook. What the proofs that read bytes search (the
    scan's, the index's import lines): all the module its analysis reads holds is in it, with
    the IPython lines and the cells that are no Python (``_code_cell`` leaves those out, and
    decides which they are by parsing)."""
    raw = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(raw, list):
        return None
    return "\n".join(
        _cell_text(cell["source"]) for cell in raw if isinstance(cell, dict) and cell.get("cell_type") == "code" and "source" in cell
    )


def decoded_code_module(document: Any) -> Optional[str]:
    """The joined module of a notebook decoded by ``json.loads`` (to decide in C-decoded text
    whether its code can hold a finding at all); None when it is no notebook."""
    cells = decoded_code_cells(document)
    return join_cells(cells)[0] if cells is not None else None


def decoded_code_cells(document: Any) -> Optional[List[CodeCell]]:
    """``code_cells`` of a notebook decoded by ``json.loads``, without the places of their
    sources in the file (``source`` None: what a check needs, which never writes); None when it
    is no notebook."""
    raw = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(raw, list):
        return None
    cells: List[CodeCell] = []
    for number, value in enumerate(raw, start=1):
        if isinstance(value, dict) and "source" in value:
            found = _code_cell(number, value, None, cells)
            if found is not None:
                cells.append(found)
    return cells


def _code_cell(number: int, value: Dict[str, Any], source: Optional[Span], before: List[CodeCell]) -> Optional[CodeCell]:
    """The cell as analysed (IPython lines swapped for placeholders numbered on from the cells
    ``before``), or None for a markdown cell or a cell magic whose body is not Python."""
    if value.get("cell_type") != "code":
        return None
    text = _cell_text(value["source"])
    lines = text.splitlines(keepends=True)
    first = lines[0].strip() if lines else ""
    if first.startswith("%%") and first[2:].split(" ")[0] not in _PYTHON_CELL_MAGICS:
        return None  # %%bash, %%writefile...: not Python at all
    counter = sum(len(cell.magics) for cell in before)
    python, magics = _swapped(lines, counter, automagic=False)
    python_parses = False
    if any(_automagic_name(line) for line in lines):
        python_parses = parses(python)
        if not python_parses:
            # Automagics only where the cell is no Python without them: a line of a valid cell
            # is Python (`config = {` starts with a magic's name, and is a dict).
            with_automagics, found = _swapped(lines, counter, automagic=True)
            if len(found) > len(magics) and parses(with_automagics):
                python, magics, python_parses = with_automagics, found, True
    return CodeCell(number, source, text, python, magics, python_parses)  # type: ignore[arg-type]


def _swapped(lines: List[str], counter: int, automagic: bool) -> Tuple[str, Dict[int, str]]:
    """The cell with its IPython lines swapped for numbered placeholders (and automagics, when
    asked), and the lines swapped."""
    magics: Dict[int, str] = {}
    out = []
    for line in lines:
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        if _IPYTHON_LINE.match(body) or (automagic and _automagic(body)):
            counter += 1
            magics[counter] = body
            indent = body[: len(body) - len(body.lstrip(" \t"))]
            out.append(indent + _MAGIC_MARK.format(index=counter) + ending)
        else:
            out.append(line)
    return "".join(out), magics


def parses(code: str) -> bool:
    """Whether CPython's parser accepts the code."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def join_cells(cells: List[CodeCell]) -> Tuple[str, List[int]]:
    """The module text and the line (1-based) where each cell's code starts."""
    parts, starts, line = [], [], 1
    for cell in cells:
        parts.append(_CELL_MARK.format(index=cell.number) + "\n")
        line += 1
        starts.append(line)
        body = cell.python if cell.python.endswith("\n") or not cell.python else cell.python + "\n"
        parts.append(body)
        line += body.count("\n")
    return "".join(parts), starts


def cell_starts(module: str) -> List[int]:
    """The line (1-based) where each cell's code starts, read from the markers."""
    return [n + 2 for n, line in enumerate(module.splitlines()) if _CELL_MARK_RE.match(line)]


def split_cells(module: str, cells: List[CodeCell]) -> Dict[int, str]:
    """Cell number -> new source text, IPython lines restored."""
    magics = {k: v for cell in cells for k, v in cell.magics.items()}
    out: Dict[int, List[str]] = {}
    current = None
    for line in module.splitlines(keepends=True):
        mark = _CELL_MARK_RE.match(line.rstrip("\r\n"))
        if mark:
            current = int(mark.group(1))
            out[current] = []
            continue
        if current is None:
            raise NotebookError("code before the first cell")  # a fix never writes there
        body = line.rstrip("\r\n")
        magic = _MAGIC_MARK_RE.match(body)
        if magic:
            line = magics[int(magic.group(2))] + line[len(body) :]
        out[current].append(line)
    texts = {}
    for cell in cells:
        new = "".join(out.get(cell.number, []))
        if not cell.text.endswith("\n") and new.endswith("\n"):
            new = new[:-1]  # the newline the join added
        texts[cell.number] = new
    return texts


# -- writing a source back in its own style ------------------------------------------------------
def render_source(text: str, original: str, span: Span, newline: str) -> str:
    ascii_only = "\\u" in original and not any(ord(c) > 127 for c in original)
    dump = lambda s: json.dumps(s, ensure_ascii=ascii_only)  # noqa: E731
    if not isinstance(span.value, list):
        return dump(text)
    lines = text.splitlines(keepends=True)
    if not lines:
        return "[]"
    raw = original[span.start : span.end]
    items = span.children or []
    if items:
        item_indent = _indent_before(original, items[0].start)
        close_indent = _indent_before(original, span.end - 1)
        if item_indent is not None:
            inner = ("," + newline + item_indent).join(dump(l) for l in lines)
            closing = newline + (close_indent or "") + "]"
            return "[" + newline + item_indent + inner + closing
    separator = ", " if ", " in raw else ","
    return "[" + separator.join(dump(l) for l in lines) + "]"


def _indent_before(text: str, index: int) -> Optional[str]:
    start = max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1
    prefix = text[start:index]
    return prefix if prefix.strip(" \t") == "" else None


def notebook_module(text: str) -> Tuple[str, List[CodeCell]]:
    """The code cells of a notebook's JSON text joined as one module (a cell that is no Python
    left out, as Jupyter runs the others), and those cells."""
    cells = runnable_cells(code_cells(parse_notebook(text))).cells
    return join_cells(cells)[0], cells


class Runnable(NamedTuple):
    cells: List[CodeCell]  # what the analysis reads, joined
    broken: List[Tuple[CodeCell, SyntaxError]]
    python_parses: bool  # CPython's parser accepted each of ``cells`` (and so all of them joined)


def runnable_cells(cells: List[CodeCell]) -> Runnable:
    """The cells CPython parses, and the others with their error: a title typed into a code
    cell or a half-finished one fails alone when Jupyter runs it, and so it is kept verbatim
    here (a name only it defines is unknown to the rest, as at run time)."""
    kept: List[CodeCell] = []
    broken: List[Tuple[CodeCell, SyntaxError]] = []
    python_parses = True
    for cell in cells:
        if not cell.python_parses:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ast.parse(cell.python)
            except SyntaxError as exc:
                broken.append((cell, exc))
                continue
            except (ValueError, RecursionError, MemoryError):
                python_parses = False  # kept all the same: the analysis says what it makes of it
        kept.append(cell)
    return Runnable(kept, broken, python_parses)


def in_cell(finding, cells: List[CodeCell], starts: List[int], path: Optional[str] = None):
    """A finding (findings.Finding) placed in the joined module, re-placed in its cell (row 1 =
    the cell's first line); the edits of its fix in other files (``path`` is the notebook's)
    keep their rows."""
    import dataclasses

    index = max((i for i, start in enumerate(starts) if start <= finding.row), default=0)
    offset = starts[index] - 1
    edits = finding.fix.edits if finding.fix is not None else ()
    positions = tuple(
        (a - offset, b, c - offset, d) if edit.path in (None, path) else (a, b, c, d)
        for edit, (a, b, c, d) in zip(edits, finding.fix_positions)
    )
    return dataclasses.replace(
        finding, row=finding.row - offset, end_row=finding.end_row - offset, cell=cells[index].number, fix_positions=positions
    )


def file_position(text: str, cell_number: int, row: int) -> Optional[Tuple[int, int]]:
    """Where, in the notebook file's own lines, the JSON string holding line ``row`` of cell
    ``cell_number``'s source starts: (line, column), both from 1. A source written as one
    string holds all its lines in one JSON string: that string's start. None when the notebook
    or the cell cannot be read."""
    try:
        root = parse_notebook(text)
    except NotebookError:
        return None
    cells = root.children["cells"].children
    if not 1 <= cell_number <= len(cells) or not isinstance(cells[cell_number - 1].children, dict):
        return None
    source = cells[cell_number - 1].children.get("source")
    if source is None:
        return None
    spans = source.children if isinstance(source.children, list) else None
    if spans:
        # One JSON string per line of the source, in order (a line ends with its "\n").
        offset = spans[min(max(row, 1), len(spans)) - 1].start
    else:
        offset = source.start
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column
