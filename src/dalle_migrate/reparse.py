"""An edited module's index built from its previous one, parsing again only the statements the
edit touched: what the language server does on each edit of a long module.

The statements are those of the innermost block that holds the whole edit: the module's, or the
body of a class or a function (a method typed in a class of 3,000 lines parses the method). They
are parsed as a module of their own, between:

- an ``if`` block indented as the file's first block: LibCST takes a module's default indentation
  and newline from its first block and its first line, so the statements come out as they do in
  the whole file; inside a class or a function, the statements go into an ``if`` block at their
  own indentation, opened by another such ``if``;
- a ``pass`` at the indentation and on the line where the next statement starts.

LibCST gives a block's footer the lines indented at its level before the next statement: an
indented line first in the chunk might belong to the statement before it, so the chunk widens to
that statement; the next statement's leading lines must come out as they were, else the chunk
widens to it. Everything outside the chunk keeps its nodes (shifted after it); the blocks and
statements around it are rebuilt (LibCST's trees are immutable). Anything the proof does not
cover (the module's header, its first line, a changed default indentation, a chunk that does not
parse alone) is left to a whole parse. ``tests/test_reparse.py`` compares the result, node for
node, with a whole parse after chains of edits. One difference is allowed: LibCST's code
generation recurses once per nested node, and the chunk's starts shallower than the whole
module's, so a module nested just too deep for a whole parse may still be re-parsed (into the
tree a whole parse would give with more stack).
"""

from __future__ import annotations

import bisect
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import libcst as cst

from .parsing import Indexed, IndexingState, class_helpers, parse
from .source import first_newline

# A chunk widens by one statement at a time where its edge could read differently in the whole
# file, at most this many times per block before trying the block around it.
_TRIES = 4


class _Block(NamedTuple):
    """Statements an edit may be parsed again among."""

    chain: Tuple[cst.CSTNode, ...]  # the nodes from the module down to ``block``, excluded
    block: Union[cst.Module, cst.IndentedBlock]
    starts: List[int]  # where each statement starts (its leading lines included), then where the last ends
    indent: str  # the statements' indentation
    indent_tokens: List[str]  # LibCST's indent tokens there (one per block around)
    top: int  # the index in the module's body of the statement holding the block (or -1)


def reindexed(old: Indexed, old_text: str, text: str) -> Optional[Indexed]:
    """The index of ``text``, an edit of ``old_text`` (indexed as ``old``), or None when the edit
    needs a whole parse (see the module's docstring)."""
    module = old.module
    if not module.body:
        return None
    prefix = _common_prefix(old_text, text)
    edit_start = prefix
    edit_end = len(old_text) - _common_suffix(old_text, text, min(len(old_text), len(text)) - prefix)
    if edit_start < old.extents[0][0] or first_newline(text) != module.default_newline:
        return None  # the module's header, or the newline LibCST takes as the module's
    delta = len(text) - len(old_text)
    for block, first, last in reversed(_blocks(old, old_text, edit_start, edit_end)):
        found = _reparsed_in(old, text, block, first, last, delta)
        if found is not None:
            return found
    return None


def _blocks(old: Indexed, old_text: str, edit_start: int, edit_end: int) -> List[Tuple[_Block, int, int]]:
    """The blocks holding the edit, outermost first, each with the first and last of its
    statements the edit touched."""
    module, spans = old.module, old.spans
    starts = [start for start, _ in old.extents] + [old.extents[-1][1]]
    block = _Block((), module, starts, "", [], -1)
    found = []
    while True:
        first, last = _touched(block.starts, edit_start, edit_end)
        if block.chain and last >= len(block.block.body) - 1:
            break  # the chunk needs a next statement in its block (where its pass goes)
        found.append((block, first, last))
        statement = block.block.body[first]
        inner = getattr(statement, "body", None)
        if first != last or not isinstance(statement, (cst.ClassDef, cst.FunctionDef)) or not isinstance(inner, cst.IndentedBlock):
            break
        if not inner.body:
            break
        starts = [_line_start(old_text, _first_offset(spans, s)) for s in inner.body]
        starts.append(spans[id(inner)][1])
        if edit_start < starts[0]:
            break  # the edit touches the line that opens the block
        code = spans[id(inner.body[0])][0]
        indent = old_text[_line_start(old_text, code) : code]
        tokens = [*block.indent_tokens, module.default_indent if inner.indent is None else inner.indent]
        if "".join(tokens) != indent:
            break
        top = first if block.top < 0 else block.top
        block = _Block((*block.chain, block.block, statement) if block.chain else (module, statement), inner, starts, indent, tokens, top)
    return found


