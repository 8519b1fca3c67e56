"""Output formats, one module each; ``FORMATS`` maps the --format name to its renderer."""

from __future__ import annotations

from typing import Callable, Dict

from . import github, json_format, markdown, sarif, text
from .common import RunReport

FORMATS: Dict[str, Callable[[RunReport], str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
    "markdown": markdown.render,
}
