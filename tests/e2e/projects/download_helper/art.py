"""Render the art pack and download each piece: python art.py"""

import os
import tempfile

from openai import OpenAI

from storage import download_image

OUT_DIR = os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir()
client = OpenAI()


def sprite(name):
    result = client.images.generate(model="dall-e-2", prompt=f"art pack sprite: {name}, pixel art", size="256x256")
    download_image(result.data[0].url, os.path.join(OUT_DIR, f"{name}.png"))


def backdrop(name):
    result = client.images.generate(
        model="dall-e-3",
        prompt=f"art pack backdrop: {name}, wide landscape",
        quality="hd",
    )
    image_url = result.data[0].url
    download_image(image_url, os.path.join(OUT_DIR, f"{name}-backdrop.png"))


if __name__ == "__main__":
    sprite("knight")
    backdrop("castle")
