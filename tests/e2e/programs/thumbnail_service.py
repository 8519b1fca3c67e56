"""A small service object that renders product thumbnails."""

from __future__ import annotations

import base64
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from openai import OpenAI


@dataclass
class Thumbnail:
    name: str
    png: bytes


class ThumbnailService:
    def __init__(self, out_dir: Path) -> None:
        self.client = OpenAI()
        self.out_dir = out_dir

    def render(self, product: str) -> Thumbnail:
        result = self.client.images.generate(
            model="gpt-image-1",
            prompt=f"studio photo of a {product} thumbnail on a white background",
            quality="standard",
            size="1024x1024",
        )
        return Thumbnail(product, base64.b64decode(result.data[0].b64_json))

    def save(self, thumb: Thumbnail) -> Path:
        path = self.out_dir / f"{thumb.name.replace(' ', '_')}.png"
        path.write_bytes(thumb.png)
        return path


if __name__ == "__main__":
    service = ThumbnailService(Path(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir())))
    for product in ("teapot", "desk lamp"):
        saved = service.save(service.render(product))
        print(f"{saved.name}: {saved.stat().st_size} bytes")
