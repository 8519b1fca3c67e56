"""Print shop: fetch the generated artwork from its URL and keep local files for the printer."""

import os
import sys
import tempfile
import urllib.request

from openai import OpenAI

client = OpenAI()


def poster_bytes(prompt):
    result = client.images.generate(model="dall-e-3", prompt=prompt, size="1024x1792", quality="hd")
    return urllib.request.urlopen(result.data[0].url).read()


def flyer_url(prompt):
    result = client.images.generate(model="dall-e-2", prompt=prompt, size="512x512")
    return result.data[0].url


def save_sticker(prompt, path):
    sticker = client.images.with_raw_response.generate(model="dall-e-2", prompt=prompt, size="256x256").parse()
    urllib.request.urlretrieve(sticker.data[0].url, path)


def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp(prefix="print-shop-")

    poster = poster_bytes("print shop poster: a tall ship in a bottle, etching style")
    with open(os.path.join(out_dir, "poster.png"), "wb") as fh:
        fh.write(poster)
    print(f"poster.png: {len(poster)} bytes")

    url = flyer_url("print shop flyer: a stack of colourful paper")
    with urllib.request.urlopen(url) as response:
        flyer = response.read()
    with open(os.path.join(out_dir, "flyer.png"), "wb") as fh:
        fh.write(flyer)
    print(f"flyer.png: {len(flyer)} bytes")

    sticker_path = os.path.join(out_dir, "sticker.png")
    save_sticker("print shop sticker: a smiling rubber stamp", sticker_path)
    print(f"sticker.png: {os.path.getsize(sticker_path)} bytes")


if __name__ == "__main__":
    sys.exit(main())
