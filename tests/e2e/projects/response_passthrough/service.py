"""The image service: one call, the whole response handed back."""

from openai import OpenAI

client = OpenAI()


def create(prompt):
    return client.images.generate(model="gpt-image-1", prompt=prompt, size="1024x1024", quality="standard")
