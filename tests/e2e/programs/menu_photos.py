"""Menu photos: one helper asks for the image and hands back its URL; the caller downloads it."""

import os
import sys
import tempfile

import requests
from openai import OpenAI

client = OpenAI()


def photo_url(dish):
    result = client.images.generate(model="dall-e-3", prompt=f"menu photo of {dish} on a slate plate")
    return result.data[0].url


def photo_bytes(dish):
    return requests.get(photo_url(dish), timeout=30).content


if __name__ == "__main__":
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir()
    for dish in ("risotto", "tiramisu"):
        data = photo_bytes(dish)
        with open(os.path.join(out_dir, f"{dish}.png"), "wb") as fh:
            fh.write(data)
        print(f"{dish}.png: {len(data)} bytes")
    sys.exit(0)
