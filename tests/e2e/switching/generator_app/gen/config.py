"""Settings of the switchboard generator."""

from dataclasses import dataclass


@dataclass
class Config:
    image_model: str = "dall-e-2"
    subject: str = "a lighthouse in a storm"
