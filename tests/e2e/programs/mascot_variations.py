"""Two variations of the team mascot, for the vote on the new sticker."""

import base64
import os
import struct
import sys
import tempfile
import zlib

from openai import OpenAI


def mascot_png(path):
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    rows = b"".join(b"\x00" + bytes((250, 180, 40)) * 24 for _ in range(24))
    header = struct.pack(">IIBBBBB", 24, 24, 8, 2, 0, 0, 0)
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()
    source = os.path.join(out_dir, "team-mascot.png")
    mascot_png(source)

    client = OpenAI()
    with open(source, "rb") as image:
        result = client.images.create_variation(
            image=image,
            model="dall-e-2",
            n=2,
            size="512x512",
            response_format="b64_json",
        )
    for index, item in enumerate(result.data):
        data = base64.b64decode(item.b64_json)
        name = f"variant-{index}.png"
        with open(os.path.join(out_dir, name), "wb") as fh:
            fh.write(data)
        print(f"{name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
