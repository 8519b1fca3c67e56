"""Jupyter notebooks: the code cells analysed as one module, edited in place byte for byte.

The code cells are joined, in order, into one Python module (so a result read in a later cell
than the call is followed there), with a marker line between cells. IPython syntax - line magics
(``%pip``), shell lines (``!pip``), help (``obj?``) and cell magics (``%%time``) - is swapped
for placeholder statements before parsing and restored afterwards, never parsed as Python; cells
whose body is not Python (``%%bash``, ``%%writefile``...) are left out.

Writing back touches only the ``source`` of the cells that changed: the rest of the file -
markdown cells, outputs, metadata, ids, indentation, key order, line endings, the trailing
newline - is the same bytes. The new source is written in the style the cell had (a list of
lines or one string, same indentation, same escaping).
"""

from __future__ import annotations

import dataclasses
import re
from typing import List, Optional, Tuple

from .cells import (  # noqa: F401  (parse_notebook re-exported for tests)
    CodeCell,
    NotebookError,
    cell_starts,
    join_cells,
    render_source,
    split_cells,
    code_cells,
    in_cell,
    decode,
    decoded_code_cells,
    parse_notebook,
    runnable_cells,
)
from .settings import Settings
from .engine import PARSE_ERROR, Selection, TextResult, _parse_error, check_text, fix_text, register_handler
from .findings import Finding
from .prefilter import prefilter_for
from .source import LineIndex

# -- the handlers --------------------------------------------------------------------------------
def check_notebook(text: str, settings: Settings, selection: Selection, newline: str = "\n", filename: Optional[str] = None) -> TextResult:
    return _run(text, settings, selection, newline, fix=False, filename=filename)


def fix_notebook(
    text: str, settings: Settings, selection: Selection, newline: str = "\n", filename: Optional[str] = None, incoming=()
) -> TextResult:
    return _run(text, settings, selection, newline, fix=True, filename=filename, incoming=incoming)


def _run(
    text: str, settings: Settings, selection: Selection, newline: str, fix: bool, filename: Optional[str] = None, incoming=()
) -> TextResult:
    try:
        # The C decoder checks the whole file (outputs too) ten times faster than the reader
        # below, which keeps every value's place and is needed only for code worth analysing.
        document = decode(text)
        all_cells = decoded_code_cells(document)
        if not incoming:
            code = join_cells(all_cells)[0] if all_cells is not None else None
            prefilter = prefilter_for(settings.catalog)
            if code is not None and not (
                prefilter.may_have_findings(code.encode("utf-8", "surrogatepass")) and prefilter.code_may_have_findings(code)
            ):
                # Kept for an id in a markdown cell or an output: the code holds none.
                return TextResult(text, [])
        if fix or all_cells is None:
            # The reader that keeps every value's place: a fix writes cells back where their
            # sources are (and it says why a file is no notebook). A check places findings by
            # cell and row, which the decoded cells give.
            all_cells = code_cells(parse_notebook(text))
    except NotebookError as exc:
        if not selection.enabled(PARSE_ERROR):
            return TextResult(text, [])
        row, col = _position_of(text, exc)
        return TextResult(text, [_parse_error(f"The notebook cannot be read ({exc}); it was left untouched.", row, col)])
    cells, broken, python_parses = runnable_cells(all_cells)
    # A cell that is no Python is kept verbatim and reported once; the others are migrated.
    unparsable = [_broken_cell(cell, exc) for cell, exc in broken] if selection.enabled(PARSE_ERROR) else []
    if not cells:
        return TextResult(text, unparsable)
    module, starts = join_cells(cells)
    if fix:  # `incoming`: fixes other modules' calls need here, in the joined module's offsets
        outcome = fix_text(module, settings, selection, filename=filename, incoming=incoming, python_parses=python_parses)
    else:
        outcome = check_text(module, settings, selection, filename=filename, python_parses=python_parses)
    # Remaining findings are placed in the fixed module, fixed ones in the original.
    findings = unparsable + [_in_cell(f, cells, cell_starts(outcome.text)) for f in outcome.findings]
    fixed = [_in_cell(f, cells, starts) for f in outcome.fixed]
    # Findings in the project's modules name the cell whose call reaches them.
    foreign = [_reaching_from_cells(f, cells, starts) for f in outcome.foreign]
    if not fix or outcome.text == module:
        return TextResult(text, findings, fixed, foreign, outcome.imports, failed=outcome.failed)
    new_sources = split_cells(outcome.text, cells)
    edits = []
    for cell in cells:
        new = new_sources[cell.number]
        if new != cell.text:
            edits.append((cell.source.start, cell.source.end, render_source(new, text, cell.source, newline)))
    new_text = text
    for start, end, content in sorted(edits, reverse=True):
        new_text = new_text[:start] + content + new_text[end:]
    parse_notebook(new_text)  # still a notebook; raises (nothing written) if not
    return TextResult(new_text, findings, fixed, foreign, outcome.imports, failed=outcome.failed)


def _broken_cell(cell: CodeCell, exc: SyntaxError) -> Finding:
    """DM900 for one cell, where CPython places the error in it (row 1 = the cell's first line)."""
    row, column = exc.lineno or 1, max((exc.offset or 1) - 1, 0)
    detail = f" ({exc.msg})" if exc.msg else ""
    finding = _parse_error(
        f"Syntax error at line {row}, column {column + 1}{detail}: this cell cannot be parsed and was left "
        "untouched; the notebook's other cells were analysed.",
        row,
        column,
    )
    return dataclasses.replace(finding, cell=cell.number)


def _reaching_from_cells(finding: Finding, cells: List[CodeCell], starts: List[int]) -> Finding:
    reaches = []
    for path, row, column, _ in finding.reaches:
        index = max((i for i, start in enumerate(starts) if start <= row), default=0)
        reaches.append((path, row - starts[index] + 1, column, cells[index].number))
    return dataclasses.replace(finding, reaches=tuple(reaches))


def _in_cell(finding: Finding, cells: List[CodeCell], starts: List[int]) -> Finding:
    """Re-place a finding from the joined module into its cell (row 1 = the cell's first line)."""
    placed = in_cell(finding, cells, starts)
    if finding.code == PARSE_ERROR:
        message = finding.message.replace(f"line {finding.row},", f"line {placed.row},")
        placed = dataclasses.replace(placed, message=message)
    return placed


def _position_of(text: str, exc: NotebookError) -> Tuple[int, int]:
    match = re.search(r"offset (\d+)", str(exc))
    offset = min(int(match.group(1)), len(text)) if match else 0
    row, col = LineIndex(text).position(offset)
    return row, col


register_handler("notebook", check_notebook, fix_notebook)
