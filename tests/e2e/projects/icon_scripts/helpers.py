"""Shared bits for the scripts in this folder."""

import base64

from openai import OpenAI

ICON_MODEL = "dall-e-2"


def make_client() -> OpenAI:
    return OpenAI()


def icon(prompt, model="dall-e-2", size="256x256"):
    """One app icon as PNG bytes."""
    response = make_client().images.generate(
        model=model,
        prompt=prompt,
        size=size,
        response_format="b64_json",
    )
    return base64.b64decode(response.data[0].b64_json)
