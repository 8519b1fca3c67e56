from __future__ import annotations

from ._rejected_parameter import RejectedParameter
from .base import Invalid


class Style(RejectedParameter):
    """
    ## What it does
    Finds `style` (`"vivid"` / `"natural"`, a dall-e-3 parameter) on calls to GPT image models.

    ## Why
    GPT image models reject it with HTTP 400 "Unknown parameter: 'style'.", and `images.edit`
    has no `style` keyword at all (TypeError).

    ## Fix safety
    Safe: the keyword is deleted (an assignment `params["style"] = style` with it; an `if` left
    with nothing to do goes when its test has no side effect, else the block keeps `pass`).
    Describe the style in the prompt instead ("a vivid, hyper-real photo of ..."); the message
    says so. Unsafe when the value calls something
    (`style=pick_style()`: the call would no longer run); no fix when the value makes an image
    request, binds a name (`:=`) or yields.
    """

    code = "DM204"
    name = "style"
    summary = "`style` is rejected by GPT image models"
    parameter = "style"
    advice = "describe the style in the prompt instead."
    VALID = [
        # The request takes `style` out again before it is sent.
        """
        from openai import OpenAI
        def draw(prompt, style="vivid"):
            request = {"model": "gpt-image-2", "prompt": prompt, "style": style}
            request.pop("style", None)
            return OpenAI().images.generate(**request)
        """,
        """
        from openai import OpenAI
        OpenAI().images.generate(model="gpt-image-2", prompt="a vivid photo of a fox")
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            OpenAI().responses.create(model="gpt-5", input="x", tools=[{"type": "image_generation", "style": "vivid"}])
            """,
            """
            from openai import OpenAI
            OpenAI().responses.create(model="gpt-5", input="x", tools=[{"type": "image_generation"}])
            """,
        ),
        Invalid(
            """
            from openai import OpenAI
            OpenAI().images.generate(model="dall-e-3", style="natural", prompt="a fox")
            """,
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", prompt="a fox")
            """,
        ),
        Invalid(
            """
            from openai import OpenAI
            from myapp import pick_style
            OpenAI().images.generate(model="gpt-image-2", style=pick_style(), prompt="a fox")
            """,
            """
            from openai import OpenAI
            from myapp import pick_style
            OpenAI().images.generate(model="gpt-image-2", prompt="a fox")
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", style=(chosen := "vivid"), prompt="a fox")
            print(chosen)
            """,
        ),
        Invalid(
            """
            from openai import OpenAI
            def draw(prompt, style=None):
                request = {"model": "gpt-image-2", "prompt": prompt}
                if style is not None:
                    request["style"] = style
                return OpenAI().images.generate(**request)
            """,
            """
            from openai import OpenAI
            def draw(prompt, style=None):
                request = {"model": "gpt-image-2", "prompt": prompt}
                return OpenAI().images.generate(**request)
            """,
        ),
    ]
