from __future__ import annotations

from ..catalog import RETIRED
from ..settings import Settings
from ._model_in_config import ModelInConfig, Valid
from .base import Invalid


class RetiredModelInConfig(ModelInConfig):
    """
    ## What it does
    Finds a retired model id written as a whole value in a configuration file: `.env` files
    (`.env`, `.env.local`, `prod.env`), YAML, TOML, JSON, INI and `.cfg` files. Values are
    found quoted or not, after `KEY=`, `key:` or `key =`, in lists and arrays (`- dall-e-3`,
    `["dall-e-2", "dall-e-3"]`), in `NAME=value` entries (`- "IMAGE_MODEL=dall-e-3"`) and in
    comma-separated lists (`dall-e-3,gpt-image-1`). Comments, keys, section names and text
    are never reported, nor ids that are only part of a value: `gpt-image-1.5` is not
    `gpt-image-1`, and `my-dall-e-3-prod` is a name someone chose (a deployment), not the id.
    API descriptions are not configurations: an OpenAPI or Swagger document (or a bundle of
    them) and a JSON Schema (`$schema` naming a json-schema.org meta-schema) list the ids an
    API accepts in `enum`s and examples, which no program sends as they are.

    ## Why
    Programs read the model from their configuration (`os.getenv("IMAGE_MODEL")`, settings
    classes, CI and deployment files) and send it to the API, which rejects a retired model.
    Fixing the Python code is not enough while the value it reads still names the old model.

    ## Fix safety
    Unsafe: the value may be read by other programs, or name a deployment that must be created
    first, so it is replaced by the target model only with `--unsafe-fixes`. The fix replaces
    just the id (quotes, comments and line endings stay as they are) and keeps the file valid:
    a JSON or TOML file is parsed again after the fix, and a JSON file that does not parse is
    reported but not fixed.
    """

    code = "DM106"
    name = "retired-model-in-config"
    summary = "Retired model id in a configuration file"
    VALID = [
        Valid(
            """
            # IMAGE_MODEL=dall-e-3
            IMAGE_MODEL=gpt-image-1.5
            AZURE_IMAGE_DEPLOYMENT=my-dall-e-3-prod
            NOTE="moved off dall-e-3 in May"
            """,
            filename=".env",
        ),
        Valid(
            """
            dall-e-3:  # a key, not a value
              size: 1024x1024
            models:
              - gpt-image-1-mini
            prompt: |
              dall-e-3
            """,
            filename="config.yaml",
        ),
        Valid(
            """
            [models."dall-e-3"]
            replacement = "gpt-image-2"
            """,
            filename="catalog.toml",
        ),
        Valid('{"dall-e-2": {"size": "512x512"}, "model": "gpt-image-1.5"}\n', filename="settings.json"),
        Valid(
            """
            openapi: 3.1.0
            components:
              schemas:
                ImageRequest:
                  properties:
                    model:
                      enum: [dall-e-2, dall-e-3, gpt-image-2]
                      default: dall-e-2
            """,
            filename="openapi.yaml",
        ),
        Valid(
            '{"$schema": "https://json-schema.org/draft/2020-12/schema",\n'
            ' "properties": {"model": {"enum": ["dall-e-3", "gpt-image-2"]}}}\n',
            filename="request.schema.json",
        ),
        Valid(
            """
            [image]
            ; model = dall-e-3
            model = gpt-image-2
            """,
            filename="setup.cfg",
        ),
    ]
    INVALID = [
        Invalid(
            """
            # Image generation
            IMAGE_MODEL=dall-e-3
            AZURE_IMAGE_DEPLOYMENT=my-dall-e-3-prod
            """,
            """
            # Image generation
            IMAGE_MODEL=gpt-image-2
            AZURE_IMAGE_DEPLOYMENT=my-dall-e-3-prod
            """,
            unsafe=True,
            filename=".env",
        ),
        Invalid(
            """
            image:
              model: "dall-e-3"  # dall-e-2 before
              fallbacks: [dall-e-2]
            """,
            """
            image:
              model: "gpt-image-2"  # dall-e-2 before
              fallbacks: [gpt-image-2]
            """,
            unsafe=True,
            filename="config.yaml",
        ),
        Invalid(
            """
            [tool.images]
            model = "gpt-image-1"
            """,
            """
            [tool.images]
            model = "gpt-image-2"
            """,
            unsafe=True,
            filename="settings.toml",
        ),
        Invalid(
            '{"image": {"model": "dall-e-3", "size": "1024x1024"}}\n',
            '{"image": {"model": "gpt-image-2", "size": "1024x1024"}}\n',
            unsafe=True,
            filename="settings.json",
        ),
        Invalid(
            '{"plugin": {"openapi": "https://example.com/openapi.yaml"}, "image_model": "dall-e-3"}\n',
            '{"plugin": {"openapi": "https://example.com/openapi.yaml"}, "image_model": "gpt-image-2"}\n',
            unsafe=True,
            filename="settings.json",
        ),
        Invalid(
            '{"$schema": "./settings.schema.json", "image_model": "dall-e-3"}\n',
            '{"$schema": "./settings.schema.json", "image_model": "gpt-image-2"}\n',
            unsafe=True,
            filename="settings.json",
        ),
        Invalid(
            """
            [image]
            model = dall-e-3
            """,
            """
            [image]
            model = gpt-image-2
            """,
            unsafe=True,
            filename="app.ini",
        ),
    ]

    status = RETIRED

    def message(self, model_id: str, settings: Settings) -> str:
        return (
            f"'{model_id}' names a model shut down on {settings.catalog.shutdown(model_id)}; programs reading "
            f"this configuration send it to the API: use '{settings.target}' (check deployments and other readers first)."
        )
