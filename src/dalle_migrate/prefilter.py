"""The byte-level prefilter: which files can hold a finding at all, decided before any parsing.

A finding needs an image call or a model id. An image call needs its receiver traced to the
``openai`` package (so the file names it: ``from openai import OpenAI``, ``import openai``), to
a client another module of the project makes (then the file holds the call's own text,
``images.generate``), or a known model id as its model; DM105/DM106 need a model id. So a file
that contains neither the package name, nor an image call's text, nor any model id cannot have
a finding of its own, and is never decoded or parsed.

The test is a few substring searches over the raw bytes (``bytes.__contains__``), derived from
the catalogue: in CPython they are several times faster than one regular expression with the same
alternatives, which matters when most of a large repository is skipped here.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Tuple

from .catalog import Catalog

_VERSIONED = re.compile(r"^(.*?-)(?=\d)")


def needles(catalog: Catalog) -> Tuple[bytes, ...]:
    """The fewest substrings such that every model id and the SDK's package name contains one.

    A model id is reduced to its stem before the first version number (``dall-e-3`` ->
    ``dall-e-``, ``gpt-image-1.5`` -> ``gpt-image-``), then any needle that contains another is
    dropped (``chatgpt-image-latest`` contains ``gpt-image-``).
    """
    words = {catalog.sdk.package}
    # A module that calls a client imported from another module of the project names neither
    # the package nor (when its values are imported too) a model id: the call itself does.
    images = catalog.sdk.images_attribute
    words.update(f"{images}.{attr}" for attr in list(catalog.methods) + list(catalog.sdk.response_wrappers))
    for model_id in catalog.models:
        match = _VERSIONED.match(model_id)
        words.add(match.group(1) if match else model_id)
    return tuple(sorted(w.encode() for w in _minimal(words)))


def _minimal(words: Iterable[str]) -> List[str]:
    ordered = sorted(set(words), key=len)
    kept: List[str] = []
    for word in ordered:
        if not any(k in word for k in kept):
            kept.append(word)
    return kept


class Prefilter:
    def __init__(self, catalog: Catalog) -> None:
        self.needles = needles(catalog)
        # The image calls' own needles (`images.generate`...) are looked for only in a file that
        # has their common start: one more scan of most files instead of five.
        self.gate = f"{catalog.sdk.images_attribute}.".encode()
        self.primary = tuple(n for n in self.needles if not n.startswith(self.gate))
        self.calls = tuple(n for n in self.needles if n.startswith(self.gate))

    def may_have_findings(self, data: bytes) -> bool:
        for needle in self.primary:  # a plain loop: any() over a generator costs a third more
            if needle in data:
                return True
        if self.gate in data:
            for needle in self.calls:
                if needle in data:
                    return True
        return False
