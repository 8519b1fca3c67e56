from __future__ import annotations

from typing import Iterable

import libcst as cst

from ..calls import ImageCall
from ..catalog import RETIRED
from ..context import ModuleContext
from ..edits import replace_node
from ..findings import Finding
from ._common import call_rename, enum_member_holding, enum_twin_holds, models_with_status, moved_message
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

    The value is followed to where it is written (a constant, a default, a settings field, a
    constructor keyword in another module, argparse or click `choices`, a Streamlit selector's
    options, a `Literal[...]` type) and to where it is *used*: comparisons (`==`, `!=`, `in`),
    `match` cases, sets of allowed models, tables keyed by model (`SIZES[model]`,
    `PROMPTS.get(model)`), the `Literal[...]` it is typed with and the choices it is picked
    from, in any module. The fix moves them together: one value, one rename.

    ## Why
    The API answers every request for a retired model with HTTP 400
    ("The model 'dall-e-3' does not exist."): the call cannot work as written. Rewriting the
    value but not `if model == "dall-e-3":` would make the migrated program take the branch
    written for the other model, fail its own `VALID_MODELS` check, or miss its table entry.

    ## Fix safety
    Safe when the migrated program takes, for the target, the route it took for the old id:
    the id is replaced by the target model (`--target`, default `gpt-image-2`) where it is
    written and in every use of that value, in one fix applied whole or not at all. Uses of
    another id the value never holds are left alone (they keep meaning "not this model").
    Where several retired ids merge into the target (choices offered to a user), the target
    takes the routes of the id the program picks itself (else a GPT image model's); the routes
    of the others stop running and are reported (DM105). Unsafe, with the use that holds it
    back named, when a use cannot move: the target already has its own table entry or branch,
    a key is computed, a table holds prices or limits (numbers) for the old model, or two ids
    the program picks itself route differently. The parameters the target rejects are reported
    and fixed by the DM2xx rules in the same run, table entries that move included. Calls
    through an Azure client are left to DM403: there `model` is a deployment name.
    """

    code = "DM101"
    judges_tool_configs = True
    judges_http_requests = True
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
        # An OpenAI-compatible provider the catalogue knows serves its own models.
        """
        from openai import OpenAI
        OpenAI(base_url="https://api.aimlapi.com/v1").images.generate(model="dall-e-3", prompt="a fox")
        """,
        # Another provider's OpenAI-shaped endpoint, with its own model: not OpenAI's request.
        """
        import requests
        requests.post("https://api.together.xyz/v1/images/generations", json={"model": "black-forest-labs/FLUX.1-schnell", "prompt": "a fox"})
        """,
    ]
    INVALID = [
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
        # The value moves with its uses: the allowed set, the table key and the comparison
        # with 'dall-e-3'; the comparison with 'dall-e-2', an id it never holds, keeps meaning
        # "not this model" (DM105 says its branch does not run).
        Invalid(
            """
            from openai import OpenAI
            VALID_MODELS = {"dall-e-2", "dall-e-3"}
            SIZES = {"dall-e-2": "1024x1024", "dall-e-3": "1792x1024"}
            class Painter:
                def __init__(self, model="dall-e-3"):
                    if model not in VALID_MODELS:
                        raise ValueError(model)
                    self.model = model
                def paint(self, prompt):
                    extra = {}
                    if self.model == "dall-e-3":
                        extra["quality"] = "hd"
                    if self.model == "dall-e-2":
                        prompt = "simple: " + prompt
                    return OpenAI().images.generate(model=self.model, prompt=prompt, size=SIZES[self.model], **extra)
            """,
            """
            from openai import OpenAI
            VALID_MODELS = {"dall-e-2", "gpt-image-2"}
            SIZES = {"dall-e-2": "1024x1024", "gpt-image-2": "1792x1024"}
            class Painter:
                def __init__(self, model="gpt-image-2"):
                    if model not in VALID_MODELS:
                        raise ValueError(model)
                    self.model = model
                def paint(self, prompt):
                    extra = {}
                    if self.model == "gpt-image-2":
                        extra["quality"] = "high"
                    if self.model == "dall-e-2":
                        prompt = "simple: " + prompt
                    return OpenAI().images.generate(model=self.model, prompt=prompt, size=SIZES[self.model], **extra)
            """,
        ),
        # Choices offered on the command line merge into the target; the default's routes are
        # kept ('dall-e-2''s branch stops running: DM105 says so).
        Invalid(
            """
            import argparse
            from openai import OpenAI
            parser = argparse.ArgumentParser()
            parser.add_argument("--model", default="dall-e-3", choices=["dall-e-2", "dall-e-3"])
            args = parser.parse_args()
            size = "1024x1024" if args.model == "dall-e-2" else "1792x1024"
            OpenAI().images.generate(model=args.model, prompt="a red fox", size=size)
            """,
            """
            import argparse
            from openai import OpenAI
            parser = argparse.ArgumentParser()
            parser.add_argument("--model", default="gpt-image-2", choices=["gpt-image-2"])
            args = parser.parse_args()
            size = "1024x1024" if args.model == "dall-e-2" else "1792x1024"
            OpenAI().images.generate(model=args.model, prompt="a red fox", size=size)
            """,
        ),
        Invalid(
            """
            from openai import OpenAI
            def size_for(model):
                match model:
                    case "dall-e-3":
                        return "1792x1024"
                    case _:
                        return "1024x1024"
            def draw(prompt, model="dall-e-3"):
                return OpenAI().images.generate(model=model, prompt=prompt, size=size_for(model))
            """,
            """
            from openai import OpenAI
            def size_for(model):
                match model:
                    case "gpt-image-2":
                        return "1792x1024"
                    case _:
                        return "1024x1024"
            def draw(prompt, model="gpt-image-2"):
                return OpenAI().images.generate(model=model, prompt=prompt, size=size_for(model))
            """,
        ),
        # A table that already has the target's own entry: the migrated program would read that
        # one instead. Unsafe, and the finding says so.
        Invalid(
            """
            from openai import OpenAI
            MODEL = "dall-e-3"
            PROMPTS = {"dall-e-3": "an oil painting of {}", "gpt-image-2": "a photo of {}"}
            def draw(subject):
                return OpenAI().images.generate(model=MODEL, prompt=PROMPTS[MODEL].format(subject))
            """,
            """
            from openai import OpenAI
            MODEL = "gpt-image-2"
            PROMPTS = {"dall-e-3": "an oil painting of {}", "gpt-image-2": "a photo of {}"}
            def draw(subject):
                return OpenAI().images.generate(model=MODEL, prompt=PROMPTS[MODEL].format(subject))
            """,
            unsafe=True,
        ),
        # A price table keyed by model: its numbers are the old model's, not the target's.
        Invalid(
            """
            from openai import OpenAI
            MODEL = "dall-e-3"
            PRICE_PER_IMAGE = {"dall-e-3": 0.04}
            def draw(prompt, ledger):
                ledger.append(PRICE_PER_IMAGE[MODEL])
                return OpenAI().images.generate(model=MODEL, prompt=prompt)
            """,
            """
            from openai import OpenAI
            MODEL = "gpt-image-2"
            PRICE_PER_IMAGE = {"gpt-image-2": 0.04}
            def draw(prompt, ledger):
                ledger.append(PRICE_PER_IMAGE[MODEL])
                return OpenAI().images.generate(model=MODEL, prompt=prompt)
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from openai import OpenAI
            generate = OpenAI().images.generate
            generate(model="dall-e-3", prompt="a fox")
            """,
            """
            from openai import OpenAI
            generate = OpenAI().images.generate
            generate(model="gpt-image-2", prompt="a fox")
            """,
        ),
        # A client imported from a module outside the tree: OpenAI's, as far as anyone can tell.
        Invalid(
            """
            from my_clients import image_client
            image_client.images.generate(model="dall-e-3", prompt="a fox")
            """,
            """
            from my_clients import image_client
            image_client.images.generate(model="gpt-image-2", prompt="a fox")
            """,
        ),
        # The Images API over plain HTTP: the JSON body holds the model.
        Invalid(
            """
            import requests
            API = "https://api.openai.com/v1"
            r = requests.post(f"{API}/images/generations", json={"model": "dall-e-3", "prompt": "a fox"})
            """,
            """
            import requests
            API = "https://api.openai.com/v1"
            r = requests.post(f"{API}/images/generations", json={"model": "gpt-image-2", "prompt": "a fox"})
            """,
        ),
    ]

    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        target = ctx.settings.target
        for value in models_with_status(call, ctx, RETIRED):
            twin = enum_member_holding(ctx, value.node, target)
            if twin is not None:
                # The Enum already has a member for the target: the call moves to that member
                # (rewriting this member's value would make two members equal).
                yield self._use_member(ctx, call, value, twin, self._message(ctx, value))
        # The value moves with its uses (comparisons, tables, choices): one fix, all or nothing.
        rename = call_rename(call, ctx, RETIRED)
        if rename is None:
            return
        for value in rename.reported:
            message, applicability = moved_message(self._message(ctx, value), rename, value)
            yield self.finding(
                ctx,
                value.node,
                message,
                f"Replace '{value.value}' with '{target}'" + (" where the model is used too" if rename.moved else ""),
                rename.fix_for(value, ctx),
                applicability=applicability,
            )

    def _message(self, ctx: ModuleContext, value) -> str:
        model = value.value
        error = ctx.catalog.error("model_not_found", model=model).message
        message = (
            f"Model '{model}' was shut down on {ctx.catalog.shutdown(model)}; the API answers "
            f'"{error}" Use \'{ctx.settings.target}\'.'
        )
        if value.note:
            message += f" Note: {value.note}; make sure it does not name '{model}' either." if not value.offered else f" It is one of the choices {value.note}."
        return message

    def _use_member(self, ctx: ModuleContext, call: ImageCall, value, twin: str, message: str) -> Finding:
        target = ctx.settings.target
        holds = enum_twin_holds(ctx.owner(value.node), twin, target)
        argument = call.arguments["model"].value
        member = argument.value if isinstance(argument, cst.Attribute) and argument.attr.value == "value" else argument
        if isinstance(member, cst.Attribute):
            return self.finding(
                ctx,
                member,
                f"{message} {twin} {holds} '{target}'; use it here.",
                f"Use {twin}",
                [replace_node(ctx, member.attr, twin.rsplit(".", 1)[1])],
            )
        return self.finding(
            ctx,
            value.node,
            f"{message} Not fixed: {twin} {holds} '{target}' and an Enum cannot hold it twice; use {twin} where this member is used.",
        )