def _touched(starts: Sequence[int], edit_start: int, edit_end: int) -> Tuple[int, int]:
    ends = starts[1:]
    count = len(ends)
    first = min(bisect.bisect_right(ends, edit_start), count - 1)
    last = min(max(first, bisect.bisect_left(ends, edit_end)), count - 1)
    return first, last


def _first_offset(spans: Dict[int, Tuple[int, int]], statement: cst.CSTNode) -> int:
    """Where a statement's text starts: its first leading line, else its first decorator's."""
    if statement.leading_lines:  # type: ignore[attr-defined]
        return spans[id(statement.leading_lines[0])][0]  # type: ignore[attr-defined]
    decorators = getattr(statement, "decorators", ())
    if decorators:
        first = decorators[0]
        return spans[id(first.leading_lines[0] if first.leading_lines else first)][0]
    return spans[id(statement)][0]


def _line_start(text: str, offset: int) -> int:
    return max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


def _reparsed_in(old: Indexed, text: str, block: _Block, first: int, last: int, delta: int) -> Optional[Indexed]:
    module, spans = old.module, old.spans
    statements_of = block.block.body
    newline, default = module.default_newline, module.default_indent
    nested = bool(block.chain)
    opening = _opening("", default, newline)
    if nested:
        opening += "if 1:" + newline + _opening(block.indent, default, newline)
    for _ in range(_TRIES):
        if first < 0 or (nested and last >= len(statements_of) - 1):
            return None
        start = block.starts[first]
        if start and text.startswith("\n", start) and text.startswith("\r", start - 1):
            first -= 1  # the statement before ends in a lone CR: with this LF it is one newline
            continue
        at_end = last == len(statements_of) - 1
        following = None
        if at_end:
            chunk = opening + text[start:]
        else:
            following = statements_of[last + 1]
            lead = following.leading_lines
            code_start = spans[id(lead[-1])][1] if lead else block.starts[last + 1]
            chunk = opening + text[start : code_start + delta] + block.indent + "pass" + newline
        if "__future__" in chunk:
            return None  # the pure-Python parser of older LibCSTs reads them from the top
        try:
            parsed = parse(chunk, cst.PartialParserConfig(encoding=module.encoding))
        except (cst.ParserSyntaxError, cst.CSTValidationError, RecursionError):
            return None  # the whole text decides: an open bracket may close after the chunk
        statements = _chunk_statements(parsed, nested)
        if statements is None:
            return None
        prelude = statements.pop(0)
        if prelude.body.footer or (statements and any(line.whitespace.value for line in statements[0].leading_lines)):
            first -= 1  # an indented line may belong to the previous statement's block
            continue
        if following is not None:
            sentinel = statements.pop() if statements else None
            if not (isinstance(sentinel, cst.SimpleStatementLine) and len(sentinel.body) == 1 and isinstance(sentinel.body[0], cst.Pass)):
                return None  # the pass was joined to the chunk's last line
            if not _same_lines(sentinel.leading_lines, following.leading_lines):
                last += 1  # the next statement's leading lines changed: parse it too
                continue
        elif not statements:
            return None
        if not nested and first == 0 and (not statements or statements[0].leading_lines):
            return None  # lines before the first statement are the module's header
        return _spliced(old, text, block, parsed if at_end else None, statements, first, last, delta)
    return None


def _opening(indent: str, default: str, newline: str) -> str:
    return indent + "if 1:" + newline + indent + default + "pass" + newline


def _is_opening(node: Optional[cst.CSTNode]) -> bool:
    return isinstance(node, cst.If) and node.orelse is None and isinstance(node.body, cst.IndentedBlock)


def _chunk_statements(parsed: cst.Module, nested: bool) -> Optional[List[cst.BaseStatement]]:
    """The chunk's statements, its opening ``if`` first (the inner one, nested), or None when
    the chunk did not stay inside its openings."""
    statements = list(parsed.body)
    if nested:
        if len(statements) != 2 or not _is_opening(statements[0]) or not _is_opening(statements[1]):
            return None
        statements = list(statements[1].body.body)
    return statements if statements and _is_opening(statements[0]) else None


