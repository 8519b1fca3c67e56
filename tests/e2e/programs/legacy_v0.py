"""Brochure for the mountain hut, written against openai 0.27 in early 2023."""

import asyncio
import os
import struct
import sys
import tempfile
import urllib.request
import zlib

import openai

openai.api_key = os.getenv("OPENAI_API_KEY")
OUT_DIR = os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir()


def square_png(path, rgba):
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    rows = b"".join(b"\x00" + bytes(rgba) * 32 for _ in range(32))
    header = struct.pack(">IIBBBBB", 32, 32, 8, 6, 0, 0, 0)
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def cover(prompt):
    response = openai.Image.create(prompt=prompt, n=1, size="512x512")
    image_url = response["data"][0]["url"]
    return urllib.request.urlopen(image_url).read()


def retouch(image_path, mask_path, prompt, out_path):
    response = openai.Image.create_edit(open(image_path, "rb"), open(mask_path, "rb"), prompt=prompt, n=1, size="1024x1024")
    urllib.request.urlretrieve(response["data"][0]["url"], out_path)


async def sketch(prompt):
    response = await openai.Image.acreate(prompt=prompt, model="dall-e-3", size="1024x1024")
    return response["data"][0]["url"]


def step_cover():
    data = cover("mountain hut brochure cover: a stone hut under stars")
    with open(os.path.join(OUT_DIR, "cover.png"), "wb") as fh:
        fh.write(data)
    return "cover.png"


def step_retouch():
    photo, mask = os.path.join(OUT_DIR, "photo.png"), os.path.join(OUT_DIR, "mask.png")
    square_png(photo, (120, 110, 90, 255))
    square_png(mask, (0, 0, 0, 0))
    retouch(photo, mask, "mountain hut brochure: add fresh snow on the roof", os.path.join(OUT_DIR, "retouched.png"))
    return "retouched.png"


def step_sketch():
    url = asyncio.run(sketch("mountain hut brochure: pencil sketch of the trail map"))
    with urllib.request.urlopen(url) as response:
        data = response.read()
    with open(os.path.join(OUT_DIR, "sketch.png"), "wb") as fh:
        fh.write(data)
    return "sketch.png"


if __name__ == "__main__":
    failed = False
    for step in (step_cover, step_retouch, step_sketch):
        try:
            name = step()
        except openai.OpenAIError as exc:
            print(f"{step.__name__}: {exc}", file=sys.stderr)
            failed = True
            continue
        print(f"{name}: {os.path.getsize(os.path.join(OUT_DIR, name))} bytes")
    sys.exit(1 if failed else 0)
