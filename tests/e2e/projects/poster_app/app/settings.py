"""Image settings shared by the whole app."""

IMAGE_MODEL = "dall-e-3"
QUALITY = "hd"
SIZE = "1792x1024"
