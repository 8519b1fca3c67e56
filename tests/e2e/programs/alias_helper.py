"""A shortcut to the image method, read once at import (`draw = client.images.generate`) and
called by the helpers that make the bulletin's header and footer art."""

import os
import sys
import tempfile
from urllib.request import urlopen

from openai import OpenAI

client = OpenAI()
draw = client.images.generate


def art(prompt, size):
    result = draw(model="dall-e-3", prompt=f"bulletin art: {prompt}", size=size, quality="hd", response_format="url")
    return urlopen(result.data[0].url).read()


def with_retry(make, prompt):
    """Calls the image method it is given, once more on a dropped connection."""
    for attempt in range(2):
        try:
            return make(model="dall-e-2", prompt=f"bulletin art: {prompt}", size="512x512", response_format="url")
        except OSError:
            if attempt:
                raise


def corner_art():
    result = with_retry(getattr(client.images, "generate"), "a paper boat")
    return urlopen(result.data[0].url).read()


def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()
    for name, prompt, size in (("header.png", "a sunrise over hills", "1792x1024"), ("footer.png", "a quiet harbour", "1024x1024")):
        data = art(prompt, size)
        with open(os.path.join(out_dir, name), "wb") as fh:
            fh.write(data)
        print(f"{name}: {len(data)} bytes")
    data = corner_art()
    with open(os.path.join(out_dir, "corner.png"), "wb") as fh:
        fh.write(data)
    print(f"corner.png: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
