"""The bot's chat commands."""

import base64

from .render import client, draw


def avatar(name):
    """/avatar <name>: a round profile picture."""
    result = client.images.generate(
        model="dall-e-3",
        prompt=f"sticker bot avatar for {name}: a round badge, bold outline",
        response_format="b64_json",
    )
    return base64.b64decode(result.data[0].b64_json)


def sticker(text):
    """/sticker <text>: a die-cut sticker, bigger than the default."""
    return draw(f"sticker bot sticker: {text}, die-cut, white border", size="512x512")
