"""python banner.py: a banner whose size depends on the model."""

import base64
import os
import tempfile
from pathlib import Path

from openai import OpenAI

BANNER_MODEL = "dall-e-3"


def size_for(model: str) -> str:
    match model:
        case "dall-e-2":
            return "512x512"
        case "dall-e-3":
            return "1792x1024"
        case _:
            return "1024x1024"


def banner(text: str) -> bytes:
    response = OpenAI().images.generate(
        model=BANNER_MODEL,
        prompt=f"switchmatch banner reading {text}",
        size=size_for(BANNER_MODEL),
        response_format="b64_json",
    )
    return base64.b64decode(response.data[0].b64_json)


if __name__ == "__main__":
    path = Path(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir())) / "banner.png"
    png = banner("grand opening")
    path.write_bytes(png)
    print(f"saved {path} ({len(png)} bytes)")
