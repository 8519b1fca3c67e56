"""A chat assistant that draws through the Responses API's image tool (written for gpt-image-1)."""

import base64
import os
import tempfile

from openai import OpenAI

client = OpenAI()

# The tool list is built once and shared by every request.
IMAGE_TOOL = {
    "type": "image_generation",
    "model": "gpt-image-1",
    "quality": "hd",  # copied from our DALL-E 3 code
    "size": "1024x1536",
    "input_fidelity": "high",
}

response = client.responses.create(
    model="gpt-5",
    input="Draw a fishing harbour at dawn, seen from the hill",
    tools=[IMAGE_TOOL],
)
images = [item.result for item in response.output if item.type == "image_generation_call"]
data = base64.b64decode(images[0])
path = os.path.join(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()), "harbour.png")
with open(path, "wb") as fh:
    fh.write(data)
print(f"harbour.png: {len(data)} bytes")
