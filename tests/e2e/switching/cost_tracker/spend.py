"""python spend.py: render an image and keep track of what the images cost."""

import base64
import os
import tempfile
from pathlib import Path

from openai import OpenAI

PRICE_PER_IMAGE = {"dall-e-2": 0.02, "dall-e-3": 0.04}
MODEL = "dall-e-3"


class UsageTracker:
    def __init__(self):
        self.spent = 0.0

    def record(self, model, images):
        self.spent += PRICE_PER_IMAGE[model] * images


def main():
    tracker = UsageTracker()
    response = OpenAI().images.generate(model=MODEL, prompt="switchcost paper lantern", response_format="b64_json")
    tracker.record(MODEL, len(response.data))
    png = base64.b64decode(response.data[0].b64_json)
    path = Path(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir())) / "lantern.png"
    path.write_bytes(png)
    print(f"saved {path} ({len(png)} bytes)")
    print(f"spent ${tracker.spent:.2f}")


if __name__ == "__main__":
    main()
