"""python poster.py [--model dall-e-2|dall-e-3] [subject]: one poster."""

import argparse
import os
import tempfile
from pathlib import Path

from imaging import create_image

parser = argparse.ArgumentParser(description="Render a poster.")
parser.add_argument("--model", choices=["dall-e-2", "dall-e-3"], default="dall-e-3")
parser.add_argument("subject", nargs="?", default="a kite festival")
args = parser.parse_args()

png = create_image(f"switchcli poster of {args.subject}", model=args.model)
path = Path(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir())) / "poster.png"
path.write_bytes(png)
print(f"saved {path} ({len(png)} bytes)")
