"""Edit a photo: this script makes its own tiny input PNG first."""

import base64
import os
import struct
import sys
import tempfile
import zlib

from openai import OpenAI


def solid_png(width, height, rgb):
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def main():
    work = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()
    path = os.path.join(work, "input.png")
    with open(path, "wb") as fh:
        fh.write(solid_png(16, 16, (40, 120, 200)))

    client = OpenAI()
    edited = client.images.edit(
        model="gpt-image-2",
        image=open(path, "rb"),
        prompt="turn this blue square into a sky with a hot-air balloon",
        input_fidelity="high",
        size="512x512",
    )
    data = base64.b64decode(edited.data[0].b64_json)
    out = os.path.join(work, "edited.png")
    with open(out, "wb") as fh:
        fh.write(data)
    print(f"edited.png: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
