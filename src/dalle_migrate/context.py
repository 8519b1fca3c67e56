"""One parsed module and everything a rule may ask about it.

Only this module and ``edits`` turn CST nodes into text positions; rules go through them.
Rules find nodes through ``nodes``/``inside`` (the index), never by visiting the whole module.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from typing import Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

from .settings import Settings  # noqa: F401  (re-exported: rules and tests import it here)
from .source import LineIndex


class UnfaithfulParse(Exception):
    """LibCST parsed the file but does not reproduce it byte for byte (a LibCST limitation)."""

    def __init__(self, line: int) -> None:
        super().__init__(f"LibCST does not reproduce line {line} of the file exactly")
        self.line = line


def _first_difference(produced: str, original: str) -> int:
    for index, (a, b) in enumerate(zip(produced, original)):
        if a != b:
            return original.count("\n", 0, index) + 1
    return original.count("\n", 0, min(len(produced), len(original))) + 1


def _token_as_read(node: cst.CSTNode) -> None:
    """A whitespace, newline or comment token's check of its own text, for a token the parser
    read (see ``parse``)."""


# Tokens whose check (a regular expression over their text, one call per token: half of what a
# parse spends checking its nodes) holds of any text LibCST's tokenizer hands them. Every other
# node is checked as LibCST checks it: that check refuses code CPython refuses too (a str and a
# bytes literal joined).
_TOKENS_AS_READ = (cst.SimpleWhitespace, cst.Newline, cst.Comment)


def parse(text: str, config: Optional[cst.PartialParserConfig] = None) -> cst.Module:
    """``cst.parse_module``, without the tokens' check of their own text (``_TOKENS_AS_READ``):
    it guards tokens that code builds by hand. For the length of the parse only; this process
    parses in one thread."""
    checks = [(kind, kind.__dict__["_validate"]) for kind in _TOKENS_AS_READ]
    for kind, _ in checks:
        kind._validate = _token_as_read  # type: ignore[method-assign]
    try:
        return cst.parse_module(text) if config is None else cst.parse_module(text, config)
    finally:
        for kind, check in checks:
            kind._validate = check  # type: ignore[method-assign]


def one_line(code: str, limit: int = 60) -> str:
    """Code on one line, cut at ``limit`` characters: for messages."""
    line = " ".join(code.split())
    return line if len(line) <= limit else line[: limit - 3].rstrip() + "..."


class _IndexingState(CodegenState):
    """LibCST's code generation, recording on the way what a rule may ask about every node.

    One pass gives the module's text back (proof that LibCST reproduces the file), each node's
    offsets (the same ranges as LibCST's PositionProvider, as offsets into the text), each
    node's parent, and the nodes of each type in source order. LibCST's metadata providers do
    this in several visitor passes that cost ten times a parse.
    """

    __slots__ = ("offset", "spans", "parents", "children", "by_type", "_stack")

    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        # Keyed by id(node): LibCST nodes hash in Python code, ids in C.
        self.spans: Dict[int, Tuple[int, int]] = {}
        self.parents: Dict[int, cst.CSTNode] = {}
        self.children: Dict[int, List[cst.CSTNode]] = {}  # in source order
        self.by_type: Dict[type, List[cst.CSTNode]] = {}
        # The nodes being generated, outermost first: (node, its start, its children so far).
        self._stack: List[Tuple[Optional[cst.CSTNode], int, List[cst.CSTNode]]] = [(None, 0, [])]

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.tokens.append(token)
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        stack = self._stack
        parent, _, siblings = stack[-1]
        if parent is not None:
            self.parents[id(node)] = parent
            siblings.append(node)
        stack.append((node, self.offset, []))
        nodes = self.by_type.get(type(node))
        if nodes is None:
            self.by_type[type(node)] = [node]
        else:
            nodes.append(node)

    def after_codegen(self, node: cst.CSTNode) -> None:
        _, start, children = self._stack.pop()
        key = id(node)
        if children:
            self.children[key] = children
        if key not in self.spans:  # a syntactic range recorded inside wins, as in LibCST
            self.spans[key] = (start, self.offset)

    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> "_SyntacticRange":
        return _SyntacticRange(self, node, start_node, end_node)


class _SyntacticRange:
    """``with state.record_syntactic_position(node)``: a node's range without its parentheses.
    A class rather than a generator-based context manager: LibCST enters one for nearly every
    expression, and the generator's machinery was a sixth of indexing a module."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _IndexingState, node: cst.CSTNode, start_node: Optional[cst.CSTNode], end_node: Optional[cst.CSTNode]) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, *exc_info: object) -> None:
        state = self.state
        start, end = self.start, state.offset
        if self.start_node is not None:
            start = state.spans[id(self.start_node)][0]
        if self.end_node is not None:
            end = state.spans[id(self.end_node)][1]
        state.spans[id(self.node)] = (start, end)


class _Indexed(NamedTuple):
    """What parsing and indexing a text gives: a function of the text alone (LibCST's trees are
    immutable), so it may be kept for the next run that reads the same file unchanged."""

    module: cst.Module
    spans: Dict[int, Tuple[int, int]]
    parents: Dict[int, cst.CSTNode]
    children: Dict[int, List[cst.CSTNode]]
    by_type: Dict[type, Tuple[cst.CSTNode, ...]]
    # Where each of ``module.body``'s statements is, its leading lines and its blocks' footers
    # included (the statements tile the text between the header and the footer): what an edit's
    # re-parse needs (``_reindexed``).
    extents: Tuple[Tuple[int, int], ...]


def _generate(state: _IndexingState, module: cst.Module) -> Tuple[Tuple[int, int], ...]:
    """``module._codegen(state)`` (LibCST's ``Module._codegen_impl``, step for step), answering
    each statement's extent."""
    extents = []
    state.before_codegen(module)
    for line in module.header:
        line._codegen(state)
    for statement in module.body:
        start = state.offset
        statement._codegen(state)
        extents.append((start, state.offset))
    for line in module.footer:
        line._codegen(state)
    if module.has_trailing_newline:
        if not state.tokens:
            state.add_token(state.default_newline)
    else:
        state.pop_trailing_newline()
    state.after_codegen(module)
    return tuple(extents)


# Parsed files kept between runs of one process, by (path, text): none for a command-line run
# (each file is parsed once; the memory is better spent elsewhere), some for the language server,
# whose runs read the same unchanged neighbours on every edit. Keyed by path too: two files of the
# same text (empty `__init__.py`s) must not share nodes, whose owner is found by identity.
_KEPT: "OrderedDict[Tuple[str, str], _Indexed]" = OrderedDict()
_KEEP = [0]


def keep_parsed(count: int) -> None:
    """Keep up to ``count`` parsed files between runs (least recently used dropped first)."""
    _KEEP[0] = count
    while len(_KEPT) > count:
        _drop_oldest()


def _drop_oldest() -> None:
    (path, text), _ = _KEPT.popitem(last=False)
    if _LAST.get(path) == text:
        del _LAST[path]


def _indexed(text: str) -> _Indexed:
    module = parse(text)
    state = _IndexingState(module)
    extents = _generate(state, module)
    produced = "".join(state.tokens)
    if produced != text:
        # Positions would be off from the first difference: nothing here can be trusted.
        raise UnfaithfulParse(_first_difference(produced, text))
    # Tuples: a run may share them with the next (``keep_parsed``), so no caller may change them.
    by_type = {kind: tuple(found) for kind, found in state.by_type.items()}
    return _Indexed(module, state.spans, state.parents, state.children, by_type, extents)


# The last text kept of each path: an edited file is re-parsed from it (``_reindexed``).
_LAST: Dict[str, str] = {}


def _indexed_kept(text: str, path: Optional[str]) -> _Indexed:
    if not _KEEP[0] or path is None:
        return _indexed(text)
    key = (path, text)
    kept = _KEPT.get(key)
    if kept is None:
        before = _LAST.get(path)
        earlier = _KEPT.get((path, before)) if before is not None else None
        found = _reindexed(earlier, before, text) if earlier is not None else None
        kept = _KEPT[key] = found if found is not None else _indexed(text)
        if len(_KEPT) > _KEEP[0]:
            _drop_oldest()
    else:
        _KEPT.move_to_end(key)
    _LAST[path] = text
    return kept


# An edit is parsed again from the top-level statements it touched, widened by one statement
# at a time where the edge could read differently in the whole file, at most this many times.
_REPARSE_TRIES = 4


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


def _same_lines(a: Sequence[cst.EmptyLine], b: Sequence[cst.EmptyLine]) -> bool:
    return len(a) == len(b) and all(x.deep_equals(y) for x, y in zip(a, b))


def _reindexed(old: _Indexed, old_text: str, text: str) -> Optional[_Indexed]:
    """The index of ``text``, an edit of ``old_text`` (indexed as ``old``), parsing only the
    top-level statements the edit touched; None when that cannot be shown to give what parsing
    the whole text gives (the caller then does).

    The statements are parsed as a module of their own, between an ``if`` block indented as the
    file's first block (LibCST takes the default indentation and newline of a module from its
    first block and first line: they must be the file's) and a ``pass`` at the first column where
    the next statement starts. The lines between the statements then go where they go in the
    whole file: LibCST gives a block's footer the lines indented at its level, so an indented line
    first in the chunk widens it to the statement before, and the next statement's leading lines
    must come out as they were, else it is parsed too. Everything else keeps its nodes, shifted.
    ``test_reparse`` compares the result with a whole parse after chains of edits.
    """
    module = old.module
    body, extents, spans = module.body, old.extents, old.spans
    if not body:
        return None
    prefix = _common_prefix(old_text, text)
    edit_start = prefix
    edit_end = len(old_text) - _common_suffix(old_text, text, min(len(old_text), len(text)) - prefix)
    delta = len(text) - len(old_text)
    if edit_start < extents[0][0] or _first_newline(text) != module.default_newline:
        return None  # the module's header, or the newline LibCST defaults to
    ends = [end for _, end in extents]
    first = min(bisect.bisect_right(ends, edit_start), len(body) - 1)
    last = min(max(first, bisect.bisect_left(ends, edit_end)), len(body) - 1)
    newline, indent = module.default_newline, module.default_indent
    prelude = "if 1:" + newline + indent + "pass" + newline
    for _ in range(_REPARSE_TRIES):
        if first < 0:
            return None
        start = extents[first][0]
        at_end = last == len(body) - 1
        if at_end:
            chunk = prelude + text[start:]
        else:
            following = body[last + 1]
            lead = following.leading_lines
            code_start = spans[id(lead[-1])][1] if lead else extents[last + 1][0]
            chunk = prelude + text[start : code_start + delta] + "pass" + newline
        if "__future__" in chunk:
            return None  # the pure-Python parser of older LibCSTs reads them from the top
        try:
            parsed = parse(chunk, cst.PartialParserConfig(encoding=module.encoding))
        except (cst.ParserSyntaxError, RecursionError):
            return None  # the whole text decides: an open bracket may close after the chunk
        statements = list(parsed.body)
        opening = statements.pop(0) if statements else None
        if not (isinstance(opening, cst.If) and opening.orelse is None and isinstance(opening.body, cst.IndentedBlock)):
            return None
        if opening.body.footer or any(line.whitespace.value for line in (statements[0].leading_lines if statements else ())):
            first -= 1  # an indented line may belong to the previous statement's block
            continue
        if not at_end:
            sentinel = statements.pop() if statements else None
            if not (isinstance(sentinel, cst.SimpleStatementLine) and len(sentinel.body) == 1 and isinstance(sentinel.body[0], cst.Pass)):
                return None  # the pass was joined to the chunk's last line
            if not _same_lines(sentinel.leading_lines, following.leading_lines):
                last += 1  # the next statement's leading lines changed: parse it too
                continue
        elif not statements:
            return None
        if first == 0 and (not statements or statements[0].leading_lines):
            return None  # lines before the first statement are the module's header
        return _spliced(old, text, parsed, statements, first, last, delta)
    return None


def _first_newline(text: str) -> str:
    """The newline LibCST takes as a module's default: its first line's."""
    at = min((i for i in (text.find("\r"), text.find("\n")) if i >= 0), default=-1)
    if at < 0:
        return "\n"
    return "\r\n" if text.startswith("\r\n", at) else text[at]


def _spliced(old: _Indexed, text: str, parsed: cst.Module, statements: List[cst.BaseStatement], first: int, last: int, delta: int) -> Optional[_Indexed]:
    """``_reindexed``'s result: the old tree with ``body[first:last + 1]`` replaced by the parsed
    ``statements`` (and the footer by ``parsed``'s when they reach the end), indexed."""
    module, extents = old.module, old.extents
    at_end = last == len(module.body) - 1
    start, shift_from = extents[first][0], extents[last][1]
    changes: dict = {"body": (*module.body[:first], *statements, *module.body[last + 1 :])}
    if at_end:
        changes.update(footer=parsed.footer, has_trailing_newline=parsed.has_trailing_newline)
    new = module.with_changes(**changes)

    state = _IndexingState(new)
    state.offset = start
    state._stack = [(None, 0, []), (new, 0, [])]
    new_extents = []
    for statement in statements:
        begin = state.offset
        statement._codegen(state)
        new_extents.append((begin, state.offset))
    if at_end:
        for line in new.footer:
            line._codegen(state)
        if not new.has_trailing_newline:
            state.pop_trailing_newline()
        expected = text[start:]
    else:
        if state.offset != shift_from + delta:
            return None
        expected = text[start : state.offset]
    if "".join(state.tokens) != expected:
        return None  # the whole parse says where LibCST does not reproduce the text
    blocks, fresh_blocks = old.by_type.get(cst.IndentedBlock), state.by_type.get(cst.IndentedBlock)
    if not blocks or old.spans[id(blocks[0])][0] >= start:
        # The file's first block may now be one of these: LibCST takes its indentation as the
        # module's default, which the blocks after it were parsed with.
        if fresh_blocks:
            if fresh_blocks[0].indent is not None:
                return None
        elif blocks and old.spans[id(blocks[0])][0] < shift_from:
            return None

    removed = {id(module)}
    stack: List[cst.CSTNode] = [*module.body[first : last + 1], *(module.footer if at_end else ())]
    children = old.children
    while stack:
        node = stack.pop()
        removed.add(id(node))
        below = children.get(id(node))
        if below:
            stack.extend(below)

    spans = {}
    for key, (begin, end) in old.spans.items():
        if key not in removed:
            spans[key] = (begin, end) if begin < shift_from else (begin + delta, end + delta)
    old_spans = old.spans
    by_type: Dict[type, Tuple[cst.CSTNode, ...]] = {}
    fresh = state.by_type
    for kind, nodes in old.by_type.items():
        before, after = [], []
        for node in nodes:
            key = id(node)
            if key not in removed:
                (before if old_spans[key][0] < shift_from else after).append(node)
        found = (*before, *fresh.get(kind, ()), *after)
        if found:
            by_type[kind] = found
    for kind, nodes in fresh.items():
        if kind not in by_type:
            by_type[kind] = tuple(nodes)
    by_type[cst.Module] = (new,)
    spans.update(state.spans)
    spans[id(new)] = (0, state.offset if at_end else old_spans[id(module)][1] + delta)

    parents = {key: parent for key, parent in old.parents.items() if key not in removed}
    parents.update(state.parents)
    tops = [*new.header, *new.body, *new.footer]
    for node in tops:
        parents[id(node)] = new
    below_of = {key: nodes for key, nodes in children.items() if key not in removed}
    below_of.update(state.children)
    below_of[id(new)] = tops
    shifted = tuple((begin + delta, end + delta) for begin, end in extents[last + 1 :])
    return _Indexed(new, spans, parents, below_of, by_type, (*extents[:first], *new_extents, *shifted))


class ModuleContext:
    """A parsed module with positions, parents and node types indexed once; scopes on demand."""

    def __init__(self, text: str, settings: Settings, newline: str = "\n", path: Optional[str] = None, project=None) -> None:
        self.text = text
        self.path = path  # the file, when known: imports are then resolved in its project
        self._project = project
        self.settings = settings
        self.catalog = settings.catalog
        self.newline = newline
        self.lines = LineIndex(text)
        indexed = _indexed_kept(text, path)
        self.module = indexed.module
        self.spans = indexed.spans
        self.parents: Mapping[int, cst.CSTNode] = indexed.parents  # by id(node)
        self.children: Mapping[int, List[cst.CSTNode]] = indexed.children  # by id(node)
        self._by_type = indexed.by_type
        self._scopes = None
        self.memo: dict = {}  # per-module results shared by several rules
        # What the analyses that used this module read of the project (reads.Reads; recorded
        # runs only): its memo may hold any of it.
        self.reads = None

    def release(self) -> None:
        """Drops what this module's analysis built on it (scopes, memos): they refer back to it,
        so without this a dropped module waits for a full collection of the garbage collector,
        which walks every module still kept."""
        self.memo.clear()
        if self._scopes is not None:
            self._scopes.release()
            self._scopes = None

    @property
    def project(self):
        """The project this module belongs to (project.Project: given by whoever parsed the
        module, so this layer asks nothing of the layers above it), or None."""
        return self._project

    def owner(self, node: cst.CSTNode) -> "ModuleContext":
        """The module whose tree holds ``node``: this one, or one of the project's that a value
        or a client was followed into."""
        if id(node) in self.spans:
            return self
        project = self.project
        found = project.owner(node) if project is not None else None
        return found if found is not None else self

    def span(self, node: cst.CSTNode) -> Tuple[int, int]:
        """Offsets of ``node``'s own text (without surrounding whitespace)."""
        return self.spans[id(node)]

    def code(self, node: cst.CSTNode) -> str:
        start, end = self.spans[id(node)]
        return self.text[start:end]

    def excerpt(self, node: cst.CSTNode, limit: int = 60) -> str:
        """The node's code on one line, cut at ``limit`` characters: for messages."""
        return one_line(self.code(node), limit)

    def class_of_attribute(self, value: cst.CSTNode) -> Optional[cst.ClassDef]:
        """The class whose body assigns ``value`` directly (``NAME = value``), else None."""
        assign = self.parent(value)
        if not isinstance(assign, (cst.Assign, cst.AnnAssign)) or assign.value is not value:
            return None
        line = self.parent(assign)
        block = self.parent(line) if line is not None else None
        owner = self.parent(block) if block is not None else None
        return owner if isinstance(owner, cst.ClassDef) else None

    def nodes(self, *kinds: type) -> Sequence[cst.CSTNode]:
        """The module's nodes of exactly these types, in source order (outer before inner)."""
        if len(kinds) == 1:
            return self._by_type.get(kinds[0], ())
        found = [n for kind in kinds for n in self._by_type.get(kind, ())]
        spans = self.spans
        found.sort(key=lambda n: (spans[id(n)][0], -spans[id(n)][1]))
        return found

    def inside(self, node: cst.CSTNode, *kinds: type) -> List[cst.CSTNode]:
        """The nodes of these types within ``node`` (``node`` included), in source order."""
        found = []
        children = self.children
        stack = [node]
        while stack:
            current = stack.pop()
            if type(current) in kinds:
                found.append(current)
            below = children.get(id(current))
            if below:
                stack.extend(reversed(below))
        return found

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parents.get(id(node))

    def scope(self, node: cst.CSTNode):
        """The scope (scopes.Scope) a ``Name`` is read or bound in."""
        return self._scope_index().of(node)

    @property
    def module_scope(self):
        return self._scope_index().module_scope

    def _scope_index(self):
        if self._scopes is None:  # only modules where a name has to be looked up pay for it
            from .scopes import Scopes

            self._scopes = Scopes(self.module, self.children)
        return self._scopes
