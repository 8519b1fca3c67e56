"""Ask for a picture and hand back where it can be fetched."""

from .clients import client


def make_url(prompt):
    """The URL of a freshly rendered picture."""
    response = client.images.generate(
        model="dall-e-3",
        prompt=prompt,
        size="1024x1024",
    )
    return response.data[0].url
