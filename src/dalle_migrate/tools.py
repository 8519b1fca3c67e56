"""Image requests made through the Responses API's image generation tool.

``client.responses.create(tools=[{"type": "image_generation", "model": "gpt-image-1",
"quality": "high"}])`` sends an image model and generation parameters like an Images call; so
does the OpenAI Agents SDK (``ImageGenerationTool(tool_config={...})`` passes the dict through
unchanged). The tool's configuration is found wherever it is written - a dict literal,
``dict(type="image_generation", ...)``, the SDK's ``ImageGeneration(...)`` TypedDict, inside a
tool list built anywhere in the module - and is returned as an ``ImageCall`` of surface
``RESPONSES_TOOL`` whose arguments are the configuration's entries, so the parameter rules judge
it as they judge a call. Its results (``image_generation_call`` items) are base64 already:
nothing reads a URL there.
"""

from __future__ import annotations

from typing import Dict, List, Optional

import libcst as cst

from .calls import Argument, ImageCall, Surface, model_state
from .context import ModuleContext
from .scopes import dotted_name
from .values import resolver, string_value


def find_tool_configs(ctx: ModuleContext) -> List[ImageCall]:
    """Every image generation tool configuration of the module, in source order."""
    known = ctx.memo.get("tools.configs")
    if known is None:
        known = ctx.memo["tools.configs"] = [c for n in _candidates(ctx) if (c := _config(ctx, n)) is not None]
    return known


def _candidates(ctx: ModuleContext) -> List[cst.CSTNode]:
    tool = ctx.catalog.responses_tool
    found: List[cst.CSTNode] = []
    for node in ctx.nodes(cst.Dict, cst.Call):
        if isinstance(node, cst.Call) and (dotted_name(node.func) or "").rsplit(".", 1)[-1] not in tool.builders:
            continue  # `Job.objects.create(type="image_generation")` is no tool
        entries = node.elements if isinstance(node, cst.Dict) else node.args
        for entry in entries:
            key = _key(entry)
            if key == tool.type_key and string_value(_value(entry)) == tool.type_value:
                found.append(node)
                break
    return found


def _key(entry: cst.CSTNode) -> Optional[str]:
    if isinstance(entry, cst.DictElement):
        value = string_value(entry.key)
        return value if isinstance(value, str) else None
    if isinstance(entry, cst.Arg) and entry.keyword is not None and not entry.star:
        return entry.keyword.value
    return None


def _value(entry: cst.CSTNode) -> Optional[cst.BaseExpression]:
    return entry.value if isinstance(entry, (cst.DictElement, cst.Arg)) else None


def _config(ctx: ModuleContext, node: cst.CSTNode) -> Optional[ImageCall]:
    tool = ctx.catalog.responses_tool
    resolve = resolver(ctx).resolve
    arguments: Dict[str, Argument] = {}
    unresolved = []
    entries = node.elements if isinstance(node, cst.Dict) else node.args  # type: ignore[union-attr]
    for entry in entries:
        key = _key(entry)
        if key is None:
            unresolved.append(entry)  # `**base` or a computed key: the model may hide there
            continue
        if key == tool.type_key:
            continue
        arguments[key] = Argument(key, _value(entry), entry, node, resolve)  # type: ignore[arg-type]
    action = arguments.get("action")
    edits = "input_fidelity" in arguments or "input_image_mask" in arguments or (
        action is not None and string_value(action.value) == "edit"
    )
    model = arguments.get("model")
    if model is not None and any(v.is_str and not ctx.catalog.is_known(v.value) for v in model.values):
        return None  # another provider's model in the same shape (`flux-schnell`): not OpenAI's tool
    return ImageCall(
        node=node,  # type: ignore[arg-type]  # a Dict, or the Call building the dict
        endpoint="edit" if edits else "generate",
        method=ctx.catalog.responses_tool.type_value,
        method_node=None,
        surface=Surface.RESPONSES_TOOL,
        is_async=False,
        azure=False,
        wrapper=None,
        arguments=arguments,
        unresolved_kwargs=unresolved,  # type: ignore[arg-type]
        model_state=model_state(model),
    )
