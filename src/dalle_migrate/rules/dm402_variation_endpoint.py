from __future__ import annotations

from typing import Iterable

from ..calls import ImageCall
from ..context import ModuleContext
from ..findings import Finding
from ._common import method_name
from .base import Invalid, Rule


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
    Reported only for now: the rewrite to `images.edit` needs a prompt, which is a guess about
    intent, so it will be an unsafe fix.
    """

    code = "DM402"
    name = "variation-endpoint"
    summary = "Image variations endpoint is retired"
    fix_applicability = None
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
            client.images.create_variation(image=open("a.png", "rb"), n=2, size="1024x1024")
            """
        ),
    ]

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        if call.endpoint != "variation":
            return
        endpoint = ctx.catalog.endpoint(call.endpoint)
        yield self.finding(ctx, call.node.func, f"`{method_name(call)}`: {endpoint.retired_message}.")
