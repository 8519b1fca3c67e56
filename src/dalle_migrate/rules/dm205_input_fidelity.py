from __future__ import annotations

from ._rejected_parameter import RejectedParameter
from .base import Invalid


class InputFidelity(RejectedParameter):
    """
    ## What it does
    Finds `input_fidelity` on edit calls to a model that rejects it (gpt-image-2), and on
    `images.generate`, which has no such keyword.

    ## Why
    gpt-image-2 answers HTTP 400 "The model 'gpt-image-2' does not support the
    'input_fidelity' parameter." even when it is sent as null: it processes every input image
    at high fidelity on its own. `images.generate(input_fidelity=...)` raises TypeError.

    ## Fix safety
    Safe: the keyword is deleted (never set to `None`). Unsafe when the value calls something
    (the call would no longer run); no fix when it makes an image request, binds a name (`:=`)
    or yields.
    """

    code = "DM205"
    name = "input-fidelity"
    summary = "`input_fidelity` is rejected by the target model"
    parameter = "input_fidelity"
    advice = "gpt-image-2 processes every input image at high fidelity without it."
    VALID = [
        """
        from openai import OpenAI
        OpenAI().images.edit(model="gpt-image-1.5", image=open("a.png", "rb"), prompt="x", input_fidelity="high")
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            OpenAI().images.edit(model="gpt-image-2", image=open("a.png", "rb"), prompt="x", input_fidelity="high")
            """,
            """
            from openai import OpenAI
            OpenAI().images.edit(model="gpt-image-2", image=open("a.png", "rb"), prompt="x")
            """,
        ),
    ]
