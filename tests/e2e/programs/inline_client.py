"""Avatars on demand; the client is created where it is used."""

import base64
import os
import tempfile

from openai import OpenAI


def make_avatar(username):
    result = OpenAI().images.generate(model="dall-e-3", prompt=f"friendly cartoon avatar for {username}", size="1024x1024", quality="hd")
    return base64.b64decode(result.data[0].b64_json)


if __name__ == "__main__":
    for user in ("ada", "grace"):
        png = make_avatar(user)
        path = os.path.join(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()), f"{user}.png")
        with open(path, "wb") as fh:
            fh.write(png)
        print(f"{user}.png: {len(png)} bytes")
