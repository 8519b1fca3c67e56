"""Assets for the autumn campaign. Every setting sits at the top, as the style guide asks."""

import base64
import os
import sys
import tempfile
from enum import Enum

import openai
from openai import OpenAI

IMAGE_MODEL = "dall-e-3"
HERO_QUALITY = "hd"
TILE_MODEL = "dall-e-2"
TILE_SIZE = "512x512"
FORMAT = "b64_json"


class ImageModel(str, Enum):
    DALLE3 = "dall-e-3"


class Quality(str, Enum):
    STANDARD = "standard"
    HD = "hd"


CONFIG = {"brand": "autumn campaign", "palette": "rust and ochre"}
OUT_DIR = os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir()

client = OpenAI()


def hero():
    return client.images.generate(
        model=IMAGE_MODEL,
        prompt=f"{CONFIG['brand']}: hero image of falling leaves in {CONFIG['palette']}",
        size="1792x1024",
        quality=HERO_QUALITY,
        response_format=FORMAT,
    )


def tiles():
    return client.images.generate(
        model=TILE_MODEL, prompt="autumn campaign tile: a single maple leaf", size=TILE_SIZE, n=2, response_format=FORMAT
    )


def badge():
    return client.images.generate(
        model=ImageModel.DALLE3.value,
        prompt="autumn campaign badge: a round acorn emblem",
        quality=Quality.HD.value,
        response_format=FORMAT,
    )


def poster():
    # ops can switch the model without a release
    model = os.getenv("IMAGE_MODEL", "dall-e-3")
    return client.images.generate(model=model, prompt="autumn campaign poster: a pumpkin market", response_format=FORMAT)


def banner(config):
    return client.images.generate(
        model=config.get("model", "dall-e-2"),
        prompt=f"autumn campaign banner in {config['palette']}",
        size=TILE_SIZE,
        response_format=FORMAT,
    )


def save(name, b64):
    data = base64.b64decode(b64)
    with open(os.path.join(OUT_DIR, name), "wb") as fh:
        fh.write(data)
    print(f"{name}: {len(data)} bytes")


def main():
    failed = []
    jobs = [("hero", hero), ("tile", tiles), ("badge", badge), ("poster", poster), ("banner", lambda: banner(CONFIG))]
    for name, make in jobs:
        try:
            result = make()
        except openai.APIStatusError as exc:
            print(f"{name} failed ({exc.status_code}): {exc.message}", file=sys.stderr)
            failed.append(name)
            continue
        if len(result.data) == 1:
            save(f"{name}.png", result.data[0].b64_json)
        else:
            for index, image in enumerate(result.data):
                save(f"{name}-{index}.png", image.b64_json)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
