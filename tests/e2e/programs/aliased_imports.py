"""Postcards, written by someone who likes short names."""
import base64
import os
import sys
import tempfile

import openai as oa
from openai import OpenAI as OAI

OUT = os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir())


def save(name, b64):
    raw = base64.b64decode(b64)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(raw)
    print(name, len(raw), "bytes")


try:
    front = OAI().images.generate(model="dall-e-3", prompt="postcard front: harbour at night", style="natural", response_format="b64_json")
    back = oa.images.generate(model='dall-e-2', prompt='postcard back: stamp with a seagull', size='512x512', response_format='b64_json')
except oa.APIStatusError as err:
    sys.exit(f"postcard failed ({err.status_code}): {err.message}")

save("front.png", front.data[0].b64_json)
save("back.png", back.data[0].b64_json)
