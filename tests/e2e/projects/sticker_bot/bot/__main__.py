"""Answer a few commands offline and save what the bot would post: python -m bot"""

import os
import tempfile
from pathlib import Path

from .commands import avatar, sticker

OUT_DIR = Path(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()))

for name, png in (("avatar.png", avatar("Pixel")), ("sticker.png", sticker("a happy cactus"))):
    path = OUT_DIR / name
    path.write_bytes(png)
    print(f"saved {path} ({len(png)} bytes)")
