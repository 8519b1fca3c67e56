"""The poster queue: posters drawn in a thread pool while the shop keeps serving, and one drawn
from async code through asyncio.to_thread; every poster downloaded from its URL."""

import asyncio
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from urllib.request import urlopen

from openai import OpenAI

client = OpenAI()


def draw(prompt):
    return client.images.generate(model="dall-e-3", prompt=prompt, size="1024x1792", style="vivid")


def save(out_dir, name, data):
    with open(os.path.join(out_dir, name), "wb") as fh:
        fh.write(data)
    print(f"{name}: {len(data)} bytes")


async def banner(out_dir):
    response = await asyncio.to_thread(lambda: client.images.generate(model="dall-e-3", prompt="poster queue: shop banner"))
    save(out_dir, "banner.png", urlopen(response.data[0].url).read())


def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()
    with ThreadPoolExecutor(max_workers=2) as pool:
        future = pool.submit(draw, "poster queue: summer sale")
        winter = pool.submit(draw, "poster queue: winter sale").result()
        save(out_dir, "summer.png", urlopen(future.result().data[0].url).read())
        save(out_dir, "winter.png", urlopen(winter.data[0].url).read())
    asyncio.run(banner(out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
