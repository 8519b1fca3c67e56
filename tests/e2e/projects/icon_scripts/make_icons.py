"""Make the launcher icons: python make_icons.py"""

import base64
import os
import tempfile
from pathlib import Path

from helpers import ICON_MODEL, icon, make_client

OUT_DIR = Path(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()))


def save(name, png):
    path = OUT_DIR / name
    path.write_bytes(png)
    print(f"saved {path} ({len(png)} bytes)")


client = make_client()
batch = client.images.generate(
    model=ICON_MODEL,
    prompt="launcher icon: a paper boat on a blue circle, flat style",
    size="512x512",
    n=2,
    response_format="b64_json",
)
for i, image in enumerate(batch.data):
    save(f"boat-{i}.png", base64.b64decode(image.b64_json))

save("anchor.png", icon("launcher icon: a golden anchor, flat style", model="dall-e-2", size="512x512"))