def _same_lines(a: Sequence[cst.EmptyLine], b: Sequence[cst.EmptyLine]) -> bool:
    return len(a) == len(b) and all(x.deep_equals(y) for x, y in zip(a, b))


def _spliced(
    old: Indexed,
    text: str,
    block: _Block,
    parsed: Optional[cst.Module],
    statements: List[cst.BaseStatement],
    first: int,
    last: int,
    delta: int,
) -> Optional[Indexed]:
    """The old tree with ``block``'s statements ``first`` to ``last`` replaced by ``statements``
    (and the module's footer by ``parsed``'s, when they run to the end), indexed."""
    module, extents, old_spans = old.module, old.extents, old.spans
    start, shift_from = block.starts[first], block.starts[last + 1]
    old_statements = block.block.body[first : last + 1]
    changes: dict = {"body": (*block.block.body[:first], *statements, *block.block.body[last + 1 :])}
    if parsed is not None:
        changes.update(footer=parsed.footer, has_trailing_newline=parsed.has_trailing_newline)
    new_block = block.block.with_changes(**changes)
    # The blocks and statements around, rebuilt from the inside out.
    replaced: Dict[int, cst.CSTNode] = {id(block.block): new_block}
    inner_old, inner_new = block.block, new_block
    for node in reversed(block.chain):
        if isinstance(node, (cst.Module, cst.IndentedBlock)):
            new = node.with_changes(body=tuple(inner_new if child is inner_old else child for child in node.body))
        else:
            new = node.with_changes(body=inner_new)
        replaced[id(node)] = new
        inner_old, inner_new = node, new
    new_module = inner_new

    state = IndexingState(new_module)
    state.offset = start
    state.indent_tokens = list(block.indent_tokens)
    state._stack = [(None, 0, []), (new_block, 0, [])]
    new_extents = []
    try:
        with class_helpers():
            for statement in statements:
                begin = state.offset
                statement._codegen(state)
                new_extents.append((begin, state.offset))
            if parsed is not None:
                for line in new_block.footer:
                    line._codegen(state)
    except RecursionError:
        return None  # the whole parse reports it
    if parsed is not None:
        if not new_block.has_trailing_newline:
            state.pop_trailing_newline()
        expected = text[start:]
    else:
        if state.offset != shift_from + delta:
            return None
        expected = text[start : state.offset]
    if "".join(state.tokens) != expected:
        return None  # the whole parse says where LibCST does not reproduce the text
    fresh = state.by_type
    indented = _first_indented(old.by_type, old_spans)
    if indented is None or old_spans[id(indented)][0] >= start:
        # The file's first indented lines may now be the chunk's: LibCST takes their indentation
        # as the module's default, which the blocks after them were parsed with.
        fresh_indented = _first_indented(fresh, state.spans)
        if fresh_indented is not None:
            if fresh_indented.indent is not None:
                return None
        elif indented is not None and old_spans[id(indented)][0] < shift_from:
            return None

    removed = set()
    removed_of_kind: Dict[type, int] = {}
    stack: List[cst.CSTNode] = [*old_statements, *(block.block.footer if parsed is not None else ())]
    children = old.children
    while stack:
        node = stack.pop()
        removed.add(id(node))
        removed_of_kind[type(node)] = removed_of_kind.get(type(node), 0) + 1
        below = children.get(id(node))
        if below:
            stack.extend(below)

    # Each kind's nodes are in source order and their starts never decrease (a node inside
    # another of its kind starts at or after it), so the chunk's old nodes are one run of them,
    # found by bisection; kinds holding a rebuilt node are walked whole.
    by_type: Dict[type, Tuple[cst.CSTNode, ...]] = {}
    shifted: List[cst.CSTNode] = []
    rebuilt = {type(node) for node in replaced.values()}
    for kind, nodes in old.by_type.items():
        run = None if kind in rebuilt else _run(nodes, old_spans, start, shift_from if parsed is None else None)
        if run is not None and _is_removed_run(nodes, run, removed, removed_of_kind.get(kind, 0)):
            before, after = nodes[: run[0]], nodes[run[1] :]
        else:
            before, after = [], []
            for node in nodes:
                key = id(node)
                if key in removed:
                    continue
                new = replaced.get(key)
                if new is not None:
                    before.append(new)
                elif old_spans[key][0] < shift_from:
                    before.append(node)
                else:
                    after.append(node)
        shifted.extend(after)
        found = (*before, *fresh.get(kind, ()), *after)
        if found:
            by_type[kind] = found
    for kind, nodes in fresh.items():
        if kind not in by_type:
            by_type[kind] = tuple(nodes)

    spans = dict(old_spans)
    below_of = dict(children)
    parents = dict(old.parents)
    for key in (*removed, *replaced):
        del spans[key]
        below_of.pop(key, None)
        parents.pop(key, None)
    if delta:
        for node in shifted:
            key = id(node)
            begin, end = spans[key]
            spans[key] = (begin + delta, end + delta)
    spans.update(state.spans)
    for key, new in replaced.items():  # from the inside out, as LibCST derives these ranges
        begin, end = old_spans[key]
        if isinstance(new, cst.Module):
            spans[id(new)] = (begin, state.offset if parsed is not None else end + delta)
        elif isinstance(new, cst.IndentedBlock):  # its first statement to its last
            spans[id(new)] = (spans[id(new.body[0])][0], spans[id(new.body[-1])][1])
        else:  # a class or a function: to the end of its body
            spans[id(new)] = (begin, spans[id(new.body)][1])
    below_of.update(state.children)
    parents.update(state.parents)
    for key, new in replaced.items():
        if new is new_module and isinstance(new, cst.Module):
            below = [*new.header, *new.body, *new.footer]  # LibCST's order for a module
        elif new is new_block:
            below, placed = [], False
            for child in children.get(key, ()):
                if id(child) in removed:  # the statements replaced
                    if not placed:
                        below.extend(statements)
                        placed = True
                else:
                    below.append(child)
        else:
            below = [replaced.get(id(child), child) for child in children.get(key, ())]
        below_of[id(new)] = below
        for child in below:
            parents[id(child)] = new

    if block.top < 0:
        shifted = tuple((begin + delta, end + delta) for begin, end in extents[last + 1 :])
        new_extents_all = (*extents[:first], *new_extents, *shifted)
    else:
        top = block.top
        begin, end = extents[top]
        shifted = tuple((b + delta, e + delta) for b, e in extents[top + 1 :])
        new_extents_all = (*extents[:top], (begin, end + delta), *shifted)
    return Indexed(new_module, spans, parents, below_of, by_type, new_extents_all)


