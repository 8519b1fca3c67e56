"""Per-request options and raw responses (to log the request id)."""

import base64
import os
import tempfile

from openai import OpenAI


def main():
    client = OpenAI()
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir()

    # a slow one: give it more time than the default
    slow = client.with_options(timeout=30).images.generate(
        model="dall-e-3",
        prompt="detailed map of an imaginary archipelago",
        quality="hd",
        response_format="b64_json",
    )
    map_png = base64.b64decode(slow.data[0].b64_json)

    raw = client.images.with_raw_response.generate(
        model="dall-e-2",
        prompt="compass rose for the archipelago map",
        size="512x512",
        response_format="b64_json",
    )
    print("request id:", raw.headers.get("x-request-id"))
    compass = raw.parse()
    compass_png = base64.b64decode(compass.data[0].b64_json)

    for name, data in (("map.png", map_png), ("compass.png", compass_png)):
        with open(os.path.join(out_dir, name), "wb") as fh:
            fh.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
