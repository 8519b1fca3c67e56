"""Render the banner for the spring landing page and save it next to the other assets."""

import base64
import os
import tempfile
from pathlib import Path

from openai import OpenAI

client = OpenAI()

OUT_DIR = Path(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()))

response = client.images.generate(
    model="dall-e-3",  # the best model we have access to
    prompt="A lighthouse on a cliff at dawn, pastel sky, wide banner",
    # landscape, to fill the hero section
    size="1792x1024",
    quality="hd",
    style="vivid",  # punchier colours than "natural"
    response_format="b64_json",
    n=1,
)

png = base64.b64decode(response.data[0].b64_json)
banner = OUT_DIR / "banner.png"
banner.write_bytes(png)
print(f"saved {banner.name} ({len(png)} bytes)")