def _first_indented(by_type: Dict[type, Sequence[cst.CSTNode]], spans: Dict[int, Tuple[int, int]]) -> Optional[cst.CSTNode]:
    """The first node whose lines LibCST indents: a block, or a ``match`` statement's cases (each
    holds an ``indent``, None when it is the module's default)."""
    firsts = [nodes[0] for nodes in (by_type.get(cst.IndentedBlock), by_type.get(cst.Match)) if nodes]
    return min(firsts, key=lambda node: spans[id(node)][0]) if firsts else None


def _run(nodes: Sequence[cst.CSTNode], spans: Dict[int, Tuple[int, int]], start: int, end: Optional[int]) -> Tuple[int, int]:
    """The indexes of the first node starting at or after ``start`` and of the first starting at
    or after ``end`` (None: past the last)."""
    return _first_at(nodes, spans, start), len(nodes) if end is None else _first_at(nodes, spans, end)


def _first_at(nodes: Sequence[cst.CSTNode], spans: Dict[int, Tuple[int, int]], offset: int) -> int:
    low, high = 0, len(nodes)
    while low < high:
        middle = (low + high) // 2
        if spans[id(nodes[middle])][0] < offset:
            low = middle + 1
        else:
            high = middle
    return low


def _is_removed_run(nodes: Sequence[cst.CSTNode], run: Tuple[int, int], removed: set, count: int) -> bool:
    """Whether ``nodes[run[0]:run[1]]`` are exactly this kind's ``count`` removed nodes (they are
    one run in source order: its ends and its length tell)."""
    low, high = run
    if high - low != count:
        return False
    if count and (id(nodes[low]) not in removed or id(nodes[high - 1]) not in removed):
        return False
    return (low == 0 or id(nodes[low - 1]) not in removed) and (high == len(nodes) or id(nodes[high]) not in removed)


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix (slice comparisons: C speed on long texts)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle : len(a) - low] == b[len(b) - middle : len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low
