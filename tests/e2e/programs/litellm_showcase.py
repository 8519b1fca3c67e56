"""A showcase page drawn through LiteLLM (one router for every provider): each picture's URL goes
into the page, and the first one is downloaded as the page's cover."""

import os
import sys
import tempfile
from urllib.request import urlopen

# The model prices LiteLLM ships with, not a download at import (this machine is offline).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm  # noqa: E402

PROMPTS = ["litellm showcase: a paper boat", "litellm showcase: a paper crane"]


def main():
    out_dir = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()
    links = []
    for prompt in PROMPTS:
        response = litellm.image_generation(model="openai/dall-e-3", prompt=prompt, quality="standard")
        links.append(response.data[0].url)
    with open(os.path.join(out_dir, "showcase.html"), "w") as fh:
        fh.write("".join(f'<img src="{link}">\n' for link in links))
    cover = urlopen(links[0]).read()
    with open(os.path.join(out_dir, "cover.png"), "wb") as fh:
        fh.write(cover)
    print(f"cover.png: {len(cover)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
