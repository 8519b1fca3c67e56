"""Recipe cards: download each generated photo with requests and save it next to the recipe."""

import os
import sys
import tempfile

import requests
from openai import OpenAI

client = OpenAI()
OUT_DIR = os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir()


def photo(dish):
    result = client.images.generate(model="dall-e-3", prompt=f"recipe card photo of {dish}, overhead shot", quality="hd")
    return requests.get(result.data[0].url, timeout=30).content


def step_illustration(step):
    response = client.images.generate(model="dall-e-2", prompt=f"recipe card step drawing: {step}", size="512x512")
    image_url = response.data[0].url
    print("step image ready")
    return requests.get(image_url).content


def main():
    for name, data in (("pancakes.png", photo("pancakes")), ("whisking.png", step_illustration("whisk the eggs"))):
        with open(os.path.join(OUT_DIR, name), "wb") as fh:
            fh.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    sys.exit(main())
