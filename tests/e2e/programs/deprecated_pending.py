"""Nightly job: one hero image (old code) and one sticker on a model that is being retired."""

import base64
import os
import sys
import tempfile

from openai import OpenAI, OpenAIError

client = OpenAI()
out_dir = os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir())

try:
    hero = client.images.generate(model="dall-e-3", prompt="nightly hero: a comet over a quiet town", size="1024x1792", response_format="b64_json")
    sticker = client.images.generate(model="gpt-image-1.5", prompt="nightly sticker: a smiling comet", quality="low", background="transparent")
except OpenAIError as exc:
    print("nightly job failed:", exc, file=sys.stderr)
    sys.exit(2)

for name, result in (("hero.png", hero), ("sticker.png", sticker)):
    data = base64.b64decode(result.data[0].b64_json)
    with open(os.path.join(out_dir, name), "wb") as fh:
        fh.write(data)
    print(f"{name}: {len(data)} bytes")
