"""Parsing a module with LibCST, and indexing it in one pass: each node's offsets, parent,
children, and the nodes of each type (what ``context.ModuleContext`` answers rules with).
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState


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
_CHECKED_AFTER_INIT = cst.CSTNode.__dict__["__post_init__"]  # (every node's: its `_validate`)


def _node_as_read(node: cst.CSTNode) -> None:
    """A node's checks of itself, for a text CPython's parser accepted (see ``parse``)."""


def parse(text: str, config: Optional[cst.PartialParserConfig] = None, python_parses: bool = False) -> cst.Module:
    """``cst.parse_module``, without the tokens' check of their own text (``_TOKENS_AS_READ``):
    it guards tokens that code builds by hand. ``python_parses``: CPython's parser accepted the
    text, so no node is checked (what those checks refuse of a parsed text, a str and a bytes
    literal joined, CPython refuses too; a tenth of a parse). For the length of the parse only;
    this process parses in one thread."""
    checks = [(kind, kind.__dict__["_validate"]) for kind in _TOKENS_AS_READ]
    try:
        for kind, _ in checks:
            kind._validate = _token_as_read  # type: ignore[method-assign]
        if python_parses:
            cst.CSTNode.__post_init__ = _node_as_read  # type: ignore[method-assign]
        return cst.parse_module(text) if config is None else cst.parse_module(text, config)
    finally:
        for kind, check in checks:
            kind._validate = check  # type: ignore[method-assign]
        if python_parses:
            cst.CSTNode.__post_init__ = _CHECKED_AFTER_INIT  # type: ignore[method-assign]


class IndexingState(CodegenState):
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

    def __init__(self, state: IndexingState, node: cst.CSTNode, start_node: Optional[cst.CSTNode], end_node: Optional[cst.CSTNode]) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is not None:
            return  # (a RecursionError deep in the tree: the ranges inside were never recorded)
        state = self.state
        start, end = self.start, state.offset
        if self.start_node is not None:
            start = state.spans[id(self.start_node)][0]
        if self.end_node is not None:
            end = state.spans[id(self.end_node)][1]
        state.spans[id(self.node)] = (start, end)


class _Parenthesized:
    """LibCST's ``_parenthesize(state)`` of an expression, as a class: it is a generator-based
    context manager, entered for every expression a module holds (a tenth of indexing it)."""

    __slots__ = ("node", "state", "position")

    def __init__(self, node: cst.CSTNode, state: IndexingState) -> None:
        self.node = node
        self.state = state

    def __enter__(self) -> None:
        state = self.state
        for lpar in self.node.lpar:  # type: ignore[attr-defined]
            lpar._codegen(state)
        self.position = state.record_syntactic_position(self.node)
        self.position.__enter__()

    def __exit__(self, *exc_info: object) -> None:
        self.position.__exit__(*exc_info)
        if exc_info[0] is None:  # (the generator stops at the exception too)
            for rpar in self.node.rpar:  # type: ignore[attr-defined]
                rpar._codegen(self.state)


class _Bracketed:
    """LibCST's ``_bracketize`` of a list and ``_braceize`` of a set or dict, as a class."""

    __slots__ = ("opening", "closing", "state")

    def __init__(self, opening: cst.CSTNode, closing: cst.CSTNode, state: IndexingState) -> None:
        self.opening, self.closing, self.state = opening, closing, state

    def __enter__(self) -> None:
        self.opening._codegen(self.state)

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is None:
            self.closing._codegen(self.state)


def _class_helpers() -> Tuple[Tuple[type, str, object], ...]:
    """(class, name, the class-based helper) for each of LibCST's code generation helpers this
    version has; none for a version that moved them (its own are used then)."""
    try:
        from libcst._nodes.expression import BaseList, _BaseParenthesizedNode, _BaseSetOrDict
    except ImportError:
        return ()
    helpers = (
        (_BaseParenthesizedNode, "_parenthesize", lambda node, state: _Parenthesized(node, state)),
        (BaseList, "_bracketize", lambda node, state: _Bracketed(node.lbracket, node.rbracket, state)),
        (_BaseSetOrDict, "_braceize", lambda node, state: _Bracketed(node.lbrace, node.rbrace, state)),
    )
    return tuple(helper for helper in helpers if helper[1] in helper[0].__dict__)


_CLASS_HELPERS = _class_helpers()


class class_helpers:
    """``with class_helpers():`` LibCST's code generation uses ``_CLASS_HELPERS`` (the same tokens
    and ranges) for the length of the block; this process generates in one thread."""

    def __enter__(self) -> None:
        self.saved = [(kind, name, kind.__dict__[name]) for kind, name, _ in _CLASS_HELPERS]
        try:
            for kind, name, helper in _CLASS_HELPERS:
                setattr(kind, name, helper)
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc_info: object) -> None:
        for kind, name, original in self.saved:
            setattr(kind, name, original)


class Indexed(NamedTuple):
    """What parsing and indexing a text gives: a function of the text alone (LibCST's trees are
    immutable), so it may be kept for the next run that reads the same file unchanged."""

    module: cst.Module
    spans: Dict[int, Tuple[int, int]]
    parents: Dict[int, cst.CSTNode]
    children: Dict[int, List[cst.CSTNode]]
    by_type: Dict[type, Tuple[cst.CSTNode, ...]]
    # Where each of ``module.body``'s statements is, its leading lines and its blocks' footers
    # included (the statements tile the text between the header and the footer): what an edit's
    # re-parse needs (``reparse.reindexed``).
    extents: Tuple[Tuple[int, int], ...]


def generate(state: IndexingState, module: cst.Module) -> Tuple[Tuple[int, int], ...]:
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


def indexed(text: str, python_parses: bool = False) -> Indexed:
    module = parse(text, python_parses=python_parses)
    state = IndexingState(module)
    with class_helpers():
        extents = generate(state, module)
    produced = "".join(state.tokens)
    if produced != text:
        # Positions would be off from the first difference: nothing here can be trusted.
        raise UnfaithfulParse(_first_difference(produced, text))
    # Tuples: a run may share them with the next (``keep_parsed``), so no caller may change them.
    by_type = {kind: tuple(found) for kind, found in state.by_type.items()}
    return Indexed(module, state.spans, state.parents, state.children, by_type, extents)
