"""The studio's rendering service."""

import base64

from openai import OpenAI

from .config import DEFAULTS, Thumbnails


class StudioService:
    def __init__(self) -> None:
        self.client = OpenAI()

    def render(self, prompt: str) -> bytes:
        result = self.client.images.generate(
            model=DEFAULTS.model,
            prompt=prompt,
            size=DEFAULTS.size,
            quality=DEFAULTS.quality,
        )
        return base64.b64decode(result.data[0].b64_json)

    def thumbnail(self, prompt: str) -> bytes:
        result = self.client.images.generate(
            model=Thumbnails.MODEL,
            prompt=prompt,
            size=Thumbnails.SIZE,
            response_format="b64_json",
        )
        return base64.b64decode(result.data[0].b64_json)
