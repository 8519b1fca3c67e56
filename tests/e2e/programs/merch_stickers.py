"""Stickers for the club's merch table: one request, each image saved under the animal it shows,
the last one kept apart as the table's preview, and the first two again for the printed sheet."""

import itertools
import os
import sys
import tempfile
from urllib.request import urlopen

from openai import OpenAI

ANIMALS = ["otter", "heron", "badger"]


def save(out_dir, name, data):
    with open(os.path.join(out_dir, name), "wb") as fh:
        fh.write(data)
    print(f"{name}: {len(data)} bytes")


def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()
    client = OpenAI()
    result = client.images.generate(
        model="dall-e-2",
        prompt="merch sticker: the club's three animals, one per image",
        n=3,
        size="512x512",
    )
    for animal, image in zip(ANIMALS, result.data):
        save(out_dir, f"{animal}.png", urlopen(image.url).read())
    *rest, last = result.data
    save(out_dir, "preview.png", urlopen(last.url).read())
    for index, image in enumerate(itertools.islice(result.data, 2)):
        save(out_dir, f"sheet-{index}.png", urlopen(image.url).read())
    by_animal = dict(zip(ANIMALS, result.data))
    save(out_dir, "mascot.png", urlopen(by_animal["otter"].url).read())
    print(f"{len(rest)} more before the preview")
    return 0


if __name__ == "__main__":
    sys.exit(main())
