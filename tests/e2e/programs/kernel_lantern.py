"""Semantic Kernel's text-to-image service draws the festival poster; the URL it returns is
downloaded (semantic-kernel before 1.41.0 returned DALL-E's URL)."""

import asyncio
import os
import sys
import tempfile
from urllib.request import urlopen

from semantic_kernel.connectors.ai.open_ai import OpenAITextToImage


async def poster(out_dir):
    service = OpenAITextToImage(ai_model_id="dall-e-3")
    image = await service.generate_image(description="kernel lantern: a paper lantern festival", width=1024, height=1024, style="vivid")
    data = urlopen(image).read()
    with open(os.path.join(out_dir, "lantern.png"), "wb") as fh:
        fh.write(data)
    print(f"lantern.png: {len(data)} bytes")


def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()
    try:
        asyncio.run(poster(out_dir))
    except Exception as exc:  # Semantic Kernel wraps the API's error
        print(f"{type(exc).__name__}: {exc} {getattr(exc, '__cause__', '')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
