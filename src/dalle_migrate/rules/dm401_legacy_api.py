from __future__ import annotations

from typing import Iterable, List

import libcst as cst

from ..calls import ImageCall, Surface
from ..context import ModuleContext
from ..edits import add_import, delete_arg, replace_node
from ..findings import Edit, Finding
from ..responses import find_dict_accesses
from .base import Invalid, Rule

class LegacyApi(Rule):
    """
    ## What it does
    Finds calls to the image functions of the pre-1.0 SDK: `openai.Image.create`, `acreate`,
    `create_edit`, `acreate_edit`, `create_variation` and `acreate_variation`.

    ## Why
    openai 1.0 removed them: on any current SDK `openai.Image` raises `APIRemovedInV1` ("You
    tried to access openai.Image, but this is no longer supported in openai>=1.0.0"). Their
    results were dicts (`resp["data"][0]["url"]`); v1 results are objects.

    ## Fix safety
    Safe: `openai.Image.create(...)` becomes `openai.images.generate(...)` (the module-level
    client reads `OPENAI_API_KEY` and `openai.api_key` as before), `create_edit` becomes
    `images.edit`, awaited `acreate*` calls go through an `openai.AsyncOpenAI()` client;
    positional images become `image=`/`mask=`, `api_key`/`organization`/`api_base` move to an
    inline client, `request_timeout` becomes `timeout`, and dict access on the result becomes
    attribute access (`resp.data[0].url`), which DM301 then rewrites for `b64_json`. Calls with
    the Azure-only `api_type`/`api_version` have no fix: they need an `AzureOpenAI` client.
    """

    code = "DM401"
    name = "legacy-api"
    fix_reshapes_call = True
    summary = "`openai.Image.*` was removed in openai 1.0"
    VALID = [
        """
        import openai
        openai.images.generate(model="gpt-image-2", prompt="x")
        """,
        """
        from PIL import Image
        Image.open("a.png")
        """,
    ]
    INVALID = [
        Invalid(
            """
            import openai
            response = openai.Image.create(model="gpt-image-2", prompt="a fox", n=1)
            b64 = response["data"][0]["b64_json"]
            """,
            """
            import openai
            response = openai.images.generate(model="gpt-image-2", prompt="a fox", n=1)
            b64 = response.data[0].b64_json
            """,
        ),
        Invalid(
            """
            import openai
            async def edit(img):
                return await openai.Image.acreate_edit(img, model="gpt-image-2", prompt="add a hat", api_key="sk-test")
            """,
            """
            import openai
            async def edit(img):
                return await openai.AsyncOpenAI(api_key="sk-test").images.edit(image=img, model="gpt-image-2", prompt="add a hat")
            """,
        ),
    ]

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        if call.surface is not Surface.LEGACY:
            return
        func = call.node.func
        assert isinstance(func, cst.Attribute)
        legacy = f"{ctx.catalog.sdk.legacy_class}.{func.attr.value}"
        method = ctx.catalog.endpoint(call.endpoint).sdk_method
        message = (
            f"`openai.{legacy}` was removed in openai 1.0: on a current SDK it raises APIRemovedInV1; "
            f"use `images.{method}`"
        )
        sdk = ctx.catalog.sdk
        azure = [a for a in call.node.args if a.keyword is not None and a.keyword.value in sdk.legacy_azure_settings]
        if azure:
            yield self.finding(ctx, func, f"{message} on an AzureOpenAI client (the call passes `{azure[0].keyword.value}`).")
            return
        edits: List[Edit] = []
        module = _module_code(ctx, func.value)
        if module is None:
            module = ctx.catalog.sdk.package
            imported = add_import(ctx, module)
            if imported is not None:
                edits.append(imported)
        settings = []
        for arg in call.node.args:
            name = arg.keyword.value if arg.keyword is not None else None
            if name in sdk.legacy_client_settings:
                settings.append(f"{sdk.legacy_client_settings[name]}={ctx.code(arg.value)}")
                edits.append(delete_arg(ctx, call.node, arg))
            elif name in sdk.legacy_renamed:
                edits.append(replace_node(ctx, arg.keyword, sdk.legacy_renamed[name]))
        positional = [a for a in call.node.args if a.keyword is None and not a.star]
        names = sdk.legacy_positional.get(call.endpoint, ())
        if len(positional) > len(names):
            yield self.finding(ctx, func, f"{message}; the call passes more positional arguments than `{legacy}` took.")
            return
        for arg, name in zip(positional, names):
            start, _ = ctx.span(arg)
            edits.append(Edit(start, start, f"{name}="))
        client_class = "AsyncOpenAI" if call.is_async else "OpenAI"
        if call.is_async or settings:
            receiver = f"{module}.{client_class}({', '.join(settings)})"
        else:
            receiver = module
        edits.append(replace_node(ctx, func, f"{receiver}.{ctx.catalog.sdk.images_attribute}.{method}"))
        for access in find_dict_accesses(ctx):
            if access.call is call:
                _, value_end = ctx.span(access.node.value)
                _, end = ctx.span(access.node)
                edits.append(Edit(value_end, end, f".{access.key}"))
        yield self.finding(ctx, func, f"{message}.", f"Use `{receiver}.images.{method}`", edits)


def _module_code(ctx: ModuleContext, image_class: cst.BaseExpression):
    """`openai` in `openai.Image` (any alias); None for a bare `Image` imported from openai."""
    if isinstance(image_class, cst.Attribute):
        return ctx.code(image_class.value)
    return None
