"""Resolve the value an argument carries, statically and within one module.

A value is resolved when it is a literal, or a name bound exactly once (in the scope the call
sees) to something that resolves. The resolved value remembers the literal node that holds it,
so a fix edits the definition, once, however many calls share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import libcst as cst
from libcst.metadata import Assignment

from .context import ModuleContext

_MAX_DEPTH = 8


@dataclass(frozen=True)
class Value:
    value: Any  # str, int, float, bool or None
    node: cst.BaseExpression  # the literal that holds it: what a fix rewrites

    @property
    def is_str(self) -> bool:
        return isinstance(self.value, str)


_NOT_LITERAL = object()


def literal(node: cst.CSTNode) -> Any:
    """The Python value of a literal expression, or ``_NOT_LITERAL``."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else _NOT_LITERAL
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if isinstance(node, cst.Float):
        return float(node.evaluated_value)
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = literal(node.expression)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner
    if isinstance(node, cst.FormattedString) and all(isinstance(p, cst.FormattedStringText) for p in node.parts):
        return "".join(p.value for p in node.parts)  # an f-string without placeholders
    return _NOT_LITERAL


def resolve(ctx: ModuleContext, node: cst.BaseExpression, depth: int = 0) -> Optional[Value]:
    """The value of ``node`` if it can be known without running the program."""
    value = literal(node)
    if value is not _NOT_LITERAL:
        return Value(value, node)
    if depth >= _MAX_DEPTH:
        return None
    if isinstance(node, cst.Name):
        assigned = single_assigned_value(ctx, node)
        if assigned is not None:
            return resolve(ctx, assigned, depth + 1)
    return None


def single_assigned_value(ctx: ModuleContext, name: cst.Name) -> Optional[cst.BaseExpression]:
    """The expression a name is bound to, when it is bound exactly once by a plain assignment."""
    scope = ctx.scope(name)
    if scope is None:
        return None
    assignments = list(scope[name.value])
    if len(assignments) != 1 or not isinstance(assignments[0], Assignment):
        return None
    target = assignments[0].node
    parent = ctx.parent(target)
    if isinstance(parent, cst.AssignTarget):
        assign = ctx.parent(parent)
        if isinstance(assign, cst.Assign) and len(assign.targets) == 1:
            return assign.value
    if isinstance(parent, cst.AnnAssign) and parent.target is target and parent.value is not None:
        return parent.value
    return None
