"""Share the regatta poster: open it in a browser, and keep a copy named like the file on the CDN."""

import os
import tempfile
import urllib.request
import webbrowser

from openai import OpenAI

client = OpenAI()


def render(prompt):
    return client.images.generate(model="dall-e-3", prompt=prompt, size="1024x1792", response_format="url")


def open_preview(result):
    url = result.data[0].url
    print("preview:", url)
    if os.environ.get("OPEN_BROWSER"):
        webbrowser.open(url)


def keep_copy(result, folder):
    url = result.data[0].url
    name = url.split("/")[-1].split("?")[0]
    path = os.path.join(folder, name)
    urllib.request.urlretrieve(url, path)
    return path


if __name__ == "__main__":
    poster = render("regatta poster: sailing boats under a striped sky")
    open_preview(poster)
    saved = keep_copy(poster, os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir())
    print(f"{os.path.basename(saved)}: {os.path.getsize(saved)} bytes")
