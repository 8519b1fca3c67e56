"""Render one picture from the command line: python cli.py [prompt]"""

import os
import sys
import tempfile

import requests

from service import create

OUT_DIR = os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir()


def main(argv):
    prompt = " ".join(argv) or "passthrough demo: a red kite over green hills"
    result = create(prompt)
    u = result.data[0].url
    r = requests.get(u)
    r.raise_for_status()
    data = r.content
    path = os.path.join(OUT_DIR, "kite.png")
    with open(path, "wb") as fh:
        fh.write(data)
    print(f"saved {path} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
