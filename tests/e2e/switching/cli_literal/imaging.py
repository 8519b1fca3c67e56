"""Poster rendering: what each model gets is decided here."""

import base64
from typing import Literal

from openai import OpenAI

ImageModel = Literal["dall-e-2", "dall-e-3"]


def create_image(prompt: str, model: ImageModel = "dall-e-3") -> bytes:
    kwargs = {"model": model, "prompt": prompt}
    if model == "dall-e-3":
        kwargs["size"] = "1024x1792"
        kwargs["quality"] = "standard"
    else:
        kwargs["size"] = "256x256"
    response = OpenAI().images.generate(response_format="b64_json", **kwargs)
    return base64.b64decode(response.data[0].b64_json)
