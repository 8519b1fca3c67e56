"""A market poster script that calls the Images API over plain HTTP, as ports from JavaScript and
serverless handlers do: requests for the cover (a JSON body, the URL downloaded), httpx for a
variant (a multipart edit of the cover, the result saved with urlretrieve). No SDK."""

import os
import sys
import tempfile
from urllib.request import urlretrieve

import httpx
import requests

API = os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1")
HEADERS = {"Authorization": f"Bearer {os.environ.get('OPENAI_API_KEY', '')}"}


def failed(response):
    if response.status_code != 200:
        print(response.json()["error"]["message"], file=sys.stderr)
        return True
    return False


def cover(out_dir):
    r = requests.post(
        f"{API}/images/generations",
        headers=HEADERS,
        json={
            "model": "dall-e-3",
            "prompt": "rest market cover: a lantern-lit market at night",
            "size": "1792x1024",
            "quality": "hd",
            "response_format": "url",
        },
    )
    if failed(r):
        return None
    url = r.json()["data"][0]["url"]
    data = requests.get(url).content
    path = os.path.join(out_dir, "cover.png")
    with open(path, "wb") as fh:
        fh.write(data)
    print(f"cover.png: {len(data)} bytes")
    return path


def variant(out_dir, source):
    form = {"model": "dall-e-2", "prompt": "rest market variant: the same market at dawn", "size": "512x512"}
    with open(source, "rb") as image:
        r = httpx.post(f"{API}/images/edits", headers=HEADERS, files={"image": ("cover.png", image, "image/png")}, data=form)
    if failed(r):
        return False
    path = os.path.join(out_dir, "dawn.png")
    urlretrieve(r.json()["data"][0]["url"], path)
    print(f"dawn.png: {os.path.getsize(path)} bytes")
    return True


def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()
    source = cover(out_dir)
    if source is None or not variant(out_dir, source):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
