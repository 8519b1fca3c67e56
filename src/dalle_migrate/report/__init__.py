"""Output formats, one module each; ``FORMATS`` maps the --format name to its renderer."""

from __future__ import annotations

from typing import Callable, Dict

from . import json_format, text

FORMATS: Dict[str, Callable] = {
    "text": text.render,
    "json": json_format.render,
}
