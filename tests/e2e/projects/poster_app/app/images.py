"""Image generation helpers."""

import base64

from . import settings
from .clients import client


def generate(prompt: str) -> bytes:
    """Render ``prompt`` and return the PNG bytes."""
    response = client.images.generate(
        model=settings.IMAGE_MODEL,
        prompt=prompt,
        size=settings.SIZE,
        quality=settings.QUALITY,
        style="vivid",
        response_format="b64_json",
    )
    return base64.b64decode(response.data[0].b64_json)
