"""Poster run for the alpine club, written against openai 0.27 with the club's gateway."""

import base64
import os
import sys
import tempfile
import time

import openai
from openai.error import RateLimitError, Timeout

openai.api_key = os.getenv("OPENAI_API_KEY")
openai.api_base = os.environ.get("HUT_GATEWAY_URL", "https://gateway.example/v1")
OUT_DIR = os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir()

JOBS = [
    ("summit.png", "alpine poster: the summit cross at sunrise"),
    # A folder that does not exist: the save fails after the image came back.
    (os.path.join("missing", "valley.png"), "alpine poster: the valley in autumn"),
]


def poster(prompt):
    for attempt in range(3):
        try:
            response = openai.Image.create(prompt=prompt, size="1024x1024", response_format="b64_json")
            return base64.b64decode(response["data"][0]["b64_json"])
        except (RateLimitError, Timeout):
            time.sleep(2**attempt)
    raise SystemExit("gave up after three attempts")


def main():
    for name, prompt in JOBS:
        try:
            data = poster(prompt)
            with open(os.path.join(OUT_DIR, name), "wb") as fh:
                fh.write(data)
        except openai.error.InvalidRequestError as exc:
            print(f"{name}: rejected: {exc}")
            continue
        except OSError as exc:
            print(f"{os.path.basename(name)}: not saved ({exc.strerror})")
            continue
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
