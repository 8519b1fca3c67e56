"""The gallery's pages: each one fetches its picture and keeps a copy."""

import os
import tempfile
from pathlib import Path

import requests

from .images import make_url

OUT_DIR = Path(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()))


def save_picture(name, prompt):
    url = make_url(prompt)
    png = requests.get(url).content
    path = OUT_DIR / name
    path.write_bytes(png)
    print(f"saved {path} ({len(png)} bytes)")
    return path
