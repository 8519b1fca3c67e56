from __future__ import annotations

from typing import Iterable

from ..calls import ImageCall, Surface
from ..context import ModuleContext
from ..findings import Finding
from ._common import accepts_keyword, method_name, parameter_rules
from .base import Invalid, Rule

# Parameters whose values have a rule of their own; those DM203-DM205 delete when the model
# rejects them (their values are checked here when the model takes them); transport keywords.
_OWNED = {"model", "size", "quality"}
_DELETED_BY_OWN_RULES = {"response_format", "style", "input_fidelity"}
_TRANSPORT = {"extra_headers", "extra_query", "extra_body", "timeout"}


class ParameterRange(Rule):
    """
    ## What it does
    Finds the other arguments the model the call will run on rejects: values outside a range
    (`n`, `output_compression`, `partial_images`), values outside a list (`output_format`,
    `background`, `moderation`), parameters the model does not take, and keywords the SDK
    method does not have.

    The same for the Responses API's image generation tool (`{"type": "image_generation", ...}`):
    its fields are judged against the model it names, and a key the tool does not have
    (`style`, `response_format`, `n`) is reported.

    ## Why
    The API answers HTTP 400 for each (dall-e-3 code often has `n` values GPT image models
    accept, but not the other way round), and an unknown keyword raises TypeError in the SDK
    before any request is sent.

    ## Fix safety
    This rule has no fix: the right value depends on what the program wants.
    """

    code = "DM206"
    judges_tool_configs = True
    judges_http_requests = True
    judges_target_parameters = True
    name = "parameter-range"
    summary = "Argument outside the target model's rules"
    fix_applicability = None
    VALID = [
        """
        from openai import OpenAI
        OpenAI().images.generate(model="gpt-image-2", prompt="x", n=4, output_format="webp", output_compression=80)
        """,
        """
        from openai import OpenAI
        tool = {"type": "image_generation", "model": "gpt-image-2", "action": "edit", "partial_images": 2, "output_format": "webp"}
        OpenAI().responses.create(model="gpt-5", input="x", tools=[tool])
        """,
        """
        from openai import OpenAI
        OpenAI().images.generate(model="gpt-image-2", prompt="x", timeout=120, extra_body={"a": 1})
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            OpenAI().responses.create(model="gpt-5", input="x", tools=[{"type": "image_generation", "model": "gpt-image-2", "n": 2}])
            """
        ),
        Invalid(
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", prompt="x", n=12)
            """
        ),
        Invalid(
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", prompt="x", output_format="gif")
            """
        ),
        Invalid(
            """
            from openai import OpenAI
            OpenAI().images.edit(model="gpt-image-2", image=open("a.png", "rb"), prompt="x", moderation="low")
            """
        ),
    ]

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        model, rules = parameter_rules(call, ctx)
        if rules is None:
            return
        legacy = ctx.catalog.sdk.legacy_settings if call.surface is Surface.LEGACY else ()
        for name, argument in call.arguments.items():
            if name in _OWNED or name in _TRANSPORT or name in legacy:
                continue  # legacy settings are DM401's
            if name in _DELETED_BY_OWN_RULES:
                rule = rules.get(name)
                if rule is None or rule.error is not None or not accepts_keyword(call, ctx, name):
                    continue
            tool = call.surface is Surface.RESPONSES_TOOL
            if not accepts_keyword(call, ctx, name):
                why = (
                    f"The image_generation tool has no `{name}` field: the API rejects the request"
                    if tool
                    else f"`{method_name(call)}` has no `{name}` parameter: the SDK raises TypeError"
                )
                yield self.finding(ctx, argument.holder, f"{why}.")
                continue
            rule = rules.get(name)
            if rule is None and tool:
                continue  # a field of the tool's own (`action`, `input_image_mask`)
            if rule is None:
                yield self.finding(
                    ctx,
                    argument.holder,
                    f"{model} does not take `{name}` on {method_name(call)}; the API answers "
                    f"\"{ctx.catalog.error('unknown_parameter', param=name).message}\"",
                )
                continue
            if rule.values is None and rule.min is None and rule.max is None:
                continue  # nothing about its value to judge (a prompt): not resolved at all
            for value in argument.values:
                sent = value.value
                if call.form and isinstance(sent, str) and sent.strip().lstrip("-").isdigit():
                    sent = int(sent)  # a form field is text: the API reads `n="2"` as 2
                problem = _problem(rule, sent, ctx)
                if problem:
                    yield self.finding(ctx, value.node, f"`{name}={value.value!r}` is not accepted by {model}: {problem}")


def _problem(rule, value, ctx) -> str:
    if rule.values is not None and value not in rule.values:
        return f"supported values are {ctx.catalog.quoted(rule.values)}."
    if rule.min is not None or rule.max is not None:
        if not isinstance(value, int) or isinstance(value, bool):
            return "an integer is expected."
        if rule.min is not None and value < rule.min:
            return f"the minimum is {rule.min}."
        if rule.max is not None and value > rule.max:
            return f"the maximum is {rule.max}."
    return ""
