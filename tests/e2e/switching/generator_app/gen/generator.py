"""The generator: one client, per-model prompts, sizes and options."""

import base64

from openai import OpenAI

from .tables import PROMPT_TEMPLATES, SIZES, SUPPORTED_MODELS


class Generator:
    def __init__(self, model):
        if model not in SUPPORTED_MODELS:
            raise ValueError(f"unsupported model {model}")
        self.model = model
        self.client = OpenAI()

    def render(self, subject):
        options = {}
        if self.model == "dall-e-3":
            options["quality"] = "hd"
            options["style"] = "vivid"
        elif self.model == "dall-e-2":
            options["n"] = 2
        response = self.client.images.generate(
            model=self.model,
            prompt=PROMPT_TEMPLATES[self.model].format(subject),
            size=SIZES[self.model],
            response_format="b64_json",
            **options,
        )
        return [base64.b64decode(item.b64_json) for item in response.data]


def make_generator(config):
    return Generator(model=config.image_model)
