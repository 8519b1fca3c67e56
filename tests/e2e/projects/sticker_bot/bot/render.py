"""Drawing: one client for the bot, and the sticker renderer the commands share."""

import base64

from openai import OpenAI

client = OpenAI()

STICKER_MODEL = "dall-e-2"


def draw(prompt, size="256x256"):
    """A sticker as PNG bytes."""
    result = client.images.generate(
        model=STICKER_MODEL,
        prompt=prompt,
        size=size,
        response_format="b64_json",
    )
    return base64.b64decode(result.data[0].b64_json)
