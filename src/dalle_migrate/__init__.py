"""dalle-migrate: find OpenAI image API calls on retired models and rewrite them for gpt-image-2."""

__version__ = "0.2.0"
