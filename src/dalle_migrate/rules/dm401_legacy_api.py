from __future__ import annotations

from typing import Iterable, List, Optional

import libcst as cst

from ..calls import ImageCall, Surface, find_image_calls
from ..context import ModuleContext
from ..edits import add_import, delete_arg, replace_node
from ..findings import Applicability, Edit, Finding
from ..legacy_sdk import legacy_resources, legacy_uses
from ..noqa import suppressed
from ..pins import V0
from ..responses import find_dict_accesses
from .base import Invalid, Rule

class LegacyApi(Rule):
    """
    ## What it does
    Finds calls to the image functions of the pre-1.0 SDK: `openai.Image.create`, `acreate`,
    `create_edit`, `acreate_edit`, `create_variation` and `acreate_variation`. In a file whose
    image calls run (or, once fixed, will run) on openai >= 1.0, also the pre-1.0 module
    surfaces around them: `openai.error.*` exceptions, `from openai.error import ...`,
    `import openai.error`, and `openai.api_base`.

    ## Why
    openai 1.0 removed them: on any current SDK `openai.Image` raises `APIRemovedInV1` ("You
    tried to access openai.Image, but this is no longer supported in openai>=1.0.0"). Their
    results were dicts (`resp["data"][0]["url"]`); v1 results are objects. `openai.error` is
    gone too: `except openai.error.InvalidRequestError` raises AttributeError the first time a
    request fails, an import of it fails at start, and `openai.api_base = ...` is ignored (the
    module client reads `openai.base_url`), so requests go to api.openai.com.

    ## Fix safety
    Safe: `openai.Image.create(...)` becomes `openai.images.generate(...)` (the module-level
    client reads `OPENAI_API_KEY` and `openai.api_key` as before), `create_edit` becomes
    `images.edit`, awaited `acreate*` calls go through an `openai.AsyncOpenAI()` client;
    positional images become `image=`/`mask=`, `api_key`/`organization`/`api_base` move to an
    inline client, `request_timeout` becomes `timeout`, and dict access on the result becomes
    attribute access (`resp.data[0].url`), which DM301 then rewrites for `b64_json`. Calls with
    the Azure-only `api_type`/`api_version` have no fix: they need an `AzureOpenAI` client.
    Unsafe when the project pins openai 0.x (`openai==0.28.1` in `requirements*.txt`,
    `pyproject.toml`, `setup.cfg`, `Pipfile` or `setup.py`), and, when no file pins it, in a file
    that also uses another resource openai 1.0 removed (`openai.ChatCompletion`,
    `openai.Completion`...): such a project is on openai 0.x, where the rewritten calls would not
    run until the SDK (and the rest) moves too; left as they are, they keep working on 0.x once
    the other rules fixed their model and parameters. A pin on openai >= 1.0 makes the fix safe:
    the legacy call fails there today. Once the file's image calls run on openai >= 1.0, those other
    resources are reported (no fix: they are not image calls).
    `openai.error.X` becomes the openai >= 1.0 exception for the same failure
    (`InvalidRequestError` -> `BadRequestError`, `Timeout` -> `APITimeoutError`, ...; imports
    keep their local names: `from openai import BadRequestError as InvalidRequestError`) and
    `openai.api_base = url` becomes `openai.base_url = url` ending with '/' (the v1 module client
    joins paths to it as it is; a read of `openai.api_base` is left to a person). Unsafe for `APIError` and
    `ServiceUnavailableError`: their replacements (`APIError`, `InternalServerError`) also catch
    other failures. No fix for `TryAgain`, `InvalidAPIType` and `SignatureVerificationError`,
    which have no equivalent. v0 also raised `InvalidRequestError` for 404 and 415 answers;
    the Images API rejects requests with 400, which `BadRequestError` is.
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
        # No image call: the file's other uses of openai < 1.0 are not this tool's to change.
        """
        import openai
        openai.api_base = "https://gateway.example/v1"
        try:
            openai.ChatCompletion.create(model="gpt-4", messages=[])
        except openai.error.RateLimitError:
            pass
        """,
        # Another package's `error` module.
        """
        import openai
        import stripe
        openai.images.generate(model="gpt-image-2", prompt="x")
        try:
            stripe.Charge.create(amount=1)
        except stripe.error.InvalidRequestError:
            pass
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
            from openai import Image as Img
            response = Img.create(model="gpt-image-2", prompt="a fox", n=1)
            b64 = response["data"][0]["b64_json"]
            """,
            """
            from openai import Image as Img
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
        Invalid(
            """
            import openai
            from openai.error import RateLimitError, Timeout
            openai.api_base = "https://proxy.example/v1"
            try:
                url = openai.Image.create(model="gpt-image-2", prompt="a fox")["data"][0]["b64_json"]
            except openai.error.InvalidRequestError as exc:
                print(exc)
            except (RateLimitError, Timeout):
                pass
            """,
            """
            import openai
            from openai import RateLimitError, APITimeoutError as Timeout
            openai.base_url = "https://proxy.example/v1/"
            try:
                url = openai.images.generate(model="gpt-image-2", prompt="a fox").data[0].b64_json
            except openai.BadRequestError as exc:
                print(exc)
            except (RateLimitError, Timeout):
                pass
            """,
        ),
        Invalid(
            """
            import openai
            try:
                openai.images.generate(model="gpt-image-2", prompt="a fox")
            except openai.error.TryAgain:
                pass
            """,
        ),
        # The file is on openai 0.x (ChatCompletion): moving its image call to 1.0 is unsafe.
        Invalid(
            """
            import openai
            caption = openai.ChatCompletion.create(model="gpt-4", messages=[])
            image = openai.Image.create(model="gpt-image-2", prompt="a fox")
            """,
            """
            import openai
            caption = openai.ChatCompletion.create(model="gpt-4", messages=[])
            image = openai.images.generate(model="gpt-image-2", prompt="a fox")
            """,
            unsafe=True,
        ),
        # The legacy call needs Azure (no fix): it stays on openai < 1.0, and so does the rest.
        Invalid(
            """
            import openai
            try:
                openai.Image.create(prompt="x", api_type="azure", api_version="2023-06-01-preview")
            except openai.error.InvalidRequestError:
                pass
            """,
        ),
    ]

    def check_module(self, ctx: ModuleContext) -> Iterable[Finding]:
        if not _runs_on_v1(ctx):
            return  # a file left on openai < 1.0 keeps its module surfaces
        for node in legacy_resources(ctx):
            shown = ctx.excerpt(node)
            yield self.finding(
                ctx,
                node,
                f"`{shown}` was removed in openai 1.0 (it raises APIRemovedInV1) and this file's image calls "
                f"run on openai >= 1.0: migrate it too (the v1 client's methods, or `openai migrate`).",
            )
        for use in legacy_uses(ctx):
            message = f"`{use.old}`: {use.why}. This file's image calls run on openai >= 1.0"
            if use.new is None or not use.edits:
                yield self.finding(ctx, use.node, f"{message}; {use.advice or 'no equivalent there: change it by hand'}.")
            elif use.broader:
                yield self.finding(
                    ctx,
                    use.node,
                    f"{message}; use `{use.new}`, which also catches other failures: check what the handler does.",
                    f"Use `{use.new}`",
                    use.edits,
                    applicability=Applicability.UNSAFE,
                )
            else:
                yield self.finding(ctx, use.node, f"{message}; use `{use.new}`.", f"Use `{use.new}`", use.edits)

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
        azure = _azure_setting(call, sdk)
        if azure is not None:
            yield self.finding(ctx, func, f"{message} on an AzureOpenAI client (the call passes `{azure}`).")
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
        pin = sdk_pin(ctx)
        if pin is not None and pin.major == V0:
            yield self.finding(
                ctx,
                func,
                f"{message}. The project pins openai 0.x ({pin.describe()}): the rewrite runs on openai >= 1.0, so "
                "upgrade the SDK with it. On 0.x the call keeps working once its model and parameters are fixed.",
                f"Use `{receiver}.images.{method}`",
                edits,
                applicability=Applicability.UNSAFE,
            )
            return
        others = legacy_resources(ctx) if pin is None else []  # a pin on openai >= 1.0 settles it
        if others:
            # The file is on openai 0.x (it uses another resource 1.0 removed): moving its image
            # calls to 1.0 breaks them until the rest moves too. Unsafe; left as it is, the call
            # keeps working on 0.x once its model and parameters are fixed.
            shown = ctx.excerpt(others[0])
            yield self.finding(
                ctx,
                func,
                f"{message}. This file also uses `{shown}`, which needs openai 0.x: the rewrite moves "
                f"the file's image calls to openai >= 1.0, so migrate `{shown}` too. On 0.x the call keeps "
                "working once its model and parameters are fixed.",
                f"Use `{receiver}.images.{method}`",
                edits,
                applicability=Applicability.UNSAFE,
            )
            return
        yield self.finding(ctx, func, f"{message}.", f"Use `{receiver}.images.{method}`", edits)


