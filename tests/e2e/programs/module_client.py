"""Make two small icon candidates with the module-level client (openai.images)."""

import base64
import os
import sys
import tempfile

import openai


def main() -> int:
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp(prefix="icons-")
    try:
        result = openai.images.generate(model="dall-e-2", prompt="pixel-art icon of a sleepy cat", size="256x256", n=2, response_format="b64_json")
    except openai.OpenAIError as exc:
        print(f"icon generation failed: {exc}", file=sys.stderr)
        return 1
    for index, item in enumerate(result.data):
        data = base64.b64decode(item.b64_json)
        name = f"icon-{index}.png"
        with open(os.path.join(out_dir, name), "wb") as fh:
            fh.write(data)
        print(f"{name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
