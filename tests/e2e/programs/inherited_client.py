"""Services share one base class that owns the client; this one renders weekly banners."""

import base64
import os
import tempfile

from openai import OpenAI


class OpenAIService:
    def __init__(self):
        self.client = OpenAI()


class BannerService(OpenAIService):
    def banner(self, week):
        result = self.client.images.generate(
            prompt=f"weekly newsletter banner, week {week}, paper-cut style",
            size="1024x1024",
        )
        return base64.b64decode(result.data[0].b64_json)


if __name__ == "__main__":
    png = BannerService().banner(47)
    path = os.path.join(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()), "week-47.png")
    with open(path, "wb") as fh:
        fh.write(png)
    print(f"week-47.png: {len(png)} bytes")
