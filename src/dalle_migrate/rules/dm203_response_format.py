from __future__ import annotations

from ._rejected_parameter import RejectedParameter
from .base import Invalid


class ResponseFormat(RejectedParameter):
    """
    ## What it does
    Finds `response_format` (`"url"` or `"b64_json"`) on calls to GPT image models.

    ## Why
    GPT image models always return base64 in `data[i].b64_json` and reject the parameter with
    HTTP 400 "Unknown parameter: 'response_format'.". `data[i].url` is always `None` on them,
    so code that read the URL breaks a second time where it reads the result (DM301).

    ## Fix safety
    Safe: the keyword is deleted, never set to `None` (the SDK would send `null`). Code that
    already reads `b64_json` needs nothing else. Unsafe when the value calls something (the call
    would no longer run); no fix when it makes an image request, binds a name (`:=`) or yields.
    """

    code = "DM203"
    name = "response-format"
    summary = "`response_format` is rejected by GPT image models"
    parameter = "response_format"
    advice = "GPT image models always return base64 in `data[i].b64_json`."
    VALID = [
        """
        from openai import OpenAI
        OpenAI().images.generate(model="gpt-image-2", prompt="x", output_format="png")
        """,
    ]
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            client = OpenAI()
            resp = client.images.generate(
                model="gpt-image-2",
                prompt="x",
                response_format="b64_json",  # we decode it ourselves
                n=1,
            )
            """,
            """
            from openai import OpenAI
            client = OpenAI()
            resp = client.images.generate(
                model="gpt-image-2",
                prompt="x",
                # we decode it ourselves
                n=1,
            )
            """,
        ),
        Invalid(
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", prompt="x", response_format="b64_json")
            """,
            """
            from openai import OpenAI
            OpenAI().images.generate(model="gpt-image-2", prompt="x")
            """,
        ),
    ]
