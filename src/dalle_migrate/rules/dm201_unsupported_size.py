from __future__ import annotations

from typing import Iterable

from ..calls import ImageCall
from ..context import ModuleContext
from ..edits import replace_string
from ..findings import Finding
from ._common import judged_values, moved_message, offered_note, parameter_rules, value_rename
from .base import Invalid, Rule


class UnsupportedSize(Rule):
    """
    ## What it does
    Finds a `size` the model the call will run on rejects: `256x256` and `512x512` for
    gpt-image-2 (fewer than 655,360 pixels), sizes not divisible by 16, longer than 3840 px or
    beyond 3:1; `1792x1024` and `1024x1792` for the fixed-size GPT image 1.x models.

    ## Why
    The API answers HTTP 400 ("Invalid size '1920x1080'. Width and height must both be
    divisible by 16."). gpt-image-2 takes any size within its rule, so `1792x1024` stays valid
    there and is not reported.

    ## Fix safety
    Safe: the size becomes the nearest accepted size of the same orientation (square,
    landscape or portrait), chosen among the sizes OpenAI lists as popular for the model.
    A value that is not `WIDTHxHEIGHT` has no fix.
    """

    code = "DM201"
    judges_tool_configs = True
    judges_http_requests = True
    judges_wrapper_calls = True
    judges_target_parameters = True
    name = "unsupported-size"
    summary = "Image size the target model rejects"
    VALID = [
        """
        from openai import OpenAI
        OpenAI().images.generate(model="dall-e-3", prompt="x", size="1792x1024")
        """,
        """
        from openai import OpenAI
        OpenAI().images.generate(model="gpt-image-2", prompt="x", size="auto")
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", prompt="an icon", size="256x256")
            """,
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", prompt="an icon", size="1024x1024")
            """,
        ),
        Invalid(
            """
            from openai import OpenAI
            OpenAI().images.generate(model="dall-e-3", prompt="x", size="1792x1024")
            """,
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-1.5", prompt="x", size="1536x1024")
            """,
            options={"target": "gpt-image-1.5", "today": "2026-11-01"},
        ),
        Invalid(
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", prompt="x", size="1920x1080")
            """,
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", prompt="x", size="2048x1152")
            """,
        ),
        # Choices offered to the user: a choice that would equal another is merged into it.
        Invalid(
            """
            import argparse
            from openai import OpenAI
            parser = argparse.ArgumentParser()
            parser.add_argument("--size", choices=["512x512", "1024x1024"], default="1024x1024")
            args = parser.parse_args()
            OpenAI().images.generate(model="gpt-image-2", prompt="x", size=args.size)
            """,
            """
            import argparse
            from openai import OpenAI
            parser = argparse.ArgumentParser()
            parser.add_argument("--size", choices=["1024x1024"], default="1024x1024")
            args = parser.parse_args()
            OpenAI().images.generate(model="gpt-image-2", prompt="x", size=args.size)
            """,
        ),
    ]

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        argument = call.argument("size")
        model, rules = parameter_rules(call, ctx)
        size_rule = ctx.catalog.size_rule(model)
        if argument is None or rules is None or "size" not in rules or size_rule is None:
            return
        # The value moves with its uses (`if size == "512x512":`, the Literal it is typed with).
        rename = value_rename(call, ctx, "size", lambda v: size_rule.nearest(v) if size_rule.problem(v) is not None else None)
        for value in judged_values(argument, rename):
            if value.is_str:
                yield from self._check(ctx, model, size_rule, value, rename)

    def _check(self, ctx, model, size_rule, value, rename=None) -> Iterable[Finding]:
        problem = size_rule.problem(value.value)
        if problem is None:
            return
        message = f"Size '{value.value}' is not supported by {model}: {problem}{offered_note(value)}"
        nearest = size_rule.nearest(value.value)
        if nearest is None:
            yield self.finding(ctx, value.node, message)
            return
        message = f"{message} Nearest supported size: '{nearest}'."
        message, applicability = moved_message(message, rename, value) if rename is not None else (message, None)
        yield self.finding(
            ctx,
            value.node,
            message,
            f"Use size '{nearest}'",
            rename.fix_for(value, ctx) if rename is not None else [replace_string(ctx, value.node, nearest)],
            applicability=applicability,
        )
