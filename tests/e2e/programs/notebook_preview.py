"""Exported from a notebook: preview generated concept art inline."""

from IPython.display import Image, display
from openai import OpenAI

client = OpenAI()


def preview(prompt):
    result = client.images.generate(model="dall-e-3", prompt=prompt, size="1024x1024", quality="standard")
    display(Image(url=result.data[0].url))


def small_preview(prompt):
    result = client.images.generate(model="dall-e-2", prompt=prompt, size="256x256")
    return Image(result.data[0].url, width=128)


preview("notebook concept art: a greenhouse on the moon")
display(small_preview("notebook concept art: a tiny moon rover"))
