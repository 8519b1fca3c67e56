from __future__ import annotations

from typing import Iterable

from ..calls import ImageCall
from ..catalog import DEPRECATED
from ..context import ModuleContext
from ..edits import replace_string
from ..findings import Applicability, Finding, Severity
from .base import Invalid, Rule


class DeprecatedModel(Rule):
    """
    ## What it does
    Finds image calls whose `model` has an announced shutdown date that has not passed yet
    (`gpt-image-1.5`, `gpt-image-1-mini` and `chatgpt-image-latest` shut down on 2026-12-01).
    The message gives the date.

    ## Why
    The call works today and fails with HTTP 400 from the shutdown day on. On that day the
    finding becomes DM101 (retired-model) without any change to dalle-migrate.

    ## Fix safety
    Unsafe: the model still works, and moving to the target model changes output, cost and
    the accepted parameters, so the fix is applied only with `--unsafe-fixes`.
    """

    code = "DM102"
    name = "deprecated-model"
    severity = Severity.WARNING
    summary = "Image call names a model with an announced shutdown"
    fix_applicability = Applicability.UNSAFE
    VALID = [
        """
        from openai import OpenAI
        OpenAI().images.generate(model="gpt-image-2.5-flare", prompt="x")
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            client = OpenAI()
            client.images.edit(model="gpt-image-1.5", image=open("a.png", "rb"), prompt="x")
            """,
            """
            from openai import OpenAI
            client = OpenAI()
            client.images.edit(model="gpt-image-2", image=open("a.png", "rb"), prompt="x")
            """,
            unsafe=True,
        ),
    ]

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        model = call.model_id
        if call.azure or call.endpoint == "variation" or model is None or call.model is None:
            return
        if ctx.catalog.status(model, ctx.settings.today) != DEPRECATED:
            return
        target = ctx.settings.target
        message = f"Model '{model}' shuts down on {ctx.catalog.shutdown(model)}"
        if ctx.catalog.model(model) is ctx.catalog.model(target):  # the target itself is retiring
            yield self.finding(ctx, call.model.node, f"{message}; choose a --target that is not retiring.")
            return
        yield self.finding(
            ctx,
            call.model.node,
            f"{message}; move to '{target}' before then.",
            f"Replace '{model}' with '{target}'",
            [replace_string(ctx, call.model.node, target)],
        )
