"""Press kit: the requests are prepared in a list first, then sent together."""

import asyncio
import os
import tempfile
import urllib.request

from openai import AsyncOpenAI

client = AsyncOpenAI()
SUBJECTS = ["the founders at a whiteboard", "the product on a walnut desk"]


async def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir()
    tasks = [client.images.generate(model="dall-e-3", prompt=f"press kit photo: {subject}") for subject in SUBJECTS]
    results = await asyncio.gather(*tasks)
    for number, result in enumerate(results, 1):
        data = urllib.request.urlopen(result.data[0].url).read()
        name = f"press-{number}.png"
        with open(os.path.join(out_dir, name), "wb") as fh:
            fh.write(data)
        print(f"{name}: {len(data)} bytes")
    await client.close()


if __name__ == "__main__":
    asyncio.run(main())
