"""Product imagery for the storefront; the settings are objects with defaults."""

import base64
import os
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Literal

from openai import BadRequestError, NotFoundError, OpenAI
from pydantic import BaseModel, Field

client = OpenAI()


class ImageSettings(BaseModel):
    model: str = Field(default="dall-e-3")
    quality: str = "standard"
    response_format: str = Field(default="b64_json", description="how the API returns the image")


settings = ImageSettings()


class Defaults:
    MODEL = "gpt-image-1"
    SIZE = "256x256"


@dataclass
class Swatch:
    colour: str
    model: str = field(default="dall-e-2")
    size: str = "512x512"

    def render(self):
        result = client.images.generate(
            model=self.model, prompt=f"storefront fabric swatch, {self.colour}", size=self.size, response_format="b64_json"
        )
        return base64.b64decode(result.data[0].b64_json)


class Painter:
    def __init__(self, model="dall-e-3", quality="hd"):
        self.client = OpenAI()
        self.model = model
        self.quality = quality

    def paint(self, prompt):
        result = self.client.images.generate(model=self.model, prompt=prompt, quality=self.quality, response_format="b64_json")
        return base64.b64decode(result.data[0].b64_json)


def product_shot(product):
    result = client.images.generate(
        model=settings.model,
        prompt=f"storefront product shot of a {product}",
        quality=settings.quality,
        response_format=settings.response_format,
    )
    return base64.b64decode(result.data[0].b64_json)


def icon(name):
    result = client.images.generate(model=Defaults.MODEL, prompt=f"storefront icon: {name}", size=Defaults.SIZE)
    return base64.b64decode(result.data[0].b64_json)


def lifestyle(prompt: str, model: Literal["dall-e-3", "gpt-image-2"] = "dall-e-3", quality="standard") -> bytes:
    result = client.images.generate(model=model, prompt=prompt, quality=quality, response_format="b64_json")
    return base64.b64decode(result.data[0].b64_json)


def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()
    jobs = [
        ("product.png", lambda: product_shot("linen tote bag")),
        ("icon.png", lambda: icon("shopping basket")),
        ("swatch.png", lambda: Swatch("indigo").render()),
        ("painting.png", lambda: Painter().paint("storefront window painted in gouache")),
        ("lifestyle.png", lambda: lifestyle("storefront lifestyle photo: the tote bag at a picnic")),
    ]
    failures = 0
    for name, job in jobs:
        try:
            data = job()
        except (BadRequestError, NotFoundError) as exc:
            print(f"{name}: {exc.message}", file=sys.stderr)
            failures += 1
            continue
        with open(os.path.join(out_dir, name), "wb") as fh:
            fh.write(data)
        print(f"{name}: {len(data)} bytes")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