def _runs_on_v1(ctx: ModuleContext) -> bool:
    """Whether the file's image calls run on openai >= 1.0: it makes a v1 call, or a legacy
    call this rule rewrites (not one that needs Azure, not one with a noqa for it; in a file on
    openai 0.x, only with --unsafe-fixes)."""
    pin = sdk_pin(ctx)
    on_v0 = pin.major == V0 if pin is not None else bool(legacy_resources(ctx))
    for call in find_image_calls(ctx):
        if call.surface in (Surface.CLIENT, Surface.MODULE):
            return True
        if call.surface is Surface.LEGACY and (ctx.settings.unsafe_fixes or not on_v0):
            if _azure_setting(call, ctx.catalog.sdk) is not None:
                continue
            line = ctx.lines.line_text(ctx.lines.position(ctx.span(call.node)[0])[0])
            if not suppressed(line, LegacyApi.code):
                return True
    return False


def sdk_pin(ctx: ModuleContext):
    """The SDK version range the file's project pins (pins.Pin), or None when nothing says."""
    project = ctx.project
    return project.sdk_pin(ctx.path) if project is not None and ctx.path is not None else None


def _azure_setting(call: ImageCall, sdk) -> Optional[str]:
    """The Azure-only keyword a legacy call passes (it needs an AzureOpenAI client), if any."""
    return next((a.keyword.value for a in call.node.args if a.keyword is not None and a.keyword.value in sdk.legacy_azure_settings), None)


def _module_code(ctx: ModuleContext, image_class: cst.BaseExpression):
    """`openai` in `openai.Image` (any alias); None for a bare `Image` imported from openai."""
    if isinstance(image_class, cst.Attribute):
        return ctx.code(image_class.value)
    return None
