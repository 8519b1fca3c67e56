"""Written in 2023, before anyone told us to name the model."""

import base64
import os
import tempfile

from openai import OpenAI

client = OpenAI()

result = client.images.generate(
    prompt="a watercolour of a bicycle leaning on a red wall",
    n=1,
    size="1024x1024",
    response_format="b64_json",
)
data = base64.b64decode(result.data[0].b64_json)
path = os.path.join(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()), "bicycle.png")
with open(path, "wb") as fh:
    fh.write(data)
print(f"bicycle.png: {len(data)} bytes")
