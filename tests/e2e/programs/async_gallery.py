"""Fill a small gallery concurrently with the async client."""

import asyncio
import base64
import os
import tempfile

from openai import AsyncOpenAI

client = AsyncOpenAI()


def store(name, b64):
    data = base64.b64decode(b64)
    path = os.path.join(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()), name)
    with open(path, "wb") as fh:
        fh.write(data)
    print(f"{name}: {len(data)} bytes")


async def main():
    cover = await client.images.generate(
        model="dall-e-3",
        prompt="gallery cover: an origami crane over a lake",
        quality="standard",
        response_format="b64_json",
    )
    store("cover.png", cover.data[0].b64_json)

    left, right = await asyncio.gather(
        client.images.generate(model="dall-e-2", prompt="gallery tile: origami frog", size="512x512", response_format="b64_json"),
        client.images.generate(model="gpt-image-1", prompt="gallery tile: origami fox", size="1024x1024"),
    )
    store("left.png", left.data[0].b64_json)
    store("right.png", right.data[0].b64_json)
    await client.close()


asyncio.run(main())
