from __future__ import annotations

from typing import Iterable

from ..calls import ImageCall
from ..context import ModuleContext
from ..edits import replace_string
from ..findings import Finding
from ._common import judged_values, moved_message, offered_note, value_rename, parameter_rules
from .base import Invalid, Rule


class UnsupportedQuality(Rule):
    """
    ## What it does
    Finds a `quality` the model the call will run on rejects, above all the DALL·E values
    `standard` and `hd`.

    ## Why
    GPT image models take `low`, `medium`, `high` or `auto` and answer HTTP 400 "Invalid
    value: 'hd'. Supported values are: 'low', 'medium', 'high', and 'auto'." otherwise.

    ## Fix safety
    Safe for `standard` -> `medium` and `hd` -> `high`, the mapping used in practice by the
    projects that migrated. Any other rejected value is reported with no fix.
    """

    code = "DM202"
    judges_tool_configs = True
    judges_http_requests = True
    judges_wrapper_calls = True
    judges_target_parameters = True
    name = "unsupported-quality"
    summary = "Image quality the target model rejects"
    VALID = [
        """
        from openai import OpenAI
        OpenAI().images.generate(model="gpt-image-2", prompt="x", quality="high")
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", prompt="x", quality="hd")
            """,
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", prompt="x", quality="high")
            """,
        ),
        Invalid(
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", prompt="x", quality="ultra")
            """
        ),
        # On Azure, `model` is a deployment: the fix is right only once it serves a GPT image model.
        Invalid(
            """
            from openai import AzureOpenAI
            AzureOpenAI(api_version="2025-04-01-preview").images.generate(model="images", prompt="x", quality="hd")
            """,
            """
            from openai import AzureOpenAI
            AzureOpenAI(api_version="2025-04-01-preview").images.generate(model="images", prompt="x", quality="high")
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from openai import AzureOpenAI
            AzureOpenAI(api_version="2025-04-01-preview").images.generate(model="images", prompt="x", quality="hd")
            """,
            """
            from openai import AzureOpenAI
            AzureOpenAI(api_version="2025-04-01-preview").images.generate(model="images", prompt="x", quality="high")
            """,
            options={"azure_deployments": (("images", "gpt-image-2"),)},
        ),
        # Choices offered to the user: each is reported where it is offered, and moves.
        Invalid(
            """
            import streamlit as st
            from openai import OpenAI
            quality = st.selectbox("Quality", ("standard", "hd"))
            OpenAI().images.generate(model="gpt-image-2", prompt="x", quality=quality)
            """,
            """
            import streamlit as st
            from openai import OpenAI
            quality = st.selectbox("Quality", ("medium", "high"))
            OpenAI().images.generate(model="gpt-image-2", prompt="x", quality=quality)
            """,
        ),
    ]

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        argument = call.argument("quality")
        model, rules = parameter_rules(call, ctx)
        rule = rules.get("quality") if rules else None
        if argument is None or rule is None or rule.values is None:
            return
        # The value moves with its uses (`if quality == "hd":`, the Literal it is typed with).
        rename = value_rename(call, ctx, "quality", lambda v: rule.replace.get(v) if v not in rule.values else None)
        for value in judged_values(argument, rename):
            if value.value in rule.values or value.value is None:
                continue
            message = (
                f"Quality {value.value!r} is not supported by {model}; "
                f"supported values are {ctx.catalog.quoted(rule.values)}.{offered_note(value)}"
            )
            replacement = rule.replace.get(value.value) if isinstance(value.value, str) else None
            if replacement is None:
                yield self.finding(ctx, value.node, message)
                continue
            message, applicability = moved_message(message, rename, value) if rename is not None else (message, None)
            yield self.finding(
                ctx,
                value.node,
                message,
                f"Use quality '{replacement}'",
                rename.fix_for(value, ctx) if rename is not None else [replace_string(ctx, value.node, replacement)],
                applicability=applicability,
            )
