"""Storyboard: all panels are generated at once, then listed in a Markdown file and downloaded."""

import asyncio
import os
import tempfile
import urllib.request

from openai import AsyncOpenAI

client = AsyncOpenAI()
SCENES = ["a fox finds a lantern", "the fox crosses a frozen river", "the lantern lights a village"]


async def panels(scenes):
    results = await asyncio.gather(
        *[client.images.generate(model="dall-e-3", prompt=f"storyboard panel {i}: {scene}", size="1792x1024") for i, scene in enumerate(scenes, 1)]
    )
    return [r.data[0].url for r in results]


async def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir()
    urls = await panels(SCENES)
    lines = ["# Storyboard", ""]
    for number, (scene, url) in enumerate(zip(SCENES, urls), 1):
        lines.append(f"![Panel {number}: {scene}]({url})")
        data = urllib.request.urlopen(url).read()
        name = f"panel-{number}.png"
        with open(os.path.join(out_dir, name), "wb") as fh:
            fh.write(data)
        print(f"{name}: {len(data)} bytes")
    with open(os.path.join(out_dir, "storyboard.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"storyboard.md: {len(urls)} images")
    await client.close()


asyncio.run(main())
