from __future__ import annotations

import dataclasses
import os

from typing import Dict, Iterable, Optional, Set, Tuple

import libcst as cst

from ..calls import find_image_calls, find_lookalike_calls
from ..uses import Place, Site, never_seen, place, sites_testing
from ..catalog import RETIRED
from ..context import ModuleContext
from ..http_requests import find_http_requests
from ..tools import find_tool_configs
from ..wrappers import find_wrapper_uses, forwarded_requests
from ..edits import delete_item, replace_string
from ..values import resolver, string_value
from ..findings import Applicability, Finding, Severity
from ._common import call_rename, collection_member, enum_member_holding, enum_twin_holds, schema_siblings
from .base import Invalid, Rule


class RetiredModelLiteral(Rule):
    """
    ## What it does
    Finds a retired model id written as a string anywhere else in the code: arguments of
    libraries the catalogue does not know (workflow SDKs taking `model=` strings; the wrappers
    it knows, such as LangChain's `DallEAPIWrapper`, are DM501's),
    comparisons that guard a migrated call (`if model == "dall-e-3":`), configuration dicts,
    `Literal[...]` types. Docstrings and comments are never reported.

    ## Why
    Such a string often ends up in an image request that dalle-migrate cannot follow (another
    library makes the call), or decides which branch a migrated program takes.

    In a literal collection (a list, tuple or set, `Literal[...]`, a JSON-schema `"enum"` offered
    to a model for function calling, a dict keyed by model) the fix never makes two equal
    elements: where the target is already there, or an earlier retired element becomes it, the
    element is dropped instead. The finding on an id in a schema's `enum` also names the sibling
    properties whose `enum` offers values the target rejects (`"quality": {"enum": ["hd"]}`).

    A comparison (`model == "dall-e-3"`, `model in ("dall-e-2", "dall-e-3")`) is reported as one
    finding naming the branch it guards and, when every definition of the compared value is a
    retired id, where it is defined: the two are rewritten together.

    ## Fix safety
    A comparison whose compared value is a retired id an image call uses: safe, with DM101's fix
    of that definition (rewriting one and not the other misroutes the program); with a
    definition only DM105 rewrites, unsafe like it.
    Otherwise unsafe: the string may be a key, a label or a value some other program reads, so it is
    replaced by the target model (or dropped from its collection) only with `--unsafe-fixes`. A
    dict key whose target key exists, and a two-element tuple, get no fix: merging two entries'
    values or writing a one-element tuple is a person's call.
    """

    code = "DM105"
    yields_to_call_findings = True
    name = "retired-model-literal"
    severity = Severity.WARNING
    summary = "Retired model id in a string outside a recognised call"
    fix_applicability = Applicability.UNSAFE
    VALID = [
        """
        from aimlapi import AIMLAPI  # an OpenAI-compatible provider serving 'dall-e-3' itself
        MODEL = "dall-e-3"
        AIMLAPI(api_key="k").images.generate(model=MODEL, prompt="x")
        """,
        '''
        """Migrated from dall-e-3 to gpt-image-2."""
        # model was "dall-e-3"
        note = "We used dall-e-3 before."
        ''',
        """
        from openai import OpenAI
        OpenAI().images.generate(model="dall-e-3", prompt="DM101 reports this one")
        """,
    ]
    INVALID = [
        Invalid(
            """
            from typing import Literal
            ImageModel = Literal["dall-e-3", "gpt-image-2"]
            FALLBACKS = ["dall-e-2", "dall-e-3", "gpt-image-1.5"]
            """,
            """
            from typing import Literal
            ImageModel = Literal["gpt-image-2"]
            FALLBACKS = ["gpt-image-2", "gpt-image-1.5"]
            """,
            unsafe=True,
        ),
        Invalid(
            """
            PRICES = {"dall-e-3": 0.04, "gpt-image-2": 0.05}
            """,
            None,
        ),
        Invalid(
            """
            LEGACY = ("dall-e-2", "dall-e-3", "gpt-image-2")  # fixing both would leave ("gpt-image-2")
            """,
            None,
        ),
        # A comparison with an id the value never holds: its branch does not run, and
        # rewriting it would send the migrated model there. Reported, never fixed (the
        # comparison with 'dall-e-3' moves with the value: DM101's fix).
        Invalid(
            """
            from openai import OpenAI
            MODEL = "dall-e-3"
            def draw(prompt):
                size = "512x512" if MODEL == "dall-e-2" else "1792x1024"
                return OpenAI().images.generate(model=MODEL, prompt=prompt, size=size)
            """,
            None,
        ),
        Invalid(
            """
            from acme_workflows import ImageStep  # a workflow SDK the catalogue does not know
            step = ImageStep(model="dall-e-3", size="1024x1024")
            """,
            """
            from acme_workflows import ImageStep  # a workflow SDK the catalogue does not know
            step = ImageStep(model="gpt-image-2", size="1024x1024")
            """,
            unsafe=True,
        ),
    ]

    def check_module(self, ctx: ModuleContext) -> Iterable[Finding]:
        retired = {m for m in ctx.catalog.models if ctx.catalog.status(m, ctx.settings.today) == RETIRED}
        handled: Set[cst.CSTNode] = {v.node for call in find_image_calls(ctx) + find_tool_configs(ctx) + find_http_requests(ctx) for v in call.model_values}
        # A model given to a wrapper library the catalogue knows is DM501's (or DM101's) to report.
        handled |= {v.node for use in find_wrapper_uses(ctx) if use.model is not None for v in use.model.values}
        # A value of this module a call reaches through an import cycle is held by the project's
        # copy of this file: the same place, another node.
        handled_places = {ctx.owner(node).span(node) for node in handled if ctx.owner(node).path == ctx.path and ctx.owner(node) is not ctx}
        lookalikes = set(find_lookalike_calls(ctx))
        # A constant that only another SDK's image call uses (an OpenAI-compatible provider
        # serving 'dall-e-3' under that name) is that provider's business.
        for call in lookalikes:
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "model":
                    for value in resolver(ctx).resolve(arg.value).values:
                        handled.add(value.node)
                        if ctx.owner(value.node) is not ctx and string_value(value.node) in retired:
                            # Defined in another module: a silenced marker tells its DM105 to keep quiet.
                            yield dataclasses.replace(self.finding(ctx, value.node, "only another provider's call uses it"), silenced=True)
        target = ctx.settings.target
        # The moves of the module's calls' models (uses.py): the literals they rewrite are part
        # of those fixes (DM101's); the ones whose route stops running are said to be so.
        covered: Set[Place] = set()
        dead: Dict[Place, Tuple[cst.CSTNode, str]] = {}
        for call in find_image_calls(ctx) + find_tool_configs(ctx) + forwarded_requests(ctx) + find_http_requests(ctx):
            rename = call_rename(call, ctx)
            if rename is None:
                continue
            covered |= rename.covered
            for key, found in rename.dead.items():
                dead.setdefault(key, found)
            if rename.held_back:
                # The move is not safe: its uses stay as they are after a plain fix, and each
                # says where its value is defined and what holds the move back.
                value = rename.reported[0]
                owner = ctx.owner(value.node)
                row = owner.lines.position(owner.span(value.node)[0])[0]
                where = f"line {row}" if owner is ctx else f"{os.path.basename(owner.path or '')}:{row}"
                for key, node in rename.uses.items():
                    dead.setdefault(key, (node, (
                        f"it is a use of the model defined at {where}, and moves with it (DM101), which is not safe "
                        f"to fix alone: {rename.held_back[0]}."
                    )))
                    covered.discard(key)
        for key, (node, why) in dead.items():
            if key not in covered and ctx.owner(node) is not ctx and string_value(node) in retired:
                # A table or a collection in another module: reported there (the runner places it).
                yield self.finding(ctx, node, f"'{string_value(node)}' names a model shut down on {ctx.catalog.shutdown(string_value(node))}; {why}")
        tested: Optional[Dict[Place, Site]] = None  # the sites testing for a retired id: found at the first literal asking
        for node in ctx.nodes(cst.SimpleString, cst.ConcatenatedString):
            value = string_value(node)
            if value not in retired or node in handled or not _in_code(ctx, node, lookalikes):
                continue
            if handled_places and ctx.span(node) in handled_places:
                continue
            key = place(ctx, node)
            if key in covered:
                continue
            if key in dead:
                yield self.finding(ctx, node, f"'{value}' names a model shut down on {ctx.catalog.shutdown(value)}; {dead[key][1]}")
                continue
            if tested is None:  # (finding them reads modules a membership test names: none for a module without such a literal)
                tested = {place(ctx, o.node): site for site in sites_testing(ctx, retired) for o in site.options() if o.ctx is ctx}
            site = tested.get(key)
            never = _never_held(site, value) if site is not None else None
            if never is not None:
                yield self.finding(ctx, node, f"'{value}' names a model shut down on {ctx.catalog.shutdown(value)}; {never}")
                continue
            twin = enum_member_holding(ctx, node, target)
            if twin is not None:
                yield self.finding(
                    ctx,
                    node,
                    f"'{value}' names a model shut down on {ctx.catalog.shutdown(value)}; {twin} {enum_twin_holds(ctx, twin, target)} "
                    f"'{target}': use it wherever this member is used, then remove this one.",
                )
                continue
            message = (
                f"'{value}' names a model shut down on {ctx.catalog.shutdown(value)}; if this string "
                f"reaches an image API (a wrapper library, a config, a comparison), use '{target}'."
            )
            guard = _comparison_guard(ctx, node)
            if guard is not None:
                compared, branch = guard
                where = f" guarding the branch at line {branch}" if branch else ""
                message = f"{message} `{compared}` is compared with it{where}: check what the branch does for '{target}'."
            member = collection_member(ctx, node)
            if member is None:
                yield self.finding(ctx, node, message, f"Replace '{value}' with '{target}'", [replace_string(ctx, node, target)])
                continue
            message += schema_siblings(ctx, member, target)
            # Never two equal elements: where the target is already there (or an earlier retired
            # element becomes it), this one goes instead of turning into a copy.
            if target in member.others or member.earlier_retired(retired):
                why = f"'{target}' is already in this {member.kind}" if target in member.others else f"an earlier element of this {member.kind} becomes '{target}'"
                if member.kind == "dict" or (member.kind == "tuple" and member.left_after_fixes(retired, target) < 2):
                    left = "merge this entry into that one" if member.kind == "dict" else "drop this element and keep a trailing comma"
                    yield self.finding(ctx, node, f"{message} {why[0].upper()}{why[1:]}: {left} (not fixed: the values of two keys, or a tuple left with one element, need a person).")
                    continue
                yield self.finding(
                    ctx, node, f"{message} {why[0].upper()}{why[1:]}, so this one is dropped rather than duplicated.",
                    f"Drop '{value}' ({why})", [delete_item(ctx, member.items, member.item)],
                )
                continue
            yield self.finding(ctx, node, message, f"Replace '{value}' with '{target}'", [replace_string(ctx, node, target)])


