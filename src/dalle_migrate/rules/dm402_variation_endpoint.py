from __future__ import annotations

from typing import Iterable

from ..calls import ImageCall, Surface
from ..context import ModuleContext
from ..edits import insert_keywords, replace_node, replace_string, string_literal
from ..findings import Applicability, Finding
from ._common import method_name, quote_like
from .base import Invalid, Rule

# What the rewritten call asks for: a guess at the intent of a variation, hence an unsafe fix.
VARIATION_PROMPT = "Create a variation of this image, keeping its subject, composition and style."


class VariationEndpoint(Rule):
    """
    ## What it does
    Finds calls to the image variations endpoint: `images.create_variation` and the legacy
    `openai.Image.create_variation` / `acreate_variation`.

    ## Why
    The endpoint served only dall-e-2 and was retired with it on 2026-05-12; no GPT image
    model supports it. OpenAI's replacement is `images.edit` with a GPT image model and a
    prompt that asks for a variation.

    ## Fix safety
    Unsafe: the call becomes `images.edit` with the target model and a prompt asking for a
    variation ("Create a variation of this image, keeping its subject, composition and
    style."). The prompt is a guess at what the program wanted, and an edit does not make the
    same images a variation did, so the fix needs `--unsafe-fixes`. Sizes and
    `response_format` are then fixed by their own rules.
    """

    code = "DM402"
    name = "variation-endpoint"
    fix_reshapes_call = True
    summary = "Image variations endpoint is retired"
    judges_http_requests = True
    fix_applicability = Applicability.UNSAFE
    VALID = [
        """
        from openai import OpenAI
        OpenAI().images.edit(model="gpt-image-2", image=open("a.png", "rb"), prompt="a variation of this image")
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            client = OpenAI()
            client.images.create_variation(image=open("a.png", "rb"), n=2, size="512x512")
            """,
            """
            from openai import OpenAI
            client = OpenAI()
            client.images.edit(model="gpt-image-2", prompt="Create a variation of this image, keeping its subject, composition and style.", image=open("a.png", "rb"), n=2, size="1024x1024")
            """,
            unsafe=True,
        ),
    ]

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        if call.endpoint != "variation":
            return
        endpoint = ctx.catalog.endpoint(call.endpoint)
        message = f"`{method_name(call)}`: {endpoint.retired_message}."
        func = call.node.func
        if call.surface is Surface.LEGACY or call.method_node is not func:
            # DM401 turns a 0.x call into a v1 call first; a method named elsewhere (`gen =
            # client.images.create_variation`) serves other calls too.
            yield self.finding(ctx, func, message)
            return
        target = ctx.settings.target
        like = quote_like(call)
        edits = [replace_node(ctx, func.attr, ctx.catalog.endpoint("edit").sdk_method)]
        inserted = []
        model = call.argument("model")
        if model is None:
            inserted.append(("model", string_literal(target, like)))
        elif model.in_call and model.resolution.single is not None:
            edits.append(replace_string(ctx, model.resolution.single.node, target))
        else:
            yield self.finding(ctx, func, message)
            return
        if call.argument("prompt") is None:
            inserted.append(("prompt", string_literal(VARIATION_PROMPT, like)))
        if inserted:
            edits.append(insert_keywords(ctx, call.node, inserted))
        yield self.finding(
            ctx,
            func,
            message,
            f"Call `images.edit` with model '{target}' and a prompt asking for a variation",
            edits,
        )
