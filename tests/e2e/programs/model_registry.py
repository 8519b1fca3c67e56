"""The image models the team may use, as an enum so that a typo fails at import."""

import base64
import os
import tempfile
from enum import Enum, unique

from openai import OpenAI


@unique
class ImageModel(str, Enum):
    DALLE3 = "dall-e-3"
    GPT_IMAGE = "gpt-image-2"


client = OpenAI()


def poster():
    # not moved yet: the style team liked DALL-E 3's posters
    return client.images.generate(model=ImageModel.DALLE3.value, prompt="model registry poster: a paper plane", response_format="b64_json")


def sticker():
    return client.images.generate(model=ImageModel.GPT_IMAGE.value, prompt="model registry sticker: a paper plane", quality="low")


if __name__ == "__main__":
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir()
    for name, make in (("poster.png", poster), ("sticker.png", sticker)):
        data = base64.b64decode(make().data[0].b64_json)
        with open(os.path.join(out_dir, name), "wb") as fh:
            fh.write(data)
        print(f"{name}: {len(data)} bytes")
