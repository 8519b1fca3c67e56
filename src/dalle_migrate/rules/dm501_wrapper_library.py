from __future__ import annotations

from typing import Iterable, List

from ..catalog import DEPRECATED, RETIRED
from ..context import ModuleContext
from ..edits import replace_string
from ..findings import Applicability, Finding, Severity
from ..wrappers import WrapperUse, find_wrapper_uses
from .base import Invalid, Rule


class WrapperLibrary(Rule):
    """
    ## What it does
    Finds image generation through a wrapper library the catalogue knows, and says what it will
    do on GPT image models, from the library's source:

    - LangChain's `DallEAPIWrapper` and `load_tools(["dalle-image-generator"])` (default model
      `dall-e-2`), crewAI's `DallETool` (default `dall-e-3`) and LlamaIndex's
      `OpenAIImageGenerationToolSpec` read the image's URL, which GPT image models never return:
      no released version returns their images, whatever model it is given. The finding says
      what to use instead.
    - Semantic Kernel's `OpenAITextToImage` returns GPT images as base64 from 1.41.0; LiteLLM's
      `image_generation` passes OpenAI's answer through. A retired model given to Semantic
      Kernel, or to LiteLLM with its router prefix (`openai/dall-e-3`) or where other models may
      reach it too (a parameter's default that callers can override), is reported here; a LiteLLM call that
      only ever gets OpenAI ids is judged as an Images call: DM101 for the model, DM201-DM205
      for the parameters it forwards.

    The import decides, never the name: a class of the program's own named `DallETool` is not
    crewAI's.

    ## Why
    Changing the model string of a wrapper that reads `item.url` leaves a program that still
    produces no image (LangChain raises `TypeError` joining `None`s). Only moving off the wrapper
    fixes it; the library's own defaults (`dall-e-2`) are retired too.

    ## Fix safety
    No fix where the wrapper cannot return GPT images. Unsafe where it can: the retired model
    becomes the target (keeping a router prefix), which also needs the library version named in
    the message and code that reads base64 where it read a URL.
    """

    code = "DM501"
    name = "wrapper-library"
    severity = Severity.WARNING
    summary = "Image generation through a wrapper library"
    fix_applicability = Applicability.UNSAFE
    VALID = [
        """
        class DallETool:  # the program's own class, not crewAI's
            def __init__(self, model):
                self.model = model
        tool = DallETool(model="dall-e-3")
        """,
        """
        import litellm
        litellm.image_generation(model="gpt-image-2", prompt="x")
        """,
        """
        from langchain_community.agent_toolkits.load_tools import load_tools
        tools = load_tools(["serpapi", "llm-math"])
        """,
    ]
    INVALID = [
        Invalid(
            """
            from langchain_community.utilities.dalle_image_generator import DallEAPIWrapper
            image_url = DallEAPIWrapper(model="dall-e-3").run("a red fox")
            """,
        ),
        Invalid(
            """
            from langchain_community.agent_toolkits.load_tools import load_tools
            tools = load_tools(["dalle-image-generator"])
            """,
        ),
        Invalid(
            """
            from crewai_tools import DallETool
            painter = DallETool(model="dall-e-3", size="1024x1024")
            """,
        ),
        Invalid(
            """
            from llama_index.tools.openai import OpenAIImageGenerationToolSpec
            spec = OpenAIImageGenerationToolSpec(api_key="sk-...")
            """,
        ),
        Invalid(
            """
            import litellm
            response = litellm.image_generation(model="openai/dall-e-3", prompt="a red fox")
            """,
            """
            import litellm
            response = litellm.image_generation(model="openai/gpt-image-2", prompt="a red fox")
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from litellm import image_generation
            from settings import IMAGE_MODEL
            def draw(prompt, model="dall-e-3"):
                return image_generation(model=model, prompt=prompt)
            draw("a red fox", model=IMAGE_MODEL)
            """,
            """
            from litellm import image_generation
            from settings import IMAGE_MODEL
            def draw(prompt, model="gpt-image-2"):
                return image_generation(model=model, prompt=prompt)
            draw("a red fox", model=IMAGE_MODEL)
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from semantic_kernel.connectors.ai.open_ai import OpenAITextToImage
            service = OpenAITextToImage(ai_model_id="dall-e-3")
            """,
            """
            from semantic_kernel.connectors.ai.open_ai import OpenAITextToImage
            service = OpenAITextToImage(ai_model_id="gpt-image-2")
            """,
            unsafe=True,
        ),
    ]

    def check_module(self, ctx: ModuleContext) -> Iterable[Finding]:
        for use in find_wrapper_uses(ctx):
            yield from self._check(ctx, use)

    def _check(self, ctx: ModuleContext, use: WrapperUse) -> Iterable[Finding]:
        wrapper, target = use.wrapper, ctx.settings.target
        models = self._models(ctx, use)
        if not wrapper.returns_gpt_images:
            given = [repr(v.value) for v in use.model.values if v.is_str] if use.model is not None else []
            if use.model is not None:
                model = f"with {', '.join(given)}" if given else f"with `{ctx.excerpt(use.model.value)}`"
            else:
                model = f"with no model (its default is '{wrapper.default_model}')" if wrapper.default_model else ""
            yield self.finding(
                ctx,
                use.node,
                f"{wrapper.label} {model} cannot return GPT image results: it {wrapper.reads} "
                f"(no release does; read in {wrapper.source}). Changing the model is not enough: {wrapper.instead}.",
            )
            return
        for model_id, prefix, value in models:
            status = ctx.catalog.status(model_id, ctx.settings.today)
            if prefix == "" and use.request is not None:
                continue  # a bare id in a request judged as a call: DM101/DM102 report it there
            when = "was shut down on" if status == RETIRED else "shuts down on"
            yield self.finding(
                ctx,
                value.node,
                f"{wrapper.label} is given '{prefix}{model_id}', which {when} {ctx.catalog.shutdown(model_id)}; "
                f"use '{prefix}{target}' ({wrapper.reads}; GPT image results from {wrapper.gpt_images}: {wrapper.instead}).",
                f"Use '{prefix}{target}'",
                [replace_string(ctx, value.node, prefix + target)],
            )

    def _models(self, ctx: ModuleContext, use: WrapperUse) -> List[tuple]:
        """(model id, router prefix, value) of each retired or deprecated model given to it."""
        found = []
        if use.model is None:
            return found
        for value in use.model.values:
            if not value.is_str:
                continue
            prefix = next((p for p in use.wrapper.model_prefixes if value.value.startswith(p)), "")
            model_id = value.value[len(prefix) :]
            if ctx.catalog.status(model_id, ctx.settings.today) in (RETIRED, DEPRECATED):
                found.append((model_id, prefix, value))
        return found
