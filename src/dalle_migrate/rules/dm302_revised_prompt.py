from __future__ import annotations

from typing import Iterable

from ..context import ModuleContext
from ..findings import Finding, Severity
from ..responses import find_reads
from .base import Invalid, Rule


class RevisedPrompt(Rule):
    """
    ## What it does
    Finds reads of `revised_prompt` on the images of an image call's result.

    ## Why
    Only dall-e-3 rewrote prompts and returned the rewrite; GPT image models never return
    `revised_prompt`, so it is always `None` (or a `KeyError` on legacy dict results).

    ## Fix safety
    This rule has no fix: whether to show the original prompt, nothing, or something else is
    the program's choice.
    """

    code = "DM302"
    name = "revised-prompt"
    severity = Severity.WARNING
    summary = "`revised_prompt` is never returned by GPT image models"
    fix_applicability = None
    VALID = [
        """
        from openai import OpenAI
        result = OpenAI().images.generate(model="gpt-image-2", prompt="x")
        print(result.data[0].b64_json[:10])
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            result = OpenAI().images.generate(model="dall-e-3", prompt="x")
            print("DALL-E understood:", result.data[0].revised_prompt)
            """
        ),
    ]

    def check_module(self, ctx: ModuleContext) -> Iterable[Finding]:
        for read in find_reads(ctx):
            if read.field == ctx.catalog.response.revised_prompt_field:
                yield self.finding(
                    ctx,
                    read.node,
                    "GPT image models never return `revised_prompt`: it is always None here; "
                    "use the prompt that was sent, or drop this.",
                )
