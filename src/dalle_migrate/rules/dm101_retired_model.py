from __future__ import annotations

from typing import Iterable

import libcst as cst

from ..calls import ImageCall
from ..catalog import RETIRED
from ..context import ModuleContext
from ..edits import replace_node, replace_string
from ..findings import Finding
from ._common import enum_member_holding, models_with_status
from .base import Invalid, Rule


class RetiredModel(Rule):
    """
    ## What it does
    Finds image calls whose `model` names a model OpenAI has shut down: `dall-e-2` and
    `dall-e-3` (2026-05-12) and `gpt-image-1` (2026-10-23). The dates come from the catalogue,
    so a deprecated model is reported here from its shutdown day on, with no new release.
    The Responses API's image generation tool counts as a call: `{"type": "image_generation",
    "model": ...}` in `tools=[...]`, built anywhere in the module (`dict(...)`, the SDK's
    `ImageGeneration(...)`), and the Agents SDK's `ImageGenerationTool(tool_config={...})`.

    ## Why
    The API answers every request for a retired model with HTTP 400
    ("The model 'dall-e-3' does not exist."): the call cannot work as written.

    ## Fix safety
    Safe. The model id is replaced by the target model (`--target`, default `gpt-image-2`)
    where the value is written. The parameters the target rejects are reported and fixed by
    the DM2xx rules in the same run. Calls through an Azure client are left to DM403: there
    `model` is a deployment name.
    """

    code = "DM101"
    judges_tool_configs = True
    judges_wrapper_calls = True
    name = "retired-model"
    summary = "Image call names a retired model"
    VALID = [
        """
        from openai import OpenAI
        client = OpenAI()
        client.images.generate(model="gpt-image-2", prompt="a red fox")
        """,
        """
        import together
        together.Together().images.generate(model="dall-e-3", prompt="not OpenAI")
        """,
        """
        class Studio:
            def __init__(self):
                self.images = self
            def generate(self, **kw):
                return kw
        Studio().images.generate(model="dall-e-3", prompt="the user's own class")
        """,
        """
        import together
        MODEL = "dall-e-3"  # only another provider's call uses it
        together.Together().images.generate(model=MODEL, prompt="x")
        """,
        """
        from openai import OpenAI
        client = OpenAI()
        # client.images.generate(model="dall-e-3", prompt="a comment is not a call")
        '''client.images.generate(model="dall-e-3")'''
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            client = OpenAI()
            image_tool = {"type": "image_generation", "model": "gpt-image-1", "quality": "high"}
            response = client.responses.create(model="gpt-5", input="a red fox", tools=[image_tool])
            """,
            """
            from openai import OpenAI
            client = OpenAI()
            image_tool = {"type": "image_generation", "model": "gpt-image-2", "quality": "high"}
            response = client.responses.create(model="gpt-5", input="a red fox", tools=[image_tool])
            """,
        ),
        Invalid(
            """
            from agents import Agent, ImageGenerationTool
            painter = Agent(name="painter", tools=[ImageGenerationTool(tool_config={"type": "image_generation", "model": "gpt-image-1"})])
            """,
            """
            from agents import Agent, ImageGenerationTool
            painter = Agent(name="painter", tools=[ImageGenerationTool(tool_config={"type": "image_generation", "model": "gpt-image-2"})])
            """,
        ),
        Invalid(
            """
            from openai import OpenAI
            client = OpenAI()
            image = client.images.generate(model="dall-e-3", prompt="a red fox")
            """,
            """
            from openai import OpenAI
            client = OpenAI()
            image = client.images.generate(model="gpt-image-2", prompt="a red fox")
            """,
        ),
        Invalid(
            """
            import openai as oa
            oa.images.generate(model='dall-e-2', prompt="x")
            """,
            """
            import openai as oa
            oa.images.generate(model='gpt-image-2', prompt="x")
            """,
        ),
        Invalid(
            """
            from openai import AsyncOpenAI
            async def main():
                return await AsyncOpenAI().images.generate(model="gpt-image-1", prompt="x")
            """,
            """
            from openai import AsyncOpenAI
            async def main():
                return await AsyncOpenAI().images.generate(model="gpt-image-2", prompt="x")
            """,
        ),
        Invalid(
            """
            from openai import OpenAI
            client = OpenAI()
            client.images.generate(model="gpt-image-1.5", prompt="x")
            """,
            """
            from openai import OpenAI
            client = OpenAI()
            client.images.generate(model="gpt-image-2", prompt="x")
            """,
            options={"today": "2026-12-01"},
        ),
        Invalid(
            """
            import streamlit as st
            st.session_state.client.images.generate(model="dall-e-3", prompt="x")
            """,
            """
            import streamlit as st
            st.session_state.client.images.generate(model="gpt-image-2", prompt="x")
            """,
        ),
        Invalid(
            """
            from dataclasses import dataclass
            from openai import OpenAI
            @dataclass
            class Config:
                model: str = "dall-e-3"
            class Generator:
                def __init__(self, config: Config):
                    self.config = config
                    self.client = OpenAI()
                def run(self, prompt):
                    return self.client.images.generate(model=self.config.model, prompt=prompt)
            """,
            """
            from dataclasses import dataclass
            from openai import OpenAI
            @dataclass
            class Config:
                model: str = "gpt-image-2"
            class Generator:
                def __init__(self, config: Config):
                    self.config = config
                    self.client = OpenAI()
                def run(self, prompt):
                    return self.client.images.generate(model=self.config.model, prompt=prompt)
            """,
        ),
    ]

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        target = ctx.settings.target
        for value in models_with_status(call, ctx, RETIRED):
            model = value.value
            error = ctx.catalog.error("model_not_found", model=model).message
            message = (
                f"Model '{model}' was shut down on {ctx.catalog.shutdown(model)}; the API answers "
                f'"{error}" Use \'{target}\'.'
            )
            if value.note:
                message += f" Note: {value.note}; make sure it does not name '{model}' either."
            twin = enum_member_holding(ctx, value.node, target)
            if twin is not None:
                # The Enum already has a member for the target: the call moves to that member
                # (rewriting this member's value would make two members equal).
                yield self._use_member(ctx, call, value, twin, message)
                continue
            yield self.finding(
                ctx,
                value.node,
                message,
                f"Replace '{model}' with '{target}'",
                [replace_string(ctx, value.node, target)],
            )

    def _use_member(self, ctx: ModuleContext, call: ImageCall, value, twin: str, message: str) -> Finding:
        argument = call.arguments["model"].value
        member = argument.value if isinstance(argument, cst.Attribute) and argument.attr.value == "value" else argument
        if isinstance(member, cst.Attribute):
            return self.finding(
                ctx,
                member,
                f"{message} {twin} already holds '{ctx.settings.target}'; use it here.",
                f"Use {twin}",
                [replace_node(ctx, member.attr, twin.rsplit(".", 1)[1])],
            )
        return self.finding(
            ctx,
            value.node,
            f"{message} Not fixed: {twin} already holds '{ctx.settings.target}' and an Enum cannot hold it twice; use {twin} where this member is used.",
        )
