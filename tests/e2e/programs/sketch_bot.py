"""A chat bot's drawing helper: it keeps the last response, hands out its link, and saves the
picture when asked (in another method)."""

import os
import sys
import tempfile
from urllib.request import urlopen

from openai import OpenAI


class SketchBot:
    def __init__(self):
        self.client = OpenAI()
        self.response = None
        self.link = None

    def draw(self, prompt):
        self.response = self.client.images.generate(model="dall-e-3", prompt=prompt, quality="hd")
        self.link = self.response.data[0].url
        return self.link

    def save(self, path):
        data = urlopen(self.response.data[0].url).read()
        with open(path, "wb") as fh:
            fh.write(data)
        return len(data)


def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()
    bot = SketchBot()
    link = bot.draw("sketch bot: a windmill at dusk, pencil")
    print(f"link: {link[:22]}")
    size = bot.save(os.path.join(out_dir, "windmill.png"))
    print(f"windmill.png: {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
