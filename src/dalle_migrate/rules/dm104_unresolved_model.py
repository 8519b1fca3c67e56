from __future__ import annotations

from typing import Iterable

from ..calls import MODEL_IN_KWARGS, MODEL_PARTIAL, MODEL_TWICE, MODEL_UNRESOLVED, ImageCall, Surface
from ..context import ModuleContext
from ..findings import Finding, Severity
from ..scopes import dotted_name
from ._common import retired_ids
from .base import Invalid, Rule


class UnresolvedModel(Rule):
    """
    ## What it does
    Finds image calls whose `model` value cannot be known without running the program: a
    parameter, an attribute, a value read at run time, or keys hidden in `**kwargs`. Also
    calls that pass `model` twice (by name and in a `**mapping`): Python raises TypeError.

    ## Why
    If that value is a retired model the call fails with HTTP 400, and dalle-migrate cannot
    tell. A person must check where the value comes from (environment, configuration, caller).

    ## Fix safety
    This rule has no fix: guessing the value would be wrong as often as right.
    """

    code = "DM104"
    name = "unresolved-model"
    severity = Severity.WARNING
    summary = "Image call's model cannot be resolved statically"
    judges_http_requests = True
    judges_wrapper_calls = True
    fix_applicability = None
    VALID = [
        """
        from openai import OpenAI
        MODEL = "gpt-image-2"
        OpenAI().images.generate(model=MODEL, prompt="x")
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            def draw(client: OpenAI, model: str):
                return client.images.generate(model=model, prompt="x")
            """
        ),
        Invalid(
            """
            from openai import OpenAI
            def draw(**options):
                return OpenAI().images.generate(prompt="x", **options)
            """
        ),
        Invalid(
            """
            from openai import OpenAI
            settings = {"model": "gpt-image-2", "size": "1024x1024"}
            OpenAI().images.generate(model="gpt-image-2", prompt="x", **settings)
            """
        ),
        # A wrapper that takes its model from the environment when the code names none.
        Invalid(
            """
            from semantic_kernel.connectors.ai.open_ai import OpenAITextToImage
            async def draw(prompt):
                return await OpenAITextToImage().generate_image(prompt)
            """
        ),
        # A request to OpenAI's host naming a model the catalogue does not know.
        Invalid(
            """
            import requests
            requests.post("https://api.openai.com/v1/images/generations", json={"model": "image-alpha-001", "prompt": "x"})
            """
        ),
    ]

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        if call.azure or call.endpoint == "variation":
            return
        hint = f"make sure it is not a retired model ({retired_ids(ctx)}) or set it to '{ctx.settings.target}'."
        if call.model_source:
            # A wrapper that reads its model from the environment when the code names none.
            yield self.finding(ctx, call.node.func, f"`{ctx.code(call.node.func)}` runs on the model {call.model_source} names, which cannot be known statically; {hint}")
            return
        if call.surface is Surface.HTTP:
            # A request to OpenAI's own host naming a model the catalogue does not know (an old
            # beta id, a typo): the API answers that it does not exist, unless it is newer.
            for value in call.model_values:
                if value.is_str and not ctx.catalog.is_known(value.value):
                    yield self.finding(
                        ctx, value.node,
                        f"The request to OpenAI's Images API names model {value.value!r}, which is not an image model "
                        f"dalle-migrate knows (the API answers that a model it does not serve does not exist); use "
                        f"'{ctx.settings.target}'.",
                    )
        if call.model_state in (MODEL_UNRESOLVED, MODEL_PARTIAL):
            node = call.arguments["model"].value
            what = "cannot be resolved statically" if call.model_state == MODEL_UNRESOLVED else "may also take values that cannot be resolved statically"
            yield self.finding(ctx, node, f"The model is `{ctx.code(node)}`, which {what}; {hint}")
        elif call.model_state == MODEL_TWICE:
            # Only names are quoted: the values may be rewritten by other fixes of the same run.
            shown = " and ".join(self._place(arg) for arg, _ in call.repeated["model"])
            yield self.finding(
                ctx,
                call.repeated["model"][0][0],
                f"`model` is passed more than once: {shown}. If both reach the call, Python raises TypeError "
                "before any request is made; pass it once.",
            )
        elif call.model_state == MODEL_IN_KWARGS:
            node = call.unresolved_kwargs[0]
            yield self.finding(
                ctx, node, f"The model may come from `{ctx.code(node)}`, which cannot be resolved statically; {hint}"
            )

    @staticmethod
    def _place(arg) -> str:
        """"as `model=`" for a keyword, "in `**settings`" for a mapping."""
        if arg.keyword is not None:
            return f"as `{arg.keyword.value}=`"
        name = dotted_name(arg.value)
        return f"in `**{name}`" if name else "in a `**{...}` mapping"
