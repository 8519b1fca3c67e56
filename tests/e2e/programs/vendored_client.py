"""A script copied out of a larger project: its client comes from a module that is not in this
tree (`studio_clients`, installed beside it), so nothing here says it is an OpenAI client."""

import os
import sys
import tempfile
from urllib.request import urlopen

from studio_clients import image_client


def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()
    result = image_client.images.generate(model="dall-e-3", prompt="vendored client: a tin robot", quality="hd", response_format="url")
    data = urlopen(result.data[0].url).read()
    with open(os.path.join(out_dir, "robot.png"), "wb") as fh:
        fh.write(data)
    print(f"robot.png: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
