"""Preview offline with a fake studio, then render for real with OpenAI."""

import base64
import os
import tempfile
from types import SimpleNamespace

from openai import OpenAI


class _OfflineImages:
    """Same call shape as the SDK, so the preview code reads like the real thing."""

    def generate(self, *, model, prompt, **options):
        print(f"[offline] would ask {model} for: {prompt}")
        return SimpleNamespace(data=[SimpleNamespace(b64_json="")])


class OfflineStudio:
    def __init__(self):
        self.images = _OfflineImages()


studio = OfflineStudio()
preview = studio.images.generate(model="dall-e-3", prompt="storyboard sketch of a robot chef")

client = OpenAI()
final = client.images.generate(model="dall-e-3", prompt="storyboard frame: a robot chef flipping pancakes", response_format="b64_json")
png = base64.b64decode(final.data[0].b64_json)
with open(os.path.join(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()), "frame.png"), "wb") as fh:
    fh.write(png)
print(f"frame.png: {len(png)} bytes")
