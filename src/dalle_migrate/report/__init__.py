"""Output formats, one module each, imported only when chosen."""

from __future__ import annotations

import importlib
from typing import Callable

from .common import RunReport

# --format name -> module (each has ``render(report) -> str``)
FORMATS = {
    "text": "text",
    "json": "json_format",
    "sarif": "sarif",
    "github": "github",
    "markdown": "markdown",
    "gitlab": "gitlab",
    "junit": "junit",
    "azure": "azure",
}
# ruff's names for its own text formats (`--output-format full`, `concise`): the text report.
ALIASES = {"full": "text", "concise": "text"}


def renderer(name: str) -> Callable[[RunReport], str]:
    return importlib.import_module(f"{__package__}.{FORMATS[name]}").render  # type: ignore[no-any-return]
