from __future__ import annotations

from typing import Iterable

from ..calls import ImageCall
from ..catalog import DEPRECATED
from ..context import ModuleContext
from ..findings import Applicability, Finding, Severity
from ._common import call_rename, enum_member_holding, enum_twin_holds, models_with_status, moved_message
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
    judges_tool_configs = True
    judges_http_requests = True
    judges_wrapper_calls = True
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
        target = ctx.settings.target
        for value in models_with_status(call, ctx, DEPRECATED):
            model = value.value
            message = f"Model '{model}' shuts down on {ctx.catalog.shutdown(model)}"
            if ctx.catalog.model(model) is ctx.catalog.model(target):  # the target itself is retiring
                yield self.finding(ctx, value.node, f"{message}; choose a --target that is not retiring.")
                continue
            twin = enum_member_holding(ctx, value.node, target)
            if twin is not None:
                holds = enum_twin_holds(ctx.owner(value.node), twin, target)
                yield self.finding(ctx, value.node, f"{message}; {twin} {holds} '{target}': use it where this member is used.")
                continue
            # The value moves with its uses, as DM101's (unsafe all the same: it still works).
            rename = call_rename(call, ctx, DEPRECATED)
            moved = [v for v in rename.reported if v.node is value.node] if rename is not None else []
            if not moved:
                continue  # a choice offered beside the value the rename reports
            text, _ = moved_message(f"{message}; move to '{target}' before then.", rename, value)
            yield self.finding(ctx, value.node, text, f"Replace '{model}' with '{target}'", rename.fix_for(value, ctx))
