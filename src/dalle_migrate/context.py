"""One parsed module and everything a rule may ask about it.

Only this module and ``edits`` turn CST nodes into text positions; rules go through them.
"""

from __future__ import annotations

from typing import Mapping, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider, ScopeProvider

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


class ModuleContext:
    """A parsed module with positions, scopes and parents resolved once."""

    def __init__(self, text: str, settings: Settings, newline: str = "\n") -> None:
        self.text = text
        self.settings = settings
        self.catalog = settings.catalog
        self.newline = newline
        self.lines = LineIndex(text)
        self.module = cst.parse_module(text)
        if self.module.code != text:
            # Positions would be off from the first difference: nothing here can be trusted.
            raise UnfaithfulParse(_first_difference(self.module.code, text))
        wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        resolved = wrapper.resolve_many([PositionProvider, ScopeProvider, ParentNodeProvider])
        self.positions: Mapping[cst.CSTNode, object] = resolved[PositionProvider]
        self.scopes = resolved[ScopeProvider]
        self.parents: Mapping[cst.CSTNode, cst.CSTNode] = resolved[ParentNodeProvider]
        self._resolver = None
        self._image_calls = None
        self.memo: dict = {}  # per-module results shared by several rules

    def span(self, node: cst.CSTNode) -> Tuple[int, int]:
        """Offsets of ``node``'s own text (without surrounding whitespace)."""
        code_range = self.positions[node]
        start = self.lines.offset(code_range.start.line, code_range.start.column)
        end = self.lines.offset(code_range.end.line, code_range.end.column)
        return start, end

    def code(self, node: cst.CSTNode) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parents.get(node)

    def scope(self, node: cst.CSTNode):
        return self.scopes.get(node)

    @property
    def resolver(self):
        """The module's value resolver (values.Resolver), built on first use."""
        if self._resolver is None:
            from .values import Resolver

            self._resolver = Resolver(self)
        return self._resolver

    @property
    def image_calls(self):
        """Every OpenAI image call of the module (calls.ImageCall), found once."""
        if self._image_calls is None:
            from .calls import find_image_calls

            self._image_calls = find_image_calls(self)
        return self._image_calls
