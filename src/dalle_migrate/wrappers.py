"""Wrapper libraries that call the Images API for the program (catalogue ``[wrappers.*]``).

A use is a call of something the module imports from a wrapper's known location: a class built
with the model (``DallEAPIWrapper(model="dall-e-3")``), a function called with it
(``litellm.image_generation(model="openai/dall-e-3", ...)``) or ``load_tools`` given the
wrapper's tool name. The import decides, never the name alone: the user's own ``DallETool`` is
not crewAI's. A wrapper that forwards the Images parameters unchanged also gives an
``ImageCall`` of surface ``WRAPPER``, which the parameter rules judge like a call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

import libcst as cst

from .calls import MODEL_MISSING, Argument, ImageCall, Surface, model_state
from .catalog import Wrapper
from .context import ModuleContext
from .scopes import dotted_name, qualified_name  # noqa: F401  (qualified_name re-exported)
from .values import resolver, string_value


@dataclass
class WrapperUse:
    node: cst.Call
    wrapper: Wrapper
    model: Optional[Argument]  # the keyword naming the model, when given
    request: Optional[ImageCall]  # for a wrapper that forwards the Images parameters
    # The requests the instance's methods send (Semantic Kernel's `service.generate_image(...)`).
    method_requests: List[ImageCall] = field(default_factory=list)


def find_wrapper_uses(ctx: ModuleContext) -> List[WrapperUse]:
    known = ctx.memo.get("wrappers.uses")
    if known is None:
        known = ctx.memo["wrappers.uses"] = _find(ctx)
    return known


def forwarded_requests(ctx: ModuleContext) -> List[ImageCall]:
    """The Images requests wrapper calls make with the parameters the program gives them."""
    return [r for use in find_wrapper_uses(ctx) for r in ([use.request] if use.request is not None else []) + use.method_requests]


def _find(ctx: ModuleContext) -> List[WrapperUse]:
    by_symbol = {symbol: w for w in ctx.catalog.wrappers.values() for symbol in w.symbols}
    if not by_symbol:
        return []
    roots = {symbol.split(".")[0] for symbol in by_symbol}
    if not any(root in ctx.text for root in roots):
        return []  # nothing imported from a wrapper's package
    uses: List[WrapperUse] = []
    for node in ctx.nodes(cst.Call):
        name = qualified_name(ctx, node.func)
        wrapper = by_symbol.get(name) if name else None
        if wrapper is None:
            continue
        if wrapper.kind == "tool_name" and not _names_tool(node, wrapper):
            continue
        uses.append(_use(ctx, node, wrapper))
    return uses


def _names_tool(call: cst.Call, wrapper: Wrapper) -> bool:
    for arg in call.args:
        if isinstance(arg.value, (cst.List, cst.Tuple)):
            if any(string_value(e.value) == wrapper.tool_name for e in arg.value.elements if isinstance(e, cst.Element)):
                return True
    return False


def _use(ctx: ModuleContext, node: cst.Call, wrapper: Wrapper) -> WrapperUse:
    resolve = resolver(ctx).resolve
    arguments = {
        arg.keyword.value: Argument(arg.keyword.value, arg.value, arg, node, resolve)
        for arg in node.args
        if arg.keyword is not None and not arg.star
    }
    model = next((arguments[p] for p in wrapper.model_params if p in arguments), None)
    request = None
    if wrapper.forwards and model is not None and _openai_models(ctx, wrapper, model):
        # Judged as an Images request only when every model it can get is OpenAI's (a router
        # also serves `bedrock/...`, whose parameters are that provider's business).
        request = ImageCall(
            node=node,
            endpoint="generate",
            method=(dotted_name(node.func) or "").rsplit(".", 1)[-1],
            method_node=None,
            surface=Surface.WRAPPER,
            is_async=False,
            azure=False,
            wrapper=None,
            arguments=arguments,
            unresolved_kwargs=[a for a in node.args if a.star == "**"],
            model_state=model_state(model),
        )
    method_requests = [_method_request(ctx, call, wrapper, model) for call in _instance_calls(ctx, node, wrapper)]
    return WrapperUse(node, wrapper, model, request, method_requests)


def _instance_calls(ctx: ModuleContext, node: cst.Call, wrapper: Wrapper) -> List[cst.Call]:
    """The calls of the instance's request methods: on the constructor's result itself, or on
    the name or ``self.`` attribute it is bound to (``service = OpenAITextToImage(...)`` then
    ``await service.generate_image(...)``)."""
    if not wrapper.requests_from:
        return []
    holders: List[cst.CSTNode] = [node]
    assign = ctx.parent(node)
    if isinstance(assign, cst.Await):
        assign = ctx.parent(assign)
    if isinstance(assign, (cst.Assign, cst.AnnAssign)) and assign.value is not None:
        targets = [t.target for t in assign.targets] if isinstance(assign, cst.Assign) else [assign.target]
        for target in targets:
            if isinstance(target, cst.Name):
                scope = ctx.scope(target)
                for assignment in scope.assignments[target.value] if scope is not None else ():
                    if getattr(assignment, "node", None) is target:
                        holders += [access.node for access in assignment.references]
            elif isinstance(target, cst.Attribute) and dotted_name(target) is not None:
                dotted = dotted_name(target)
                holders += [a for a in ctx.nodes(cst.Attribute) if a is not target and dotted_name(a) == dotted]
    calls = []
    for holder in holders:
        method = ctx.parent(holder)
        call = ctx.parent(method) if isinstance(method, cst.Attribute) and method.value is holder else None
        if isinstance(call, cst.Call) and call.func is method and method.attr.value in wrapper.requests_from:  # type: ignore[union-attr]
            calls.append(call)
    return calls


def _method_request(ctx: ModuleContext, call: cst.Call, wrapper: Wrapper, model: Optional[Argument]) -> ImageCall:
    """The Images request a wrapper instance's method sends: its keywords are the request's
    parameters (the model is the constructor's: DM501 judges it there)."""
    resolve = resolver(ctx).resolve
    method = call.func.attr.value  # type: ignore[attr-defined]
    arguments = {
        arg.keyword.value: Argument(arg.keyword.value, arg.value, arg, call, resolve)
        for arg in call.args
        if arg.keyword is not None and not arg.star and arg.keyword.value not in wrapper.request_own_params
    }
    return ImageCall(
        node=call,
        endpoint="generate",
        method=method,
        method_node=None,
        surface=Surface.WRAPPER,
        is_async=isinstance(ctx.parent(call), cst.Await),
        azure=False,
        wrapper=None,
        arguments=arguments,
        unresolved_kwargs=[a for a in call.args if a.star == "**"],
        model_state=MODEL_MISSING,
        result=wrapper.requests_from[method],
        model_source=f"the environment variable {wrapper.model_env}" if model is None and wrapper.model_env else "",
        result_note=(
            f"({wrapper.label}) returns a GPT image model's image as a base64 string where it returned a URL (from "
            f"version {wrapper.gpt_images}; earlier versions fail on GPT image models): the fix needs that version"
        ),
    )


def _openai_models(ctx: ModuleContext, wrapper: Wrapper, model: Argument) -> bool:
    resolution = model.resolution
    if not resolution.complete or not resolution.values:
        return False
    for value in resolution.values:
        if not value.is_str:
            return False
        prefix = next((p for p in wrapper.model_prefixes if value.value.startswith(p)), "")
        if not ctx.catalog.is_known(value.value[len(prefix) :]):
            return False
    return True