def _in_code(ctx: ModuleContext, node: cst.CSTNode, lookalikes: Set[cst.CSTNode]) -> bool:
    """A string that is code: not part of a concatenation (that is judged whole), not a bare
    string statement (a docstring or a comment in disguise), not in another SDK's image call."""
    parent = ctx.parent(node)
    if isinstance(parent, cst.ConcatenatedString) or (isinstance(parent, cst.Expr) and parent.value is node):
        return False
    while parent is not None:
        if parent in lookalikes:
            return False
        parent = ctx.parent(parent)
    return True


def _comparison_guard(ctx: ModuleContext, node: cst.CSTNode):
    """For a literal compared with a value (``model == "dall-e-3"``, ``model in ("dall-e-3",
    ...)``): (the compared expression, the line of the branch it guards or None); None when
    the literal is compared with nothing."""
    parent = ctx.parent(node)
    if isinstance(parent, cst.Element):  # `in ("dall-e-3", "dall-e-2")`
        container = ctx.parent(parent)
        parent = ctx.parent(container) if isinstance(container, (cst.Tuple, cst.List, cst.Set)) else None
        if isinstance(parent, cst.ComparisonTarget):
            parent = ctx.parent(parent)
    elif isinstance(parent, cst.ComparisonTarget):
        parent = ctx.parent(parent)
    if not isinstance(parent, cst.Comparison) or len(parent.comparisons) != 1:
        return None
    operator = parent.comparisons[0].operator
    if not isinstance(operator, (cst.Equal, cst.NotEqual, cst.In, cst.NotIn)):
        return None
    other = parent.left if parent.left is not node and not ctx.inside(parent.left, type(node)) else parent.comparisons[0].comparator
    if other is node or isinstance(other, (cst.SimpleString, cst.ConcatenatedString, cst.Tuple, cst.List, cst.Set)):
        return None
    compared = ctx.excerpt(other, 40)
    branch = None
    current = ctx.parent(parent)
    while current is not None and not isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Module)):
        if isinstance(current, (cst.If, cst.While, cst.IfExp)):
            branch = ctx.lines.position(ctx.span(current)[0])[0]
            break
        current = ctx.parent(current)
    return compared, branch


def _never_held(site, value: str) -> Optional[str]:
    """When every value the tested expression can hold is known and ``value`` is none of them:
    the route for it never runs, and rewriting it to the target would send the target there
    (it keeps meaning "not this model"). None otherwise."""
    resolution = site.values
    held = [v for v in resolution.values if isinstance(v.value, str)]
    if not resolution.complete or not held or len(held) != len(resolution.values) or any(v.value == value for v in held):
        return None
    return never_seen(site, site.ctx, value)
