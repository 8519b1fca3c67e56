from __future__ import annotations

from typing import Iterable

from ..calls import MODEL_MISSING, ImageCall, Surface
from ..context import ModuleContext
from ..edits import insert_entry, insert_keyword, replace_node, string_literal
from ..http_requests import body_dict
from ..findings import Finding
from ._common import method_name, quote_like
from .base import Invalid, Rule


class ImplicitModel(Rule):
    """
    ## What it does
    Finds image calls that do not name a `model` (or pass `model=None`).

    ## Why
    The SDK then sends no model and the API picks its default, documented as `dall-e-2`,
    which was shut down on 2026-05-12: such calls fail with "The model 'dall-e-2' does not
    exist." Newer SDKs ask callers to "specify a model explicitly".

    ## Fix safety
    Safe: `model="<target>"` is added as the first keyword argument, in the call's layout (or
    replaces `model=None`). A None that reaches the call from elsewhere (`self.model = None`
    when a model is unloaded, a parameter's default) is reported, not rewritten: it means
    something where it is written.
    """

    code = "DM103"
    name = "implicit-model"
    summary = "Image call does not name a model"
    judges_http_requests = True
    VALID = [
        # `model or DEFAULT`: a None on the left never reaches the call; `del` of another key
        # leaves `model` in the request (issue 20).
        """
        import os
        from openai import OpenAI
        class Provider:
            def __init__(self, model=None):
                self.model = model or os.environ.get("IMAGE_MODEL") or "gpt-image-2"
            def draw(self, prompt, n=1):
                kwargs = {"model": self.model, "prompt": prompt, "n": n}
                if n == 1:
                    del kwargs["n"]
                del kwargs["prompt"]
                kwargs["prompt"] = prompt
                return OpenAI().images.generate(**kwargs)
        """,
        """
        from openai import OpenAI
        OpenAI().images.generate(model="gpt-image-2", prompt="x")
        """,
        """
        from openai import OpenAI
        params = {"model": "gpt-image-2"}
        OpenAI().images.generate(prompt="x", **params)
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            client = OpenAI()
            result = client.images.generate(
                prompt="a lighthouse at dawn",
                n=1,
            )
            """,
            """
            from openai import OpenAI
            client = OpenAI()
            result = client.images.generate(
                model="gpt-image-2",
                prompt="a lighthouse at dawn",
                n=1,
            )
            """,
        ),
        Invalid(
            """
            import openai
            openai.images.generate(prompt='x', model=None)
            """,
            """
            import openai
            openai.images.generate(prompt='x', model='gpt-image-2')
            """,
        ),
        # A plain HTTP request: the model goes into the body.
        Invalid(
            """
            import requests
            requests.post("https://api.openai.com/v1/images/generations", json={"prompt": "a fox", "n": 1})
            """,
            """
            import requests
            requests.post("https://api.openai.com/v1/images/generations", json={"model": "gpt-image-2", "prompt": "a fox", "n": 1})
            """,
        ),
        # None is what an unloaded model is here: reported, not rewritten.
        Invalid(
            """
            from openai import OpenAI
            class Binding:
                def __init__(self):
                    self.model = "gpt-image-2"
                def unload(self):
                    self.model = None
                def draw(self, prompt):
                    return OpenAI().images.generate(model=self.model, prompt=prompt)
            """,
            None,
        ),
    ]

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        if call.azure or call.endpoint == "variation":
            return
        target = ctx.settings.target
        literal = string_literal(target, quote_like(call))
        default = ctx.catalog.api_default_model
        message = (
            f"`{method_name(call)}` names no model; the API's default was '{default}', shut down "
            f"on {ctx.catalog.shutdown(default)}. Name the model: model=\"{target}\"."
        )
        if call.model_state == MODEL_MISSING and call.surface is Surface.HTTP:
            body = body_dict(ctx, call)
            if body is None:  # built in steps, or elsewhere: where the entry goes is a choice
                yield self.finding(ctx, call.node.func, f"{message[:-1]} in its body.")
                return
            like = quote_like(call)
            edits = [insert_entry(ctx, body, string_literal("model", like), literal)]
        elif call.model_state == MODEL_MISSING:
            edits = [insert_keyword(ctx, call.node, "model", literal)]
        else:
            nones = [v for v in call.model_values if v.value is None]
            if not nones:
                return
            model = call.arguments["model"]
            if any(v.node is not model.value for v in nones):
                # A None set elsewhere (`self.model = None` when a model is unloaded, a default
                # a caller replaces) means something there: rewriting it would change that.
                where = ", ".join(f"line {ctx.owner(v.node).lines.position(ctx.owner(v.node).span(v.node)[0])[0]}" for v in nones)
                yield self.finding(
                    ctx,
                    call.node.func,
                    f"`{method_name(call)}` may be made with model=None (set at {where}); the API's default was "
                    f"'{default}', shut down on {ctx.catalog.shutdown(default)}. Make sure a model is always given "
                    f"(model=\"{target}\").",
                )
                return
            edits = [replace_node(ctx, v.node, literal) for v in nones]
        yield self.finding(ctx, call.node.func, message, f"Add model=\"{target}\"", edits)
