"""Rendering defaults for the studio."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageConfig:
    model: str = "gpt-image-1"
    size: str = "1024x1536"
    quality: str = "standard"


class Thumbnails:
    """Small previews for the catalogue grid."""

    MODEL = "dall-e-2"
    SIZE = "256x256"


DEFAULTS = ImageConfig()
