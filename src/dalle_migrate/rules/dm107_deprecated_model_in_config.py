from __future__ import annotations

from ..catalog import DEPRECATED
from ..settings import Settings
from ._model_in_config import ModelInConfig, Valid
from .base import Invalid


class DeprecatedModelInConfig(ModelInConfig):
    """
    ## What it does
    Finds a model id with an announced shutdown date that has not passed yet
    (`gpt-image-1.5`, `gpt-image-1-mini` and `chatgpt-image-latest` shut down on 2026-12-01)
    written as a whole value in a configuration file: the same files and values as DM106
    (`.env` files, YAML, TOML, JSON, INI and `.cfg`; quoted or not, in lists, in `NAME=value`
    entries), with the same exceptions (comments, keys, API descriptions, ids that are only part
    of a value). The message gives the date.

    ## Why
    The program that reads the value works today and fails with HTTP 400 from the shutdown day
    on. DM102 reports such a model in code; a configuration holding it is the same deadline,
    out of the code's sight. On that day the finding becomes DM106 (retired-model-in-config)
    without any change to dalle-migrate.

    ## Fix safety
    Unsafe, as DM106's: the model still works, other programs may read the value, and a
    deployment of the target may have to be created first. The fix replaces just the id and
    keeps the file valid (a JSON or TOML file is parsed again after it).
    """

    code = "DM107"
    name = "deprecated-model-in-config"
    summary = "Model id with an announced shutdown in a configuration file"
    status = DEPRECATED
    VALID = [
        Valid(
            """
            # IMAGE_MODEL=gpt-image-1.5
            IMAGE_MODEL=gpt-image-2
            AZURE_IMAGE_DEPLOYMENT=my-gpt-image-1.5-prod
            NOTE="moving off gpt-image-1-mini before December"
            """,
            filename=".env",
        ),
        Valid(
            """
            gpt-image-1.5:  # a key, not a value
              size: 1024x1024
            prompt: |
              gpt-image-1.5
            """,
            filename="config.yaml",
        ),
    ]
    INVALID = [
        Invalid(
            """
            # Image generation
            IMAGE_MODEL=gpt-image-1.5
            """,
            """
            # Image generation
            IMAGE_MODEL=gpt-image-2
            """,
            unsafe=True,
            filename=".env",
        ),
        Invalid(
            """
            image:
              model: "gpt-image-1-mini"  # the cheap one
              fallbacks: [chatgpt-image-latest]
            """,
            """
            image:
              model: "gpt-image-2"  # the cheap one
              fallbacks: [gpt-image-2]
            """,
            unsafe=True,
            filename="config.yaml",
        ),
        Invalid(
            '{"image": {"model": "gpt-image-1.5", "size": "1024x1024"}}\n',
            '{"image": {"model": "gpt-image-2", "size": "1024x1024"}}\n',
            unsafe=True,
            filename="settings.json",
        ),
    ]

    def message(self, model_id: str, settings: Settings) -> str:
        return (
            f"'{model_id}' names a model that shuts down on {settings.catalog.shutdown(model_id)}; programs reading "
            f"this configuration send it to the API, which rejects it from that day: use '{settings.target}' before "
            "then (check deployments and other readers first)."
        )
