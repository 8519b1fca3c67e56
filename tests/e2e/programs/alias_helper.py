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


def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()
    for name, prompt, size in (("header.png", "a sunrise over hills", "1792x1024"), ("footer.png", "a quiet harbour", "1024x1024")):
        data = art(prompt, size)
        with open(os.path.join(out_dir, name), "wb") as fh:
            fh.write(data)
        print(f"{name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
