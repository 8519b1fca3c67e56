"""Module-level surfaces of openai < 1.0 that break once a file's image calls run on openai
>= 1.0: the ``openai.error`` exceptions and the ``openai.api_base`` setting.

DM401 rewrites ``openai.Image.*`` calls for openai >= 1.0. In the same file, ``except
openai.error.InvalidRequestError`` then raises AttributeError the first time a request fails
(the module is gone), ``from openai.error import ...`` and ``import openai.error`` fail at
import, and ``openai.api_base = ...`` is silently ignored (the module client reads
``openai.base_url``). This module finds those uses; the catalogue says what replaces them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

import libcst as cst

from .calls import is_openai_module
from .context import ModuleContext, one_line
from .edits import replace_node, string_literal
from .findings import Edit, splice
from .scopes import dotted_name
from .values import literal


@dataclass
class LegacyUse:
    node: cst.CSTNode  # where the finding is reported
    old: str  # the code as written
    new: Optional[str]  # what openai >= 1.0 calls it; None: no equivalent (no fix)
    why: str  # what goes wrong on openai >= 1.0
    edits: List[Edit] = field(default_factory=list)
    broader: bool = False  # the replacement also catches other failures
    advice: str = ""  # what a person should do, when there is no fix


def legacy_uses(ctx: ModuleContext) -> List[LegacyUse]:
    sdk = ctx.catalog.sdk
    error_module = f"{sdk.package}.{sdk.legacy_error_module}"
    uses: List[LegacyUse] = []
    for node in ctx.nodes(cst.Attribute):
        owner = node.value
        if (
            isinstance(owner, cst.Attribute)
            and owner.attr.value == sdk.legacy_error_module
            and not isinstance(owner.value, cst.Attribute)  # openai.error.X, not a.b.error.X
            and is_openai_module(ctx, owner.value)
        ):
            uses.append(_error(ctx, node, f"{ctx.code(owner.value)}.", node.attr.value))
        elif node.attr.value in sdk.legacy_module_settings and is_openai_module(ctx, owner) and not _inside_error_chain(ctx, node):
            uses.append(_setting(ctx, node))
    for node in ctx.nodes(cst.ImportFrom):
        module = dotted_name(node.module) if node.module is not None and not node.relative else None
        if module == error_module:
            uses.append(_from_error_module(ctx, node))
        elif module == sdk.package and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                if dotted_name(alias.name) == sdk.legacy_error_module:
                    why = f"`{error_module}` does not exist in openai >= 1.0: ImportError"
                    uses.append(LegacyUse(alias, ctx.excerpt(node), None, why, advice=_by_package_advice(sdk)))
    for node in ctx.nodes(cst.Import):
        for alias in node.names:
            if dotted_name(alias.name) == error_module:
                why = f"`{error_module}` does not exist in openai >= 1.0: ModuleNotFoundError"
                if alias.asname is None:
                    uses.append(LegacyUse(alias, f"import {error_module}", f"import {sdk.package}", why, [replace_node(ctx, alias.name, sdk.package)]))
                else:
                    uses.append(LegacyUse(alias, f"import {ctx.code(alias)}", None, why, advice=_by_package_advice(sdk)))
    uses.sort(key=lambda use: ctx.span(use.node)[0])
    return uses


def _by_package_advice(sdk) -> str:
    return f"import `{sdk.package}` and name its exceptions from it (`{sdk.package}.<exception>`)"


def _setting(ctx: ModuleContext, node: cst.Attribute) -> LegacyUse:
    """``openai.api_base = url`` -> ``openai.base_url = url/``: the module client of openai >= 1.0
    joins paths to ``base_url`` as it is, so it must end with '/' (v0 added the '/' itself:
    "https://host/v1" there is "https://host/v1/" here). Reads are left to a person: the value
    read changes (a trailing '/', None when unset)."""
    old_name = node.attr.value
    new_name = ctx.catalog.sdk.legacy_module_settings[old_name]
    new = f"{ctx.code(node.value)}.{new_name}"
    why = f"openai >= 1.0 ignores `{old_name}` on the module: its client reads `{new_name}`, which must end with '/'"
    target = ctx.parent(node)
    assign = ctx.parent(target) if isinstance(target, cst.AssignTarget) else None
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        advice = f"read `{new}` instead: it ends with '/', and is None when not set"
        return LegacyUse(node, ctx.code(node), None, why, advice=advice)
    value = assign.value
    text = literal(value)
    if isinstance(text, str):
        fixed_value = string_literal(text if text.endswith("/") else text + "/", value)
    elif isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        fixed_value = f'{ctx.code(value)}.rstrip("/") + "/"'
    else:
        fixed_value = f'({ctx.code(value)}).rstrip("/") + "/"'
    edits = [replace_node(ctx, node.attr, new_name), replace_node(ctx, value, fixed_value)]
    return LegacyUse(node, ctx.code(node), f"{new} = {one_line(fixed_value)}", why, edits)


def _inside_error_chain(ctx: ModuleContext, node: cst.Attribute) -> bool:
    return isinstance(node.value, cst.Attribute) and node.value.attr.value == ctx.catalog.sdk.legacy_error_module


def _error(ctx: ModuleContext, node: cst.Attribute, prefix: str, name: str) -> LegacyUse:
    sdk = ctx.catalog.sdk
    new_name = sdk.legacy_errors.get(name, "")
    old = ctx.code(node)
    why = f"`{sdk.package}.{sdk.legacy_error_module}` does not exist in openai >= 1.0: AttributeError where it is read"
    if not new_name:
        return LegacyUse(node, old, None, why)
    new = prefix + new_name
    return LegacyUse(node, old, new, why, [replace_node(ctx, node, new)], broader=name in sdk.legacy_errors_broader)


def _from_error_module(ctx: ModuleContext, node: cst.ImportFrom) -> LegacyUse:
    """``from openai.error import X [as Y]`` -> ``from openai import V1X as X`` (local names kept)."""
    sdk = ctx.catalog.sdk
    why = f"`{sdk.package}.{sdk.legacy_error_module}` does not exist in openai >= 1.0: ModuleNotFoundError"
    old = ctx.excerpt(node, limit=200)  # the whole statement: the message is about its names
    if isinstance(node.names, cst.ImportStar):
        return LegacyUse(node, old, None, why)
    edits = [replace_node(ctx, node.module, sdk.package)]  # type: ignore[arg-type]
    broader = False
    for alias in node.names:
        name = dotted_name(alias.name) or ""
        new_name = sdk.legacy_errors.get(name, "")
        if not new_name:
            return LegacyUse(node, old, None, f"{why}, and `{name}` has no equivalent there")
        broader = broader or name in sdk.legacy_errors_broader
        if new_name != name:
            edits.append(replace_node(ctx, alias.name, new_name if alias.asname is not None else f"{new_name} as {name}"))
    start, end = ctx.span(node)
    new = one_line(splice(ctx.text[start:end], [Edit(e.start - start, e.end - start, e.content) for e in edits]))
    return LegacyUse(node, old, new, why, edits, broader)


def legacy_resources(ctx: ModuleContext) -> List[cst.CSTNode]:
    """Uses of the other pre-1.0 resources (``openai.ChatCompletion``, ``from openai import
    Completion``...): a file that has them runs on openai 0.x. Computed once per module."""
    found = ctx.memo.get("legacy_sdk.resources")
    if found is None:
        sdk = ctx.catalog.sdk
        names = set(sdk.legacy_resources)
        found = [
            node
            for node in ctx.nodes(cst.Attribute)
            if node.attr.value in names and not isinstance(node.value, cst.Attribute) and is_openai_module(ctx, node.value)
        ]
        for node in ctx.nodes(cst.ImportFrom):
            if node.relative or node.module is None or dotted_name(node.module) != sdk.package or isinstance(node.names, cst.ImportStar):
                continue
            found.extend(alias for alias in node.names if dotted_name(alias.name) in names)
        found.sort(key=lambda node: ctx.span(node)[0])
        ctx.memo["legacy_sdk.resources"] = found
    return found
