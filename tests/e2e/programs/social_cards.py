"""Build the social cards page (HTML) and the release notes header (Markdown) from generated images."""

import html
import os
import sys
import tempfile

from openai import OpenAI, OpenAIError

client = OpenAI()

DEFAULTS = {
    "model": "dall-e-3",
    "size": "1024x1024",
    "quality": "standard",
    "response_format": "url",
}


def card_urls(topic):
    result = client.images.generate(prompt=f"social card about {topic}, bold flat shapes", **DEFAULTS)
    return [d.url for d in result.data]


def feature_image(title):
    params = dict(DEFAULTS)
    params["style"] = "vivid"
    params["quality"] = "hd"
    result = client.images.generate(prompt=f"social card feature image for the release '{title}'", **params)
    return result.data[0].url


def write(name, text):
    with open(os.path.join(os.environ.get("IMAGE_OUT_DIR") or tempfile.gettempdir(), name), "w", encoding="utf-8") as fh:
        fh.write(text)


def main():
    topics = ["our new offices", "the summer meetup"]
    try:
        urls = []
        for topic in topics:
            urls += card_urls(topic)
        feature = feature_image("Version 2.0")
    except OpenAIError as exc:
        print(f"could not make the social cards: {exc}", file=sys.stderr)
        return 1
    cells = "\n".join(
        f'    <img src="{url}" alt="{html.escape(topic)}" width="256">' for topic, url in zip(topics, urls)
    )
    write("cards.html", f"<!doctype html>\n<html>\n  <body>\n{cells}\n  </body>\n</html>\n")
    print(f"cards.html: {len(urls)} images")
    write("release.md", f"# Version 2.0\n\n![feature image]({feature})\n\nWhat is new in this release.\n")
    print("release.md: 1 image")
    return 0


if __name__ == "__main__":
    sys.exit(main())
